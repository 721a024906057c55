"""studio.prompts: a storyboard with the optional language model, through the job queue.
The rule-based storyboard is made first; where the rule reader could not structure the
script, a `plan` job asks the model for the shots; then one `plan` job rewrites every
shot's prompt with Wan's prompt-extension instructions. Anything the model gets wrong
falls back to the rule-based result with a warning on the storyboard or the shot.

The planner is off unless a language model is chosen: on a CPU the real models are far
too slow, and the tiny planner only writes noise (it exists to test this path)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from studio.prompts.planner import (
    Plan,
    apply_rewrites,
    board_from_plan,
    needs_planner,
    parse_json,
    rewrite_messages,
    storyboard_messages,
)
from studio.storyboard.model import Storyboard

if TYPE_CHECKING:
    from studio.jobs import StudioSide
    from studio.prompts.characters import CharacterCard

class PlannerJobFailed(RuntimeError):
    """The plan job ended without answers (failed, cancelled or timed out)."""


def _run_job(side: StudioSide, model: str, task: str, conversations: list[list[dict[str, str]]], seed: int,
             timeout_s: float, user: str | None, project_id: str | None) -> list[str]:
    job_id = side.jobs.submit({"model": model, "task": task, "conversations": conversations, "seed": seed},
                              kind="plan", user=user, project_id=project_id, max_attempts=2)
    try:
        job = side.mirror.wait_for([job_id], timeout=timeout_s)[0]
    except TimeoutError:
        side.jobs.cancel(job_id)
        raise PlannerJobFailed(f"the {task} job did not finish within {timeout_s:g} s") from None
    if job["status"] != "done":
        raise PlannerJobFailed(f"the {task} job ended {job['status']}: {job.get('error') or 'no answer'}")
    result: Any = job.get("result") or {}
    answers = result.get("answers") if isinstance(result, dict) else None
    if not isinstance(answers, list) or len(answers) != len(conversations):
        raise PlannerJobFailed(f"the {task} job returned {len(answers or [])} answers for {len(conversations)} requests")
    return [a if isinstance(a, str) else "" for a in answers]


def plan_storyboard(side: StudioSide, script: str, planner: str, *, model: str | None = None,
                    style: str | None = None, characters: Sequence[CharacterCard] = (), seed: int = 0,
                    structure: bool | None = None, timeout_s: float = 600.0, user: str | None = None,
                    project_id: str | None = None) -> Storyboard:
    """A composed, safety-checked storyboard of `script` with the language model `planner`
    run on the workers. `structure`: ask the model for the shots (None: only where the rule
    reader could not structure the script)."""
    from engine.text import get_text_card
    from studio.prompts.compose import compose_storyboard
    from studio.prompts.presets import default_presets
    from studio.safety.policy import default_policy
    from studio.storyboard import DEFAULT_MODEL, build

    get_text_card(planner)  # an unknown planner is one sentence before any work
    model = model or DEFAULT_MODEL
    presets = default_presets()
    board = build(script, model=model, style=style, characters=characters, seed=seed, presets=presets)
    lang = "zh" if sum(s.language == "zh" for s in board.shots) * 2 >= len(board.shots) else "en"
    if structure or (structure is None and needs_planner(board, script)):
        why = ""
        try:
            answer = _run_job(side, planner, "storyboard", [storyboard_messages(script, lang)], seed, timeout_s,
                              user, project_id)[0]
            plan, why = parse_json(answer, Plan)
        except PlannerJobFailed as err:
            plan, why = None, str(err)
        if isinstance(plan, Plan):
            planned = board_from_plan(plan, model, lang)
            chosen = presets.style(style) if style else None
            compose_storyboard(planned, style=chosen, characters=characters, presets=presets)
            for shot in planned.shots:
                shot.seed = seed + shot.index - 1
            planned.warnings = [*board.warnings, f"The shots were structured by the language model ({planner})."]
            board = planned
        else:
            board.warnings.append(f"The language model ({planner}) could not structure the script: {why}. "
                                  "The rule reader's shots are kept.")
    try:
        answers: list[str | None] = list(_run_job(side, planner, "rewrite", [rewrite_messages(s) for s in board.shots],
                                                  seed, timeout_s, user, project_id))
    except PlannerJobFailed as err:
        answers = [None] * len(board.shots)
        board.warnings.append(f"The language model ({planner}) rewrote no prompt: {err}. The rule-based prompts are kept.")
    apply_rewrites(board, answers, planner)
    policy = default_policy()
    for shot in board.shots:
        result = policy.check(shot.prompt + "\n" + shot.subtitle)
        shot.safety = result.to_dict()
        if result.flagged and result.message not in shot.warnings:
            shot.warnings.append(result.message)
    return board
