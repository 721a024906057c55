"""engine: speed options, with honest labels.

`SPEED_OPTIONS` is the table the UI shows: each entry says whether it keeps the maths
exact or trades quality for speed. Exact: the attention backend (same attention, other
kernels) and regional `torch.compile` of the repeated transformer blocks. Lossy: the
caches diffusers ships (First Block Cache, MagCache, TaylorSeer), which skip or
extrapolate transformer work on some steps.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
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
     "quality": "Lower: PSNR about 20-24 dB against the uncached clip. The first run on a model calibrates "
                "(no speed-up) and stores the ratios.", "choices": CACHES,
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


def _mag_file(model_id: str):
    from engine.weights import models_dir

    return models_dir() / "magcache" / f"{model_id}.json"


def load_mag_ratios(model_id: str) -> list[float] | None:
    """MagCache magnitude ratios calibrated earlier for this model, or None."""
    path = _mag_file(model_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ratios = data.get("mag_ratios")
    return [float(x) for x in ratios] if isinstance(ratios, list) and len(ratios) > 1 else None


def parse_calibration(text: str) -> list[float] | None:
    """The first ratio list diffusers' MagCache calibration printed (cond pass), or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Calibration Complete" in line and i + 1 < len(lines):
            try:
                values = ast.literal_eval(lines[i + 1].strip())
            except (ValueError, SyntaxError):
                return None
            if isinstance(values, list) and all(isinstance(v, (int, float)) for v in values):
                return [float(v) for v in values]
    return None


class CallSpeed:
    """Per-call options on every transformer of a pipeline: the attention backend (kept
    until changed) and a cache (removed again on exit). With `cache="mag"` and no
    calibration yet for the model, the run calibrates (no skipping, same output as
    uncached) and stores the ratios under the models cache for the next runs."""

    def __init__(self, pipe, speed: SpeedOptions, steps: int, model_id: str):
        self.pipe, self.speed, self.steps, self.model_id = pipe, speed, steps, model_id
        self.cached: list = []
        self.calibrating = False
        self._stdout = io.StringIO()
        self._redirect = None

    def __enter__(self) -> CallSpeed:
        ratios = load_mag_ratios(self.model_id) if self.speed.cache == "mag" else None
        self.calibrating = self.speed.cache == "mag" and ratios is None
        for name in ("transformer", "transformer_2"):
            model = getattr(self.pipe, name, None)
            if model is None:
                continue
            wanted = self.speed.attention_backend or "native"
            if getattr(model, "_shotline_attention", "native") != wanted:
                model.set_attention_backend(wanted)
                model._shotline_attention = wanted
            config = cache_config(self.speed, self.steps, ratios)
            if config is not None:
                model.enable_cache(config)
                self.cached.append(model)
        if self.calibrating:  # diffusers prints the calibration result; keep it off stdout
            self._redirect = contextlib.redirect_stdout(self._stdout)
            self._redirect.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._redirect is not None:
            self._redirect.__exit__(None, None, None)
        for model in self.cached:
            model.disable_cache()
        if self.calibrating and exc_type is None:
            ratios = parse_calibration(self._stdout.getvalue())
            if ratios:
                path = _mag_file(self.model_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"mag_ratios": ratios, "steps": self.steps}), encoding="utf-8")
                tmp.replace(path)


def apply_load_speed(pipe, speed: SpeedOptions) -> None:
    """Options fixed at load time (they change the module): regional compile."""
    if speed.compile_blocks:
        for name in ("transformer", "transformer_2"):
            model = getattr(pipe, name, None)
            if model is not None:
                model.compile_repeated_blocks(fullgraph=True)
