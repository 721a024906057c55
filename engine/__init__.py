"""engine: the Wan text-to-video models through diffusers.

Owns the model registry, weights (huggingface_hub, and the tiny test model built
locally), memory modes, speed options, latent previews and `generate()` with
typed events and cancellation. Never imports `studio` or `gradio`.
"""

from engine.cancel import CancelToken
from engine.errors import (
    EngineError,
    GenerationCancelled,
    InvalidRequest,
    OutOfMemory,
    WeightsUnavailable,
)
from engine.models import ModelCard, get_card, list_cards
from engine.types import (
    EVENT_TYPES,
    MEMORY_MODES,
    CancelledEvent,
    DecodingEvent,
    EngineEvent,
    FailedEvent,
    FinishedEvent,
    GenerationRequest,
    GenerationResult,
    LoadingEvent,
    SpeedOptions,
    StepEvent,
    event_to_dict,
)

__version__ = "0.1.0"

__all__ = [
    "EVENT_TYPES",
    "MEMORY_MODES",
    "CancelToken",
    "CancelledEvent",
    "DecodingEvent",
    "EngineError",
    "EngineEvent",
    "FailedEvent",
    "FinishedEvent",
    "GenerationCancelled",
    "GenerationRequest",
    "GenerationResult",
    "InvalidRequest",
    "LoadingEvent",
    "ModelCard",
    "OutOfMemory",
    "SpeedOptions",
    "StepEvent",
    "WeightsUnavailable",
    "event_to_dict",
    "get_card",
    "list_cards",
]
