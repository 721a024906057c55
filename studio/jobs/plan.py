"""studio.jobs: the `plan` kind. A worker runs the optional language model
(engine.text) on chat conversations the studio prepared (rewrite a shot's prompt, or
structure a free-form script) and sends the raw answers back; the studio checks them.
The model is loaded once per worker process and kept warm for the next job."""

from __future__ import annotations

import time
from typing import Any

from engine import GenerationCancelled, StepEvent

TASKS = ("rewrite", "storyboard")
MAX_CONVERSATIONS = 500
MAX_CHARS = 400_000


def validate_plan(params: dict[str, Any]) -> dict[str, Any]:
    """One sentence naming the field for anything a worker could not run."""
    from engine.text import get_text_card

    known = {"model", "task", "conversations", "seed"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"plan parameter(s) {unknown} are not known; accepted: {sorted(known)}.")
    get_text_card(str(params.get("model", "")))  # an unknown model names the known ones
    if params.get("task") not in TASKS:
        raise ValueError(f"task {params.get('task')!r} is not accepted: one of {', '.join(TASKS)}.")
    convs = params.get("conversations")
    if not isinstance(convs, list) or not 1 <= len(convs) <= MAX_CONVERSATIONS:
        raise ValueError(f"conversations must be a list of 1 to {MAX_CONVERSATIONS} message lists.")
    size = 0
    for i, conv in enumerate(convs):
        if not isinstance(conv, list) or not conv:
            raise ValueError(f"conversations[{i}] must be a non-empty list of messages.")
        for j, m in enumerate(conv):
            if not (isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                    and isinstance(m.get("content"), str)):
                raise ValueError(f"conversations[{i}][{j}] must have a role (system, user or assistant) and text.")
            size += len(m["content"])
    if size > MAX_CHARS:
        raise ValueError(f"the conversations hold {size:,} characters; at most {MAX_CHARS:,} are accepted.")
    seed = params.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed {seed!r} is not accepted: a whole number from 0 to 4294967295.")
    return dict(params)


def run_plan(params: dict[str, Any], ctx: Any) -> Any:
    from engine.text import TextModel
    from studio.jobs.kinds import Outcome

    models = getattr(ctx.worker, "text_models", None)
    if models is None:
        models = {}
        ctx.worker.text_models = models  # warm for the next plan job on this worker
    model = models.get(params["model"])
    if model is None:
        model = models[params["model"]] = TextModel(params["model"], device=ctx.device)
    convs = params["conversations"]
    answers: list[str] = []
    figures: list[dict[str, Any]] = []
    start = time.monotonic()
    for i, conv in enumerate(convs, start=1):
        if ctx.cancel.cancelled:
            raise GenerationCancelled(i - 1, len(convs))
        answer, fig = model.chat(conv, params["task"], seed=int(params.get("seed", 0)), cancel=ctx.cancel,
                                 on_event=ctx.on_event)
        answers.append(answer)
        figures.append(fig)
        elapsed = time.monotonic() - start
        ctx.on_event(StepEvent(step=i, total=len(convs), elapsed_s=elapsed, eta_s=elapsed / i * (len(convs) - i)))
    return Outcome(metadata={"model": params["model"], "task": params["task"], "answers": answers,
                             "figures": figures, "device": model.device})
