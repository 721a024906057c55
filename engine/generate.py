"""engine: `Engine` (a warm pipeline) and `generate()`.

One call: validate the request (nothing loads before it passes), resolve the weights,
load or reuse the pipeline (kept warm per model + memory mode + device + compile),
run diffusers' `WanPipeline.__call__` with a step callback that emits `StepEvent`s with
a latent preview and raises to cancel (so no VAE decode follows a cancel), then write
the MP4 atomically with the generation metadata in its tags.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.cancel import CancelToken
from engine.embeddings import EmbeddingCache
from engine.errors import EngineError, GenerationCancelled, OutOfMemory
from engine.events import EventPump, EventSink
from engine.lora import AdapterSet, lora_metadata, materialise
from engine.memory import component_dtypes, default_device, oom_message, resolve_memory_mode
from engine.preview import LatentPreviewer, clean_estimate
from engine.speed import CallSpeed, apply_load_speed
from engine.types import (
    CancelledEvent,
    DecodingEvent,
    FailedEvent,
    FinishedEvent,
    GenerationRequest,
    GenerationResult,
    LoadingEvent,
    StepEvent,
)
from engine.validate import Resolved, resolve_request
from engine.video import write_mp4
from engine.weights import resolve_weights

log = logging.getLogger("shotline.engine")


class _Cancelled(Exception):
    """Raised inside the step callback to stop diffusers' loop before the VAE decode."""

    def __init__(self, step: int):
        self.step = step


def engine_version() -> str:
    from engine import __version__

    return __version__


def _metadata(r: Resolved, mode: str, device: str) -> dict[str, Any]:
    import diffusers

    return {
        "prompt": r.prompt, "negative_prompt": r.negative_prompt, "seed": r.seed, "model": r.card.id,
        "repo_id": r.card.repo_id, "revision": r.card.revision, "steps": r.steps, "guidance": r.guidance,
        "guidance_2": r.guidance_2, "flow_shift": r.flow_shift, "width": r.width, "height": r.height,
        "num_frames": r.num_frames, "fps": r.card.fps, "memory_mode": mode, "device": device,
        "speed": r.speed.to_dict(), "engine_version": engine_version(), "diffusers_version": diffusers.__version__,
    }


