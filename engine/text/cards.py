"""engine.text: language-model cards, one JSON file per model in
presets/language-models/, validated with pydantic on load; an error names the file and
the key. A new model is a new file."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.errors import InvalidRequest
from engine.models import CardError
from shotline.data import preset_path

ARCHITECTURES = ("Qwen2ForCausalLM", "Qwen3ForCausalLM")
TASKS = ("rewrite", "storyboard")


class TextModelCard(BaseModel):
    """What Shotline knows about one instruct model: where its weights are, its licence,
    its size and memory (estimates unless the notes say measured) and its token limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    repo_id: str | None  # None = built locally (tiny-planner)
    revision: str | None
    architecture: str
    licence: str
    parameters_b: float = Field(gt=0)
    size_gb: float = Field(gt=0)
    vram_gb: float = Field(gt=0)
    context_tokens: int = Field(ge=512)
    max_new_tokens: dict[str, int]
    dtype: str
    notes: str

    @field_validator("architecture")
    @classmethod
    def _known_architecture(cls, value: str) -> str:
        if value not in ARCHITECTURES:
            raise ValueError(f"{value!r} is not supported; accepted: {', '.join(ARCHITECTURES)}")
        return value

    @field_validator("max_new_tokens")
    @classmethod
    def _both_tasks(cls, value: dict[str, int]) -> dict[str, int]:
        if sorted(value) != sorted(TASKS) or not all(isinstance(v, int) and 1 <= v <= 32768 for v in value.values()):
            raise ValueError(f"needs a whole number from 1 to 32768 for each of {', '.join(TASKS)}")
        return value

    @field_validator("dtype")
    @classmethod
    def _dtype(cls, value: str) -> str:
        if value not in ("float32", "bfloat16", "float16"):
            raise ValueError(f"{value!r} is not accepted; accepted: float32, bfloat16, float16")
        return value

    @property
    def is_local_only(self) -> bool:
        return self.repo_id is None


def parse_text_card(path: Path) -> TextModelCard:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CardError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    try:
        card = TextModelCard.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise CardError(f"{path.name}: key '{key}': {first['msg']}.") from None
    if card.id != path.stem:
        raise CardError(f"{path.name}: key 'id' is {card.id!r} but must match the file name {path.stem!r}.")
    return card


@lru_cache(maxsize=1)
def _load_all() -> dict[str, TextModelCard]:
    folder = preset_path("language-models")
    cards = {c.id: c for c in (parse_text_card(p) for p in sorted(folder.glob("*.json")))}
    if "tiny-planner" not in cards:
        raise CardError(f"{folder}: the 'tiny-planner' card is missing; the tests need it.")
    return cards


def list_text_cards() -> list[TextModelCard]:
    """Every language-model card, the tiny one first."""
    return sorted(_load_all().values(), key=lambda c: (not c.is_local_only, c.id))


def get_text_card(model_id: str) -> TextModelCard:
    """The card for `model_id`; an unknown id is one sentence listing the known ones."""
    cards = _load_all()
    if model_id not in cards:
        raise InvalidRequest("language model", model_id, "one of " + ", ".join(sorted(cards)))
    return cards[model_id]
