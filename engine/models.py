"""engine: the model registry. One card per model, as data in presets/models/*.json;
a new model is a new file, not a new branch in code. Cards are a pydantic model,
validated on load; an error is one sentence naming the file, the key and the value."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from engine.errors import UserError
from engine.schema import FileModel, Refused, file_sentence
from engine.types import MEMORY_MODES
from shotline.data import preset_path, shipped  # the shipped data, and SHOTLINE_PRESETS

PRESETS_DIR = shipped("presets")  # the shipped presets; reads go through preset_path() so SHOTLINE_PRESETS applies
VAE_FAMILIES = ("wan2.1", "wan2.2")  # ModelCard.vae_family


class CardError(UserError, ValueError):
    """A model card file is malformed; the message names the file and the key."""


def _field(accepted: str | None = None, **kw: Any) -> Any:
    return Field(json_schema_extra={"accepted": accepted} if accepted else None, **kw)


TAKES = ("image", "last_image", "reference_images")


class ModelCard(FileModel):
    """One model, as presets/models/<id>.json says. A new key is one typed line here."""

    id: str
    name: str
    repo_id: str | None  # None = built locally (tiny)
    revision: str | None
    pipeline_class: str
    vae_family: Literal["wan2.1", "wan2.2"]  # 16 latent channels, 4x8x8 / 48 channels, 4x16x16
    resolutions: tuple[tuple[int, int], ...]  # (width, height) pairs the model was trained for
    default_width: int = _field(gt=0)
    default_height: int = _field(gt=0)
    default_frames: int = _field(gt=0)
    max_frames: int = _field(gt=0)
    fps: int = _field(gt=0)
    steps: int = _field(gt=0)
    guidance: float
    guidance_2: float | None
    flow_shift: float
    boundary_ratio: float | None
    dtype: dict[str, str]
    vram_gb: dict[str, float]  # memory mode -> GB of VRAM needed at the default size
    licence: str
    size_gb: float = _field(ge=0)
    notes: str
    negative_prompt: str
    text_encoder_max_tokens: int = _field(gt=0)
    # optional keys (engine.tiers, engine.quantize)
    draft: dict[str, Any] | None = None  # the draft tier's step-distilled LoRA, steps and guidance
    gguf: dict[str, str | None] | None = None  # GGUF single-file transformer(s): repo_id (null: built here), file, file_2
    ram_gb: dict[str, float] | None = None  # memory mode -> GB of host RAM it needs at the default size
    # optional keys: what the model conditions on, and how
    takes: tuple[str, ...] = ()  # subset of TAKES: "image", "last_image", "reference_images"
    needs_image: bool = False  # image-to-video only: a start image is required
    needs_last_image: bool = False  # first-last-frame only: an end image is required too
    image_pipeline_class: str | None = None  # the pipeline used when a start/end image is given (None = pipeline_class)
    local_recipe: str | None = None  # local-only cards: which tiny architecture engine.tiny_arch builds

    @field_validator("resolutions", mode="before")
    @classmethod
    def _pairs_from_json(cls, value: Any) -> Any:
        """JSON has lists; a card holds (width, height) tuples."""
        if isinstance(value, list) and all(isinstance(p, list) for p in value):
            return tuple(tuple(p) for p in value)
        return value

    @field_validator("takes", mode="before")
    @classmethod
    def _takes_from_json(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _takes_known_inputs(self) -> ModelCard:
        bad = [t for t in self.takes if t not in TAKES]
        if bad:
            raise Refused("takes", bad, f"accepted: {', '.join(TAKES)}", verb="names")
        for flag, needed in (("needs_image", "image"), ("needs_last_image", "last_image")):
            if getattr(self, flag) and needed not in self.takes:
                raise Refused(flag, True, f"that needs \"{needed}\" in 'takes'")
        return self

    @field_validator("default_frames", "max_frames")
    @classmethod
    def _four_k_plus_one(cls, value: int) -> int:
        if (value - 1) % 4:
            raise Refused("", value, "frames must be 4k+1")
        return value

    @field_validator("vram_gb", "ram_gb")
    @classmethod
    def _known_modes(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        bad = sorted(set(value or {}) - set(MEMORY_MODES))
        if bad:
            raise Refused("", value, f"it names unknown memory mode(s) {bad}; accepted: {', '.join(MEMORY_MODES)}")
        return value

    @model_validator(mode="after")
    def _sizes_fit_the_vae(self) -> ModelCard:
        for pair in self.resolutions:
            if not all(v > 0 and v % self.size_multiple == 0 for v in pair):
                raise Refused("resolutions", list(pair), f"expected [width, height] multiples of {self.size_multiple}",
                              verb="has")
        return self

    @property
    def is_local_only(self) -> bool:
        return self.repo_id is None

    @property
    def two_experts(self) -> bool:
        return self.guidance_2 is not None

    @property
    def size_multiple(self) -> int:
        """Width and height must be multiples of this (VAE stride x patch size)."""
        return 32 if self.vae_family == "wan2.2" else 16

    @property
    def max_seconds(self) -> float:
        return (self.max_frames - 1) / self.fps


def _parse_card(path: Path) -> ModelCard:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CardError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    if not isinstance(data, dict):
        raise CardError(f"{path.name}: the top level must be a JSON object, not {type(data).__name__}.")
    try:
        card = ModelCard.model_validate(data)
    except ValidationError as err:
        raise CardError(file_sentence(err, path.name, ModelCard)) from None
    if card.id != path.stem:
        raise CardError(f"{path.name}: key 'id' is {card.id!r} but must match the file name {path.stem!r}.")
    from engine.quantize import check_gguf_card
    from engine.tiers import check_draft_card

    problem = check_draft_card(card.draft, path.name) or check_gguf_card(card.gguf, path.name)
    if problem:
        raise CardError(problem)
    return card


@lru_cache(maxsize=1)
def _load_all() -> dict[str, ModelCard]:
    folder = preset_path("models")
    cards = {}
    for path in sorted(folder.glob("*.json")):
        card = _parse_card(path)
        cards[card.id] = card
    if "tiny" not in cards:
        raise CardError(f"{folder}: the 'tiny' model card is missing; the test model needs it.")
    return cards


def list_cards() -> list[ModelCard]:
    """Every model card, tiny first."""
    return sorted(_load_all().values(), key=lambda c: (c.id != "tiny", c.id))


def get_card(model_id: str) -> ModelCard:
    """The card for `model_id`; an unknown id is one sentence listing the known ones."""
    cards = _load_all()
    if model_id not in cards:
        from engine.errors import InvalidRequest

        raise InvalidRequest("model", model_id, "one of " + ", ".join(sorted(cards)))
    return cards[model_id]
