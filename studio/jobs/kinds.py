"""studio.jobs: the kinds of work a worker runs, all on the one queue. `generate` is a clip
through the engine (one warm `engine.Engine` per worker process); `render` and `preview`
cut a timeline through the export room; `download` fetches a model's weights onto the
worker; `diagnostic` is an honest, cheap task the queue really runs (steps with a sleep,
optional failure modes), used to test and measure the queue's mechanics.

A kind is a function (params, RunContext) -> Outcome; it reports progress through
`ctx.on_event` with the engine's own event classes and honours `ctx.cancel`."""

from __future__ import annotations

import dataclasses
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import CancelToken, GenerationCancelled, GenerationRequest, InvalidRequest, OutOfMemory, StepEvent
from engine.types import MEMORY_MODES


@dataclass
class RunContext:
    """What a kind gets from the worker for one run."""

    job_id: str
    run_id: str
    memory_mode: str | None
    device: str | None
    cancel: CancelToken
    on_event: Callable[[Any], None]
    tmp_dir: Path
    worker: Any  # the JobRunner: holds the warm engine


@dataclass
class Outcome:
    """A finished run: metadata (JSON-friendly) and files to send back, by name."""

    metadata: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


def lower_memory_mode(mode: str | None) -> str | None:
    """The next exact memory mode that needs less device memory, or None at the lowest (a
    retry never switches to a lossy mode the user did not choose)."""
    from engine.quantize import EXACT_MODES

    order = [m for m in MEMORY_MODES if m in EXACT_MODES]
    if mode in (None, "auto"):
        return order[1]
    if mode not in order or mode == order[-1]:
        return None
    return order[order.index(mode) + 1]


def _png(image: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def run_generate(params: dict[str, Any], ctx: RunContext) -> Outcome:
    request = GenerationRequest.from_dict(params)
    out = ctx.tmp_dir / f"{ctx.run_id}.mp4"
    changes: dict[str, Any] = {"output_path": str(out)}
    if ctx.memory_mode:
        changes["memory_mode"] = ctx.memory_mode
    if ctx.device:
        changes["device"] = ctx.device
    request = dataclasses.replace(request, **changes)
    engine = ctx.worker.engine()
    try:
        result = engine.generate(request, on_event=ctx.on_event, cancel=ctx.cancel)
        data = Path(result.video_path).read_bytes()
    finally:
        out.unlink(missing_ok=True)
    return Outcome(metadata={"result": result.to_dict(), "request": request.to_dict()}, files={"video.mp4": data})


DIAGNOSTIC_FAILURES = ("error", "invalid", "crash")


def run_diagnostic(params: dict[str, Any], ctx: RunContext) -> Outcome:
    """`steps` steps of `step_s` seconds each, then echo `echo` back.

    `fail`: "error" raises a RuntimeError (transient: retried, then failed), "invalid" a
    permanent InvalidRequest, "crash" ends the worker process at step `crash_at`.
    `oom_above`: a memory mode; running in a mode that needs more memory than it raises
    the engine's OutOfMemory, as a small GPU would."""
    steps = int(params.get("steps", 1))
    step_s = float(params.get("step_s", 0.0))
    fail = params.get("fail")
    mode = ctx.memory_mode or "auto"
    oom_above = params.get("oom_above")
    if oom_above:
        order = [m for m in MEMORY_MODES if m != "auto"]
        used = order[0] if mode == "auto" else mode
        if order.index(used) < order.index(oom_above):
            raise OutOfMemory(f"Diagnostic: memory mode {used} needs more memory than this device has.", used)
    if fail == "invalid":
        raise InvalidRequest("fail", fail, "a diagnostic that fails permanently, as asked")
    start = time.monotonic()
    for step in range(1, steps + 1):
        if ctx.cancel.wait(step_s) if step_s > 0 else ctx.cancel.cancelled:
            raise GenerationCancelled(step - 1, steps)
        if fail == "crash" and step >= int(params.get("crash_at", 1)):
            os._exit(17)  # a worker dying mid-job, as an honest crash
        elapsed = time.monotonic() - start
        ctx.on_event(StepEvent(step=step, total=steps, elapsed_s=elapsed, eta_s=elapsed / step * (steps - step)))
    if fail == "error":
        raise RuntimeError("Diagnostic: failing as asked.")
    echo = str(params.get("echo", ""))
    return Outcome(metadata={"echo": echo, "steps": steps, "memory_mode": mode}, files={"echo.txt": echo.encode()})


def run_render_kind(params: dict[str, Any], ctx: RunContext) -> Outcome:
    from studio.export.jobs import run_render

    return run_render(params, ctx)


def run_download_kind(params: dict[str, Any], ctx: RunContext) -> Outcome:
    from studio.jobs.machine import run_download

    return run_download(params, ctx)


KINDS: dict[str, Callable[[dict[str, Any], RunContext], Outcome]] = {
    "generate": run_generate,
    "diagnostic": run_diagnostic,
    "render": run_render_kind,  # an export of a timeline (studio.export.jobs)
    "preview": run_render_kind,  # a quick low-resolution render of one
    "download": run_download_kind,  # a model's weights onto the worker that runs it (studio.jobs.machine)
}


def validate_diagnostic(params: dict[str, Any]) -> dict[str, Any]:
    known = {"steps", "step_s", "echo", "fail", "crash_at", "oom_above"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"diagnostic parameter(s) {unknown} are not known; accepted: {sorted(known)}.")
    steps = params.get("steps", 1)
    if not isinstance(steps, int) or not 0 <= steps <= 10_000:
        raise ValueError(f"steps {steps!r} is not accepted: a whole number from 0 to 10000.")
    if params.get("fail") not in (None, *DIAGNOSTIC_FAILURES):
        raise ValueError(f"fail {params.get('fail')!r} is not accepted: one of {', '.join(DIAGNOSTIC_FAILURES)}.")
    if params.get("oom_above") not in (None, *MEMORY_MODES):
        raise ValueError(f"oom_above {params.get('oom_above')!r} is not accepted: one of {', '.join(MEMORY_MODES)}.")
    return dict(params)


def run_plan_kind(params: dict[str, Any], ctx: RunContext) -> Outcome:
    from studio.jobs.plan import run_plan

    return run_plan(params, ctx)


KINDS["plan"] = run_plan_kind  # the language model: prompts and plans (studio.jobs.plan, studio.prompts.planner)
