"""studio.jobs: "re-make as final". A draft clip is regenerated at another tier with the
same prompt, negative prompt, seed, size, frames, LoRAs and speed settings; the steps and
guidance go back to the new tier's defaults (the card's full settings for "final"). The
new job belongs to the same project and shot and carries the same labels."""

from __future__ import annotations

from typing import Any

from studio.jobs.service import JobService

TIER_OWNED = ("steps", "guidance", "guidance_2")  # what a tier sets; cleared so the new tier's defaults apply


def remake_params(params: dict[str, Any], tier: str) -> dict[str, Any]:
    """The job parameters of `params` re-made at `tier`."""
    out = {k: v for k, v in params.items() if k not in TIER_OWNED}
    out["tier"] = tier
    return out


def remake(jobs: JobService, job_id: str, tier: str = "final", priority: int | None = None,
           user: str | None = None) -> str:
    """Queue the clip of `job_id` again at `tier`; returns the new job's id. Asking twice
    returns the same new job (idempotent per source job and tier)."""
    job = jobs.get(job_id)
    if job["kind"] != "generate":
        raise ValueError(f"job {job['id']} is a {job['kind']} job; only a clip can be re-made.")
    if (job["params"] or {}).get("tier", "final") == tier:
        raise ValueError(f"job {job['id']} was already made at tier {tier}; choose the other tier.")
    labels = dict(job.get("labels") or {})
    tags = [t for t in labels.get("tags", []) if not t.startswith("remade-from-")]
    labels["tags"] = [*tags, f"remade-from-{job['id'][:8]}"]
    return jobs.submit(remake_params(job["params"], tier), priority=job["priority"] if priority is None else priority,
                       user=user, project_id=job["project_id"], shot_id=job["shot_id"], labels=labels,
                       idempotency_key=f"remake:{job['id']}:{tier}", max_attempts=job["max_attempts"])


def remake_own(jobs: JobService, user: str, job_id: str, tier: str = "final") -> str:
    """The studio's "Re-make as final": only the caller's finished clip job, queued as the
    caller's; another user's job reads as unknown."""
    from studio.db.records import get_or_create_user

    user_id = get_or_create_user(jobs.db, user)
    job = jobs.get(job_id, user_id=user_id)
    if job["user_id"] != user_id:
        raise ValueError(f"Job {job_id[:32]!r} is not known.")
    if job["status"] != "done":
        raise ValueError(f"Job {job['id'][:8]} is {job['status']}; only a finished clip can be re-made.")
    return remake(jobs, job["id"], tier=tier, user=user)