class Engine:
    """Holds one warm pipeline; `generate` reuses it while the model, memory mode,
    device and compile setting stay the same. One generation at a time per Engine."""

    def __init__(self) -> None:
        self._pipe = None
        self._key: tuple | None = None
        self._scheduler_config = None
        self._lock = threading.Lock()
        self.last_stats: dict[str, float] = {}
        self.adapters: AdapterSet | None = None  # the LoRAs loaded into the warm pipeline
        self.embeddings = EmbeddingCache()  # prompt embeddings of the warm pipeline

    @property
    def loaded_key(self) -> tuple | None:
        """(model, memory mode, device, compile_blocks) of the warm pipeline, or None."""
        return self._key

    def unload(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        self._pipe, self._key, self._scheduler_config = None, None, None
        self.adapters = None
        self.embeddings.clear()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001 - freeing memory is best effort
            pass

    def _pipeline(self, r: Resolved, mode: str, device: str, on_event: EventSink | None):
        key = (r.card.id, mode, device, r.speed.compile_blocks)
        if self._key == key and self._pipe is not None:
            return self._pipe
        self._drop()
        folder = resolve_weights(r.card.id, on_event)
        if on_event:
            on_event(LoadingEvent(model=r.card.id, message=f"loading {r.card.id} ({mode} on {device})"))
        import diffusers

        from engine.quantize import load_pipeline

        cls = getattr(diffusers, r.card.pipeline_class)
        pipe = load_pipeline(cls, r.card, Path(folder), mode, device, component_dtypes(r.card, device), on_event)
        pipe.set_progress_bar_config(disable=True)
        apply_load_speed(pipe, r.speed)
        self._pipe, self._key = pipe, key
        self.adapters = AdapterSet(pipe, two_experts=getattr(pipe, "transformer_2", None) is not None)
        self._scheduler_config = dict(pipe.scheduler.config)
        return pipe

    def _set_shift(self, pipe, shift: float) -> None:
        if pipe.scheduler.config.get("flow_shift") != shift:
            pipe.scheduler = type(pipe.scheduler).from_config({**self._scheduler_config, "flow_shift": shift})

    def generate(self, request: GenerationRequest, on_event: EventSink | None = None,
                 cancel: CancelToken | None = None, preview_dir: str | os.PathLike | None = None) -> GenerationResult:
        """Generate one clip. Raises InvalidRequest, WeightsUnavailable, OutOfMemory or
        GenerationCancelled. Events reach `on_event` in order: a validation failure on
        this thread, everything after on the engine's event thread (see engine.events);
        all are delivered before this returns or raises. With `preview_dir`, each step's
        preview is also saved there as a PNG (written before its StepEvent arrives)."""
        try:
            r = resolve_request(request)
        except EngineError as err:
            if on_event is not None:
                on_event(FailedEvent(message=str(err)))
            raise
        with self._lock:
            pump = EventPump(on_event)
            try:
                result = self._generate(r, pump, cancel, preview_dir)
            finally:
                pump.close()
                self.last_stats["preview_write_s"] = pump.write_s
            if pump.error is not None:
                raise pump.error
            return result

    def _generate(self, r: Resolved, pump: EventPump, cancel: CancelToken | None, preview_dir) -> GenerationResult:
        import torch

        emit = pump.emit
        self.last_stats = {}

        t0 = time.perf_counter()
        device = r.device or default_device()
        mode = "cpu"
        try:
            mode = resolve_memory_mode(r.card, r.memory_mode, device)
            if cancel is not None and cancel.cancelled:
                raise _Cancelled(0)
            loras = materialise(r.loras, r.card, emit)
            pipe = self._pipeline(r, mode, device, emit)
            self.adapters.apply(loras)
            t_enc = time.perf_counter()
            positive, negative, hit = self.embeddings.embeddings(pipe, key_of(self._key), r.prompt, r.negative_prompt,
                                                                 r.guidance, r.card.text_encoder_max_tokens)
            self.last_stats.update({"embedding_cache_hit": float(hit), "encode_s": time.perf_counter() - t_enc})

            self._set_shift(pipe, r.flow_shift)
            preview_folder = Path(preview_dir) if preview_dir is not None else None
            if preview_folder is not None:
                preview_folder.mkdir(parents=True, exist_ok=True)
            callback = _StepCallback(r, pump, cancel, preview_folder)
            generator = torch.Generator(device="cpu").manual_seed(r.seed)
            kwargs: dict[str, Any] = {}
            if r.guidance_2 is not None:
                kwargs["guidance_scale_2"] = r.guidance_2
            with CallSpeed(pipe, r.speed, r.steps, r.card.id) as speed:
                if speed.calibrating:
                    emit(LoadingEvent(model=r.card.id, message="MagCache: calibrating on this run (no speed-up yet)"))
                with torch.inference_mode():
                    out = pipe(
                        prompt_embeds=positive, negative_prompt_embeds=negative, height=r.height, width=r.width,
                        num_frames=r.num_frames, num_inference_steps=r.steps, guidance_scale=r.guidance,
                        generator=generator, output_type="np", callback_on_step_end=callback,
                        max_sequence_length=r.card.text_encoder_max_tokens, **kwargs,
                    )
            frames = out.frames[0]
            metadata = {**_metadata(r, mode, device), **lora_metadata(r.tier, loras)}
            target = r.output_path
            if target is None:
                fd, target = tempfile.mkstemp(prefix="shotline-", suffix=".mp4")
                os.close(fd)
            path = write_mp4(frames, target, r.card.fps, metadata)
        except _Cancelled as c:
            self._release_hooks()
            emit(CancelledEvent(step=c.step, total=r.steps))
            raise GenerationCancelled(c.step, r.steps) from None
        except torch.OutOfMemoryError:
            self._drop()
            message = oom_message(mode)
            emit(FailedEvent(message=message))
            raise OutOfMemory(message, mode) from None
        except EngineError as err:
            emit(FailedEvent(message=str(err)))
            raise
        except Exception as err:
            log.exception("generation failed")
            emit(FailedEvent(message=f"Generation failed: {type(err).__name__}: {err}"))
            raise
        elapsed = time.perf_counter() - t0
        self.last_stats.update({"elapsed_s": elapsed, **callback.stats()})
        result = GenerationResult(
            video_path=str(path), width=r.width, height=r.height, num_frames=int(frames.shape[0]),
            fps=r.card.fps, seed=r.seed, model=r.card.id, metadata=metadata, elapsed_s=elapsed,
        )
        emit(FinishedEvent(result=result))
        return result

    def _release_hooks(self) -> None:
        """After an aborted call, put offloaded models back to their resting place."""
        if self._pipe is not None and hasattr(self._pipe, "maybe_free_model_hooks"):
            try:
                self._pipe.maybe_free_model_hooks()
            except Exception:  # noqa: BLE001 - the next call re-applies hooks anyway
                log.debug("could not reset model hooks", exc_info=True)


def key_of(loaded_key: tuple | None) -> tuple:
    """The embedding-cache key part for a warm pipeline: the model id (the text encoder
    does not depend on memory mode, device placement aside, or compile)."""
    return (loaded_key[0], loaded_key[2]) if loaded_key else ()


class _StepCallback:
    """diffusers' `callback_on_step_end`: events, previews, cancellation."""

    def __init__(self, r: Resolved, pump: EventPump, cancel: CancelToken | None, preview_dir: Path | None):
        self.r, self.pump, self.cancel, self.preview_dir = r, pump, cancel, preview_dir
        self.previewer = LatentPreviewer(r.card.vae_family) if r.preview_every else None
        self.t_start = time.perf_counter()
        self.previous = None
        self.preview_s = 0.0
        self.previews = 0

    def stats(self) -> dict[str, float]:
        return {"preview_s": self.preview_s, "previews": float(self.previews)}

    def __call__(self, pipe, i: int, t, kwargs: dict) -> dict:
        if self.pump.error is not None:  # the caller's on_event failed: stop here
            raise self.pump.error
        latents = kwargs["latents"]
        total = self.r.steps
        step = i + 1
        image = path = save = None
        if self.previewer is not None and (step % self.r.preview_every == 0 or step == total):
            tp = time.perf_counter()
            x0 = clean_estimate(pipe.scheduler, latents, self.previous, i)
            image = self.previewer.to_image(x0 if x0 is not None else latents)
            self.preview_s += time.perf_counter() - tp
            self.previews += 1
            if self.preview_dir is not None:
                path = str(self.preview_dir / f"step-{step:03d}.png")
                save = _saver(image, path)
        if self.previewer is not None and getattr(pipe.scheduler, "model_outputs", None) is None:
            self.previous = latents  # only Euler-style schedulers need x_{t-1} for x0
        elapsed = time.perf_counter() - self.t_start
        eta = elapsed / step * (total - step)
        self.pump.emit(StepEvent(step=step, total=total, elapsed_s=elapsed, eta_s=eta, preview=image,
                                 preview_path=path), before=save)
        if self.cancel is not None and self.cancel.cancelled:
            raise _Cancelled(step)
        if step == total:
            self.pump.emit(DecodingEvent())
        return {}


def _saver(image, path: str) -> Callable[[], None]:
    return lambda: image.save(path, compress_level=1)


_DEFAULT_ENGINE = Engine()


def default_engine() -> Engine:
    """The process-wide engine that the module-level `generate` uses."""
    return _DEFAULT_ENGINE


def generate(request: GenerationRequest, on_event: EventSink | None = None, cancel: CancelToken | None = None,
             preview_dir: str | os.PathLike | None = None) -> GenerationResult:
    """Generate one clip on the process-wide warm `Engine` (see `Engine.generate`)."""
    return _DEFAULT_ENGINE.generate(request, on_event=on_event, cancel=cancel, preview_dir=preview_dir)
