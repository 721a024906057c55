"""engine: the Wan text-to-video models through diffusers.

Owns the model registry, weights (huggingface_hub, and the tiny test model built
locally), memory modes, speed options, latent previews and `generate()` with
typed events and cancellation. Never imports `studio` or `gradio`.
"""

__version__ = "0.1.0"

from engine.cancel import CancelToken  # noqa: E402
from engine.errors import (  # noqa: E402
    EngineError,
    GenerationCancelled,
    InvalidRequest,
    OutOfMemory,
    WeightsUnavailable,
)
from engine.generate import Engine, default_engine, generate  # noqa: E402
from engine.lora import LoraMismatch  # noqa: E402
from engine.models import ModelCard, get_card, list_cards  # noqa: E402
from engine.preview import LatentPreviewer  # noqa: E402
from engine.quantize import MEMORY_MODE_INFO  # noqa: E402
from engine.speed import ATTENTION_BACKENDS, CACHES, SPEED_OPTIONS  # noqa: E402
from engine.types import (  # noqa: E402
    EVENT_TYPES,
    MEMORY_MODES,
    TIERS,
    CancelledEvent,
    DecodingEvent,
    EngineEvent,
    FailedEvent,
    FinishedEvent,
    GenerationRequest,
    GenerationResult,
    LoadingEvent,
    LoraSpec,
    SpeedOptions,
    StepEvent,
    event_to_dict,
)
from engine.validate import resolve_request  # noqa: E402
from engine.video import read_frames, read_metadata, read_tags, write_mp4  # noqa: E402
from engine.weights import (  # noqa: E402
    download,
    fetch_command,
    load_tokenizer,
    models_dir,
    resolve_weights,
    weights_status,
)

__all__ = [
    "ATTENTION_BACKENDS",
    "CACHES",
    "EVENT_TYPES",
    "MEMORY_MODES",
    "MEMORY_MODE_INFO",
    "TIERS",
    "SPEED_OPTIONS",
    "CancelToken",
    "CancelledEvent",
    "DecodingEvent",
    "Engine",
    "EngineError",
    "EngineEvent",
    "FailedEvent",
    "FinishedEvent",
    "GenerationCancelled",
    "GenerationRequest",
    "GenerationResult",
    "InvalidRequest",
    "LatentPreviewer",
    "LoadingEvent",
    "LoraMismatch",
    "LoraSpec",
    "ModelCard",
    "OutOfMemory",
    "SpeedOptions",
    "StepEvent",
    "WeightsUnavailable",
    "default_engine",
    "download",
    "event_to_dict",
    "fetch_command",
    "generate",
    "get_card",
    "list_cards",
    "load_tokenizer",
    "models_dir",
    "read_frames",
    "read_metadata",
    "read_tags",
    "resolve_request",
    "resolve_weights",
    "weights_status",
    "write_mp4",
]
