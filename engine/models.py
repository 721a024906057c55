"""engine: the model registry. One card per model, as data in presets/models/*.json;
a new model is a new file, not a new branch in code. Cards are validated on load and
an error names the file and the key."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.types import MEMORY_MODES

PRESETS_DIR = Path(os.environ.get("SHOTLINE_PRESETS") or Path(__file__).resolve().parent.parent / "presets")
VAE_FAMILIES = ("wan2.1", "wan2.2")


class CardError(ValueError):
    """A model card file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class ModelCard:
    id: str
    name: str
    repo_id: str | None  # None = built locally (tiny)
    revision: str | None
    pipeline_class: str
    vae_family: str  # "wan2.1" (16 latent channels, 4x8x8) or "wan2.2" (48 channels, 4x16x16)
    resolutions: tuple[tuple[int, int], ...]  # (width, height) pairs the model was trained for
    default_width: int
    default_height: int
    default_frames: int
    max_frames: int
    fps: int
    steps: int
    guidance: float
    guidance_2: float | None
    flow_shift: float
    boundary_ratio: float | None
    dtype: dict[str, str]
    vram_gb: dict[str, float]  # memory mode -> GB of VRAM needed at the default size
    licence: str
    size_gb: float
    notes: str
    negative_prompt: str
    text_encoder_max_tokens: int
    # optional keys (engine.tiers, engine.quantize)
    draft: dict[str, Any] | None = None  # the draft tier's step-distilled LoRA, steps and guidance
    gguf: dict[str, str] | None = None  # GGUF single-file transformer(s): repo_id, file, file_2
    ram_gb: dict[str, float] | None = None  # memory mode -> GB of host RAM it needs at the default size

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


_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,), "name": (str,), "repo_id": (str, type(None)), "revision": (str, type(None)),
    "pipeline_class": (str,), "vae_family": (str,), "resolutions": (list,), "default_width": (int,),
    "default_height": (int,), "default_frames": (int,), "max_frames": (int,), "fps": (int,), "steps": (int,),
    "guidance": (int, float), "guidance_2": (int, float, type(None)), "flow_shift": (int, float),
    "boundary_ratio": (int, float, type(None)), "dtype": (dict,), "vram_gb": (dict,), "licence": (str,),
    "size_gb": (int, float), "notes": (str,), "negative_prompt": (str,), "text_encoder_max_tokens": (int,),
    "draft": (dict, type(None)), "gguf": (dict, type(None)), "ram_gb": (dict, type(None)),
}


def _parse_card(path: Path) -> ModelCard:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):  # the optional keys of engine.tiers and engine.quantize
            data.update({k: data.get(k) for k in ("draft", "gguf", "ram_gb")})
    except json.JSONDecodeError as err:
        raise CardError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    for f in fields(ModelCard):
        if f.name not in data:
            raise CardError(f"{path.name}: key '{f.name}' is missing.")
        if not isinstance(data[f.name], _TYPES[f.name]) or isinstance(data[f.name], bool):
            raise CardError(f"{path.name}: key '{f.name}' has {data[f.name]!r}; expected {' or '.join(t.__name__ for t in _TYPES[f.name])}.")
    extra = sorted(set(data) - set(_TYPES))
    if extra:
        raise CardError(f"{path.name}: unknown key(s) {extra}.")
    if data["id"] != path.stem:
        raise CardError(f"{path.name}: key 'id' is {data['id']!r} but must match the file name {path.stem!r}.")
    if data["vae_family"] not in VAE_FAMILIES:
        raise CardError(f"{path.name}: key 'vae_family' is {data['vae_family']!r}; accepted: {', '.join(VAE_FAMILIES)}.")
    for key in ("vram_gb", "ram_gb"):
        bad_modes = sorted(set(data.get(key) or {}) - set(MEMORY_MODES))
        if bad_modes:
            raise CardError(f"{path.name}: key '{key}' names unknown memory mode(s) {bad_modes}.")
    from engine.quantize import check_gguf_card
    from engine.tiers import check_draft_card

    problem = check_draft_card(data.get("draft"), path.name) or check_gguf_card(data.get("gguf"), path.name)
    if problem:
        raise CardError(problem)
    mult = 32 if data["vae_family"] == "wan2.2" else 16
    for pair in data["resolutions"]:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) and v > 0 and v % mult == 0 for v in pair)):
            raise CardError(f"{path.name}: key 'resolutions' has {pair!r}; expected [width, height] multiples of {mult}.")
    for key in ("default_frames", "max_frames"):
        if (data[key] - 1) % 4:
            raise CardError(f"{path.name}: key '{key}' is {data[key]}; frames must be 4k+1.")
    data["resolutions"] = tuple(tuple(p) for p in data["resolutions"])
    return ModelCard(**data)


@lru_cache(maxsize=1)
def _load_all() -> dict[str, ModelCard]:
    folder = PRESETS_DIR / "models"
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
