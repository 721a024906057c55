"""engine: request validation, before any model work. Each failure is an
`InvalidRequest`: one sentence naming the field, the value and what is accepted.
`resolve_request` fills the card's defaults and returns the concrete settings."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidRequest
from engine.models import ModelCard, get_card
from engine.speed import validate_speed
from engine.tiers import tier_for
from engine.types import MEMORY_MODES, GenerationRequest, SpeedOptions

MAX_PROMPT_CHARS = 4000
MAX_STEPS = 200
MAX_GUIDANCE = 30.0
MAX_SHIFT = 50.0
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Resolved:
    """A checked request with every default filled in from the model card."""

    card: ModelCard
    prompt: str
    negative_prompt: str
    width: int
    height: int
    num_frames: int
    steps: int
    guidance: float
    guidance_2: float | None
    flow_shift: float
    seed: int
    memory_mode: str
    speed: SpeedOptions
    output_path: str | None
    preview_every: int
    loras: tuple  # engine.lora.LoraRef, the tier's distilled LoRA first
    tier: str  # "final" | "draft"
    device: str | None


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_device(device: str | None) -> None:
    if device is None:
        return
    ok = isinstance(device, str) and (device in ("cpu", "cuda") or (device.startswith("cuda:") and device[5:].isdigit()))
    if not ok:
        raise InvalidRequest("device", device, "None (automatic), cpu, cuda or cuda:N")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise InvalidRequest("device", device, "cpu on this machine, which has no CUDA GPU")
        index = int(device[5:]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise InvalidRequest("device", device, f"cuda:0 to cuda:{torch.cuda.device_count() - 1}")


def _check_output(path: str | None) -> None:
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise InvalidRequest("output_path", path, "None or a path ending in .mp4")
    p = Path(path)
    if p.suffix.lower() != ".mp4":
        raise InvalidRequest("output_path", str(path), "a path ending in .mp4")
    if p.is_dir():
        raise InvalidRequest("output_path", str(path), "a file path, not a folder")
    if not p.parent.is_dir():
        raise InvalidRequest("output_path", str(path), "a path in an existing folder")


def resolve_request(req: GenerationRequest) -> Resolved:
    """Check every field of `req` (raises InvalidRequest) and fill the card defaults."""
    if not isinstance(req, GenerationRequest):
        raise InvalidRequest("request", type(req).__name__, "a GenerationRequest")
    if not isinstance(req.model, str):
        raise InvalidRequest("model", req.model, "a model id string")
    card = get_card(req.model)
    if not isinstance(req.prompt, str) or not req.prompt.strip():
        raise InvalidRequest("prompt", req.prompt, "a non-empty text")
    if len(req.prompt) > MAX_PROMPT_CHARS:
        raise InvalidRequest("prompt", f"{req.prompt[:20]}… ({len(req.prompt)} characters)", f"at most {MAX_PROMPT_CHARS} characters")
    negative = card.negative_prompt if req.negative_prompt is None else req.negative_prompt
    if not isinstance(negative, str) or len(negative) > MAX_PROMPT_CHARS:
        raise InvalidRequest("negative_prompt", req.negative_prompt, f"None or a text of at most {MAX_PROMPT_CHARS} characters")

    width = card.default_width if req.width is None else req.width
    height = card.default_height if req.height is None else req.height
    sizes = ", ".join(f"{w}x{h}" for w, h in card.resolutions)
    for name, value in (("width", width), ("height", height)):
        if not _is_int(value) or value <= 0 or value % card.size_multiple:
            raise InvalidRequest(name, value, f"a positive multiple of {card.size_multiple}; {card.id} supports {sizes}")
    if (width, height) not in card.resolutions:
        raise InvalidRequest("width x height", f"{width}x{height}", f"one of {card.id}'s resolutions: {sizes}")

    frames = card.default_frames if req.num_frames is None else req.num_frames
    if not _is_int(frames) or frames < 1 or (frames - 1) % 4 or frames > card.max_frames:
        raise InvalidRequest("num_frames", frames, f"4k+1 frames from 1 to {card.max_frames} for {card.id}, such as 9, 17 or {card.max_frames}")

    draft = tier_for(card, req.tier)  # None for "final"
    steps = (draft.steps if draft else card.steps) if req.steps is None else req.steps
    if not _is_int(steps) or not 1 <= steps <= MAX_STEPS:
        raise InvalidRequest("steps", steps, f"a whole number from 1 to {MAX_STEPS}")
    guidance = (draft.guidance if draft else card.guidance) if req.guidance is None else req.guidance
    if not _is_num(guidance) or not 0 <= guidance <= MAX_GUIDANCE:
        raise InvalidRequest("guidance", guidance, f"a number from 0 to {MAX_GUIDANCE:g} (1 or less turns guidance off)")
    guidance_2 = None
    if card.two_experts:
        default_2 = draft.guidance_2 if draft and draft.guidance_2 is not None else card.guidance_2
        guidance_2 = default_2 if req.guidance_2 is None else req.guidance_2
        if not _is_num(guidance_2) or not 0 <= guidance_2 <= MAX_GUIDANCE:
            raise InvalidRequest("guidance_2", guidance_2, f"a number from 0 to {MAX_GUIDANCE:g}")
    shift = card.flow_shift if req.flow_shift is None else req.flow_shift
    if not _is_num(shift) or not 0 < shift <= MAX_SHIFT:
        raise InvalidRequest("flow_shift", shift, f"a number above 0 and at most {MAX_SHIFT:g}")
    if not _is_int(req.seed) or not 0 <= req.seed <= MAX_SEED:
        raise InvalidRequest("seed", req.seed, f"a whole number from 0 to {MAX_SEED}")
    if req.memory_mode not in MEMORY_MODES:
        raise InvalidRequest("memory_mode", req.memory_mode, "one of " + ", ".join(MEMORY_MODES))
    validate_speed(req.speed)
    if not _is_int(req.preview_every) or req.preview_every < 0:
        raise InvalidRequest("preview_every", req.preview_every, "0 (no previews) or a whole number of steps")
    from engine.lora import resolve_loras

    loras = resolve_loras(req.loras, card, download=False, extra=(draft.lora(),) if draft else ())
    _check_output(req.output_path)
    _check_device(req.device)
    return Resolved(
        card=card, prompt=req.prompt, negative_prompt=negative, width=width, height=height, num_frames=frames,
        steps=steps, guidance=float(guidance), guidance_2=None if guidance_2 is None else float(guidance_2),
        flow_shift=float(shift), seed=req.seed, memory_mode=req.memory_mode, speed=req.speed, loras=loras, tier=req.tier,
        output_path=None if req.output_path is None else str(req.output_path), preview_every=req.preview_every,
        device=req.device,
    )
