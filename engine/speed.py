"""engine: speed options, with honest labels.

`SPEED_OPTIONS` is the table the UI shows: each entry says whether it keeps the maths
exact or trades quality for speed. Exact: the attention backend (same attention, other
kernels) and regional `torch.compile` of the repeated transformer blocks. Lossy: the
caches diffusers ships (First Block Cache, MagCache, TaylorSeer), which skip or
extrapolate transformer work on some steps.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidRequest
from engine.types import SpeedOptions

# Backends the engine offers (diffusers' AttentionBackendName values). Availability
# depends on the machine (flash-attn / sageattention installed, a GPU); an unavailable
# backend fails with diffusers' own message. The *_hub kernels are left out: they
# download code at run time.
ATTENTION_BACKENDS: tuple[str, ...] = (
    "native", "_native_flash", "_native_efficient", "_native_cudnn", "_native_math", "flex",
    "flash", "_flash_3", "sage", "xformers",
)
CACHES: tuple[str, ...] = ("first_block", "mag", "taylorseer")

SPEED_OPTIONS: tuple[dict[str, Any], ...] = (
    {"key": "attention_backend", "label": "Attention kernel", "exact": True,
     "effect": "Same attention maths through a faster kernel (FlashAttention, cuDNN, SageAttention...).",
     "quality": "Unchanged (SageAttention quantises Q/K to int8: tiny differences).",
     "choices": ATTENTION_BACKENDS, "needs": "a CUDA GPU for most kernels"},
    {"key": "compile_blocks", "label": "Compile transformer blocks", "exact": True,
     "effect": "torch.compile of the repeated blocks (regional compile): 1.3-1.8x after a warm-up run.",
     "quality": "Unchanged.", "choices": (False, True), "needs": "a first run that compiles (tens of seconds)"},
    {"key": "cache", "value": "first_block", "label": "First Block Cache (trades quality for speed)", "exact": False,
     "effect": "Skips the remaining blocks when the first block's output barely changes: 1.8-3.9x on Wan.",
     "quality": "Lower: fine detail and motion can soften; threshold 0.05 (mild) to 0.2 (strong).",
     "choices": CACHES, "default_threshold": 0.05},
    {"key": "cache", "value": "mag", "label": "MagCache (trades quality for speed)", "exact": False,
     "effect": "Skips steps whose residual magnitude is predictable: 2.2-2.8x on Wan.",
     "quality": "Lower: PSNR about 20-24 dB against the uncached clip.", "choices": CACHES,
     "default_threshold": 0.06},
    {"key": "cache", "value": "taylorseer", "label": "TaylorSeer (trades quality for speed)", "exact": False,
     "effect": "Predicts block outputs by Taylor extrapolation between full steps (interval 5 by default).",
     "quality": "Lower: drift grows with the interval.", "choices": CACHES, "default_threshold": None},
)


def validate_speed(speed: SpeedOptions) -> None:
    if not isinstance(speed, SpeedOptions):
        raise InvalidRequest("speed", speed, "a SpeedOptions")
    if speed.attention_backend is not None and speed.attention_backend not in ATTENTION_BACKENDS:
        raise InvalidRequest("speed.attention_backend", speed.attention_backend, f"None or one of {', '.join(ATTENTION_BACKENDS)}")
    if not isinstance(speed.compile_blocks, bool):
        raise InvalidRequest("speed.compile_blocks", speed.compile_blocks, "true or false")
    if speed.cache is not None and speed.cache not in CACHES:
        raise InvalidRequest("speed.cache", speed.cache, f"None or one of {', '.join(CACHES)}")
    t = speed.cache_threshold
    if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t <= 1):
        raise InvalidRequest("speed.cache_threshold", t, "None or a number in (0, 1]")


def cache_config(speed: SpeedOptions, steps: int, mag_ratios: list[float] | None = None):
    """The diffusers cache config for `speed.cache`, or None."""
    if speed.cache is None:
        return None
    if speed.cache == "first_block":
        from diffusers import FirstBlockCacheConfig

        return FirstBlockCacheConfig(threshold=speed.cache_threshold or 0.05)
    if speed.cache == "mag":
        from diffusers import MagCacheConfig

        # MagCache needs per-checkpoint magnitude ratios; without published ones for a
        # model it calibrates on this run (no skipping) and logs them.
        if mag_ratios:
            return MagCacheConfig(threshold=speed.cache_threshold or 0.06, num_inference_steps=steps, mag_ratios=mag_ratios)
        return MagCacheConfig(threshold=speed.cache_threshold or 0.06, num_inference_steps=steps, calibrate=True)
    from diffusers import TaylorSeerCacheConfig

    return TaylorSeerCacheConfig()


def apply_call_speed(pipe, speed: SpeedOptions, steps: int) -> list:
    """Per-call options (attention backend, cache) on every transformer of `pipe`.
    Returns the transformers that got a cache, for `undo_call_speed`."""
    cached = []
    for name in ("transformer", "transformer_2"):
        model = getattr(pipe, name, None)
        if model is None:
            continue
        wanted = speed.attention_backend or "native"
        if getattr(model, "_shotline_attention", "native") != wanted:
            model.set_attention_backend(wanted)
            model._shotline_attention = wanted
        config = cache_config(speed, steps)
        if config is not None:
            model.enable_cache(config)
            cached.append(model)
    return cached


def undo_call_speed(cached: list) -> None:
    for model in cached:
        model.disable_cache()


def apply_load_speed(pipe, speed: SpeedOptions) -> None:
    """Options fixed at load time (they change the module): regional compile."""
    if speed.compile_blocks:
        for name in ("transformer", "transformer_2"):
            model = getattr(pipe, name, None)
            if model is not None:
                model.compile_repeated_blocks(fullgraph=True)
