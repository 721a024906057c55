"""studio.prompts: A/B variants. Prompts x styles x seeds -> labelled
engine.GenerationRequest objects, each with the style's recommended steps, guidance
and flow shift where the model is a real one (the tiny test model keeps its card)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.models import get_card
from engine.types import GenerationRequest, LoraSpec
from studio.prompts.characters import CharacterCard
from studio.prompts.presets import Presets, StylePreset, default_presets
from studio.storyboard.model import Shot

MAX_VARIANTS = 1000


@dataclass(frozen=True)
class Variant:
    label: str  # e.g. "shot2-cinematic-seed7"
    prompt_index: int
    style: str
    seed: int
    request: GenerationRequest

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "prompt_index": self.prompt_index, "style": self.style, "seed": self.seed,
                "request": self.request.to_dict()}


def _style_prompt(prompt: str, style: StylePreset | None, lang: str) -> str:
    if style is None:
        return prompt
    sep = "，" if lang == "zh" else ", "
    return prompt.rstrip("。. ") + sep + style.positive[lang] + ("。" if lang == "zh" else ".")


def make_variants(shots: Sequence[Shot | str], styles: Sequence[str | None], seeds: Sequence[int],
                  model: str = "tiny", characters: Sequence[CharacterCard] = (),
                  presets: Presets | None = None) -> list[Variant]:
    """Every combination of a shot (or a plain prompt), a style (None = as written) and a seed.
    A Shot's own style fragments are not repeated: its prompt is rebuilt from its text parts."""
    presets = presets or default_presets()
    card = get_card(model)
    if not shots or not styles or not seeds:
        raise ValueError("Variants need at least one prompt, one style and one seed.")
    total = len(shots) * len(styles) * len(seeds)
    if total > MAX_VARIANTS:
        raise ValueError(f"{total} variants asked for; at most {MAX_VARIANTS} are accepted.")
    for seed in seeds:
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
            raise ValueError(f"Seed {seed!r} is not accepted; a seed is a whole number from 0 to 4294967295.")
    chosen = [presets.style(s) if s else None for s in styles]
    out: list[Variant] = []
    for i, item in enumerate(shots, start=1):
        for style in chosen:
            prompt, negative, lang, frames = _base(item, style, model, characters, presets)
            for seed in seeds:
                rec = style if (style and not card.is_local_only) else None
                request = GenerationRequest(
                    prompt=prompt, model=model, negative_prompt=negative, num_frames=frames, seed=seed,
                    steps=rec.steps if rec else None, guidance=rec.guidance if rec else None,
                    flow_shift=rec.flow_shift if rec else None,
                    loras=tuple(LoraSpec(e["source"], e["scale"]) for e in style.loras_for(model)) if style else ())
                label = f"shot{i}-{style.id if style else 'as-written'}-seed{seed}"
                out.append(Variant(label, i, style.id if style else "", seed, request))
    return out


def _base(item: Shot | str, style: StylePreset | None, model: str, characters: Sequence[CharacterCard],
          presets: Presets) -> tuple[str, str | None, str, int | None]:
    if isinstance(item, str):
        if not item.strip():
            raise ValueError("A variant prompt is empty; give it some text.")
        from studio.storyboard.analyse import language

        lang = language(item)
        negative = None
        if style and style.negative["zh"]:
            negative = f"{get_card(model).negative_prompt}，{style.negative['zh']}"
        return _style_prompt(item, style, lang), negative, lang, None
    from studio.prompts.compose import compose_shot

    shot = Shot.from_dict(item.to_dict())
    shot.warnings = []
    compose_shot(shot, model, style, characters, presets=presets)
    frames = min(item.num_frames, get_card(model).max_frames) if item.num_frames else None
    return shot.prompt, shot.negative_prompt, shot.language, frames
