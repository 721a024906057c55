"""studio.projects: "write prompts with the language model" for an existing project. Its
shots (as the user edited them) go to the planner as `plan` jobs on the workers
(studio.prompts.planning); each valid rewrite becomes the shot's prompt with the rule-based
one kept beside it, and an invalid one leaves the rule-based prompt with a warning on the
card (studio.prompts.planner.apply_rewrites). The studio process runs no model: it queues
the job and waits for the job's record, which the studio's mirror keeps current."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from studio.jobs.service import JobService
from studio.projects import repository as store

TERMINAL = ("done", "failed", "cancelled")


@dataclass
class RecordWaiter:
    """Waits for jobs by reading their records (the mirror thread writes them)."""

    jobs: JobService
    every_s: float = 0.25

    def wait_for(self, job_ids: list[str], timeout: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            rows = [self.jobs.get(i) for i in job_ids]
            if all(r["status"] in TERMINAL for r in rows):
                return rows
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs still running: {[r['id'][:8] for r in rows if r['status'] not in TERMINAL]}")
            time.sleep(self.every_s)


@dataclass
class _Side:  # what studio.prompts.planning needs of the studio's end of the queue
    jobs: JobService
    mirror: RecordWaiter


def rewrite_prompts(jobs: JobService, user: str, project_id: str, *, timeout_s: float = 600.0) -> dict[str, int]:
    """Rewrite every shot's prompt of the user's project with its chosen planner (project
    option `planner`); returns how many shots there were and how many were rewritten."""
    from studio.db.records import get_or_create_user
    from studio.prompts.planner import apply_rewrites, rewrite_messages
    from studio.prompts.planning import PlannerJobFailed, _run_job
    from studio.storyboard.model import Shot, Storyboard

    db = jobs.db
    flow = store.get_flow(db, get_or_create_user(db, user), project_id)
    planner = flow["options"].get("planner") or ""
    if not planner:
        raise ValueError("This project does not use a language model; turn on \"Write prompts with the language "
                         "model\" in its options first.")
    if not flow["shots"]:
        raise ValueError("This project has no shots to write prompts for.")
    known = {f.name for f in dataclasses.fields(Shot)}
    shots = []
    for entry in flow["shots"]:
        data = {k: v for k, v in entry["shot"].items() if k in known}
        data["prompt"] = data.get("rule_prompt") or data.get("prompt") or ""  # rewrite from the rule-based prompt
        data["warnings"] = [w for w in data.get("warnings") or [] if "language model" not in w]
        shots.append(Shot.from_dict(data))
    board = Storyboard(shots=shots, model=flow["options"]["model"])
    side = _Side(jobs, RecordWaiter(jobs))
    try:
        answers: list[str | None] = list(_run_job(side, planner, "rewrite",  # type: ignore[arg-type]
                                                  [rewrite_messages(s) for s in board.shots], 0, timeout_s, user,
                                                  project_id))
    except PlannerJobFailed as err:
        answers = [None] * len(board.shots)
        board.warnings.append(str(err))
    apply_rewrites(board, answers, planner)
    rewritten = 0
    for entry, shot in zip(flow["shots"], board.shots, strict=True):
        fresh = dict(entry["shot"])
        fresh.update(prompt=shot.prompt, rule_prompt=shot.rule_prompt, prompt_source=shot.prompt_source,
                     warnings=list(shot.warnings))
        rewritten += shot.prompt_source != "rules"
        store.write_shot(db, entry["id"], fresh)
    return {"shots": len(board.shots), "rewritten": rewritten}
