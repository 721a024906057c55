"""engine: the plain data that crosses the engine <-> studio seam.

A `GenerationRequest` goes in; frozen event dataclasses come out through
`on_event`; a `GenerationResult` comes back. Everything here is JSON-friendly
through `to_dict` / `from_dict`, so it can travel through a queue to a worker on
another machine. Nothing here touches torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

MemoryMode = Literal["auto", "gpu", "model_offload", "group_offload", "sequential_offload", "fp8_layerwise", "gguf",
                     "torchao_int8", "torchao_fp8"]
MEMORY_MODES: tuple[str, ...] = ("auto", "gpu", "model_offload", "group_offload", "sequential_offload",
                                 "fp8_layerwise", "gguf", "torchao_int8", "torchao_fp8")
TIERS: tuple[str, ...] = ("final", "draft")  # draft = the card's step-distilled LoRA (engine.tiers)


@dataclass(frozen=True)
class LoraSpec:
    """One LoRA for a request: `source` is a local .safetensors path, a hub file
    `hf:owner/repo/path/file.safetensors`, or the name of a LoRA in the library;
    `scale` None = the library's scale, else 1.0. `source_2` (two-expert models only)
    is a separate file for the low-noise expert; without it both experts get `source`."""

    source: str
    scale: float | None = None
    source_2: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str | LoraSpec) -> LoraSpec:
        if isinstance(data, LoraSpec):
            return data
        if isinstance(data, str):
            from engine.lora import parse_lora_arg

            return parse_lora_arg(data)
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"a LoRA got unknown field(s) {unknown}; accepted: {sorted(known)}.")
        return cls(**data)


@dataclass(frozen=True)
class SpeedOptions:
    """Speed settings. `attention_backend` and `compile_blocks` keep the maths exact;
    every `cache` trades quality for speed (its name says so in the UI)."""

    attention_backend: str | None = None  # None = diffusers' default (torch SDPA)
    compile_blocks: bool = False  # regional torch.compile of the repeated transformer blocks
    cache: str | None = None  # None | "first_block" | "mag" | "taylorseer"
    cache_threshold: float | None = None  # cache-specific knob; None = the cache's default

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SpeedOptions:
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class GenerationRequest:
    """One clip to generate. `None` means "the model card's default"."""

    prompt: str
    model: str = "tiny"
    negative_prompt: str | None = None
    width: int | None = None
    height: int | None = None
    num_frames: int | None = None
    steps: int | None = None
    guidance: float | None = None
    guidance_2: float | None = None  # second expert (Wan2.2 A14B low-noise); ignored by single-expert models
    flow_shift: float | None = None
    seed: int = 0
    memory_mode: str = "auto"
    speed: SpeedOptions = field(default_factory=SpeedOptions)
    output_path: str | None = None  # None = a temporary file the caller then owns
    preview_every: int = 1  # a preview at every n-th step; 0 = no previews
    loras: tuple[LoraSpec, ...] = ()  # applied in order, combined with set_adapters (engine.lora)
    tier: str = "final"  # "final" = the card's settings; "draft" = its step-distilled LoRA (engine.tiers)
    device: str | None = None  # None = cuda if available, else cpu

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["loras"] = [spec.to_dict() for spec in self.loras]
        data["speed"] = self.speed.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"GenerationRequest got unknown field(s) {unknown}; accepted: {sorted(known)}.")
        loras = data.get("loras") or ()
        if not isinstance(loras, (list, tuple)):
            raise ValueError(f"loras {loras!r} is not accepted: a list of LoRAs (source and scale).")
        data["loras"] = tuple(LoraSpec.from_dict(item) for item in loras)
        data["speed"] = SpeedOptions.from_dict(data.get("speed"))
        return cls(**data)


@dataclass(frozen=True)
class GenerationResult:
    """What a finished generation produced. `metadata` is also written into the MP4's tags."""

    video_path: str
    width: int
    height: int
    num_frames: int
    fps: int
    seed: int
    model: str
    metadata: dict[str, Any]
    elapsed_s: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationResult:
        return cls(**data)


# ---- events (frozen; one per thing that happened) -------------------------------------


@dataclass(frozen=True)
class LoadingEvent:
    """Weights are being resolved / downloaded / loaded. Byte counts are for downloads."""

    model: str
    message: str
    downloaded_bytes: int = 0
    total_bytes: int = 0
    type: str = field(default="loading", init=False)


@dataclass(frozen=True)
class StepEvent:
    """Denoising step `step` of `total` finished. `preview` is a PIL image (frames side
    by side) or None; `preview_path` is set where the caller asked for preview files."""

    step: int
    total: int
    elapsed_s: float
    eta_s: float
    preview: Any = None  # PIL.Image.Image | None (not serialised)
    preview_path: str | None = None
    type: str = field(default="step", init=False)


@dataclass(frozen=True)
class DecodingEvent:
    """Denoising is done; the VAE is decoding latents to frames."""

    message: str = "decoding"
    type: str = field(default="decoding", init=False)


@dataclass(frozen=True)
class FinishedEvent:
    result: GenerationResult
    type: str = field(default="finished", init=False)


@dataclass(frozen=True)
class CancelledEvent:
    step: int
    total: int
    type: str = field(default="cancelled", init=False)


@dataclass(frozen=True)
class FailedEvent:
    message: str
    type: str = field(default="failed", init=False)


EngineEvent = LoadingEvent | StepEvent | DecodingEvent | FinishedEvent | CancelledEvent | FailedEvent
EVENT_TYPES: tuple[str, ...] = ("loading", "step", "decoding", "finished", "cancelled", "failed")


def event_to_dict(event: EngineEvent) -> dict[str, Any]:
    """A JSON-friendly dict of an event (the PIL preview is dropped; its path stays)."""
    data: dict[str, Any] = {"type": event.type}
    for f in dataclasses.fields(event):
        if f.name in ("type", "preview"):
            continue
        value = getattr(event, f.name)
        data[f.name] = value.to_dict() if isinstance(value, GenerationResult) else value
    return data
