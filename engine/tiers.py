"""engine: quality tiers. "final" runs the model card's own settings; "draft" adds the
card's step-distilled LoRA (`draft` on the card: hub repository and file, a second file
for the low-noise expert of the A14B models, steps, guidance) and runs its few steps
without classifier-free guidance. The tiny model's draft LoRA is a seeded stand-in built
locally once (like engine.tiny), so the whole path runs in CI without a download.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidRequest
from engine.lora import HUB_PREFIX, LoraRef
from engine.models import ModelCard
from engine.types import TIERS

TINY_DRAFT_VERSION = "1"
TINY_DRAFT_SEED = 4321
TINY_DRAFT_RANK = 4
_TINY_TARGETS = ("attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "attn2.to_q", "attn2.to_k",
                 "attn2.to_v", "attn2.to_out.0", "ffn.net.0.proj", "ffn.net.2")
_DRAFT_KEYS = {"repo_id", "file", "file_2", "steps", "guidance", "guidance_2", "scale", "notes"}


@dataclass(frozen=True)
class DraftSettings:
    """The draft tier of one card."""

    repo_id: str | None  # None = built locally (tiny)
    file: str
    file_2: str | None  # low-noise expert (two-expert models)
    steps: int
    guidance: float
    guidance_2: float | None
    scale: float

    def lora(self, models_dir: Path | None = None) -> LoraRef:
        if self.repo_id is None:
            from engine.weights import models_dir as default_models_dir

            path = ensure_tiny_draft(models_dir or default_models_dir())
            return LoraRef(source=str(path), scale=self.scale, role="draft", path=path)
        second = f"{HUB_PREFIX}{self.repo_id}/{self.file_2}" if self.file_2 else None
        return LoraRef(source=f"{HUB_PREFIX}{self.repo_id}/{self.file}", scale=self.scale, role="draft",
                       source_2=second)


def draft_settings(card: ModelCard) -> DraftSettings | None:
    """The card's draft tier, or None when the card names no distilled LoRA."""
    data = card.draft
    if not data:
        return None
    return DraftSettings(repo_id=data.get("repo_id"), file=data["file"], file_2=data.get("file_2"),
                         steps=int(data["steps"]), guidance=float(data["guidance"]),
                         guidance_2=None if data.get("guidance_2") is None else float(data["guidance_2"]),
                         scale=float(data.get("scale", 1.0)))


def check_draft_card(data: object, where: str) -> str | None:
    """A card's `draft` value checked as data: the problem as text, or None when fine."""
    if data is None:
        return None
    if not isinstance(data, dict):
        return f"{where}: key 'draft' has {data!r}; expected an object or null."
    extra = sorted(set(data) - _DRAFT_KEYS)
    if extra:
        return f"{where}: key 'draft' has unknown key(s) {extra}."
    if not isinstance(data.get("file"), str) or not data["file"].endswith(".safetensors"):
        return f"{where}: key 'draft.file' must name a .safetensors file."
    if not isinstance(data.get("steps"), int) or not 1 <= data["steps"] <= 16:
        return f"{where}: key 'draft.steps' must be a whole number from 1 to 16."
    if not isinstance(data.get("guidance"), (int, float)) or isinstance(data.get("guidance"), bool):
        return f"{where}: key 'draft.guidance' must be a number."
    return None


def tier_for(card: ModelCard, tier: str) -> DraftSettings | None:
    """Check `tier` for `card`: the draft settings for "draft", None for "final"."""
    if tier not in TIERS:
        raise InvalidRequest("tier", tier, "one of " + ", ".join(TIERS))
    if tier == "final":
        return None
    draft = draft_settings(card)
    if draft is None:
        offered = ", ".join(sorted(c.id for c in _cards_with_draft())) or "none"
        raise InvalidRequest("tier", tier, f"final for {card.id}, whose card names no step-distilled LoRA "
                                           f"(models with a draft tier: {offered})")
    return draft


def draft_files(card: ModelCard, on_event=None) -> list[Path]:
    """The card's draft LoRA file(s) from the hub cache, downloaded when missing (for
    `shotline models download --draft`: a machine can then go offline)."""
    from engine.lora import resolve_source

    draft = tier_for(card, "draft")
    ref = draft.lora()
    sources = [ref.source] + ([ref.source_2] if ref.source_2 else [])
    return [ref.path] if ref.path is not None else [resolve_source(s, download=True, on_event=on_event)
                                                     for s in sources]


def _cards_with_draft() -> list[ModelCard]:
    from engine.models import list_cards

    return [c for c in list_cards() if c.draft]


def ensure_tiny_draft(models_dir: Path) -> Path:
    """The tiny model's stand-in distilled LoRA: rank 4 on every attention and feed-forward
    layer of the tiny transformer, seeded, saved once (temporary name, then renamed)."""
    import torch
    from safetensors.torch import save_file

    from engine.tiny import build_pipeline

    target = Path(models_dir) / f"tiny-draft-lora-v{TINY_DRAFT_VERSION}.safetensors"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    transformer = build_pipeline().transformer
    modules = dict(transformer.named_modules())
    gen = torch.Generator().manual_seed(TINY_DRAFT_SEED)
    tensors = {}
    for block in range(len(transformer.blocks)):
        for target_name in _TINY_TARGETS:
            name = f"blocks.{block}.{target_name}"
            layer = modules[name]
            a = torch.randn(TINY_DRAFT_RANK, layer.in_features, generator=gen) / layer.in_features ** 0.5
            b = torch.randn(layer.out_features, TINY_DRAFT_RANK, generator=gen) * 0.2
            tensors[f"transformer.{name}.lora_A.weight"] = a.contiguous()
            tensors[f"transformer.{name}.lora_B.weight"] = b.contiguous()
    fd, tmp = tempfile.mkstemp(prefix=".tiny-draft-", suffix=".safetensors", dir=target.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={"format": "pt"})
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
