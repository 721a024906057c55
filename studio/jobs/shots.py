"""studio.jobs: a storyboard's shots as generation jobs — queue every shot, regenerate one,
and steer a user's jobs (cancel, retry, priority). Each shot's parameters come from the
project's options and the user's settings; the shot row records its job (one store)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.jobs import chain
from studio.jobs.queue import QueueBackend
from studio.jobs.service import JobService
from studio.projects import repository as store


class ShotQueue:
    """Queue and steer the jobs of a user's projects."""

    def __init__(self, conn: Connections, backend: QueueBackend):
        self.conn = conn
        self.backend = backend
        self.on_job_ended: Callable[[str], None] | None = None  # the pipeline, told of a cancel done here

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    @property
    def jobs(self) -> JobService:
        return JobService(self.db, self.backend)

    def user_id(self, user: str) -> str:
        return get_or_create_user(self.db, user)

    def project(self, user: str, project_id: str) -> dict[str, Any]:
        return store.get_flow(self.db, self.user_id(user), project_id)

    def _params(self, user: str, flow: dict[str, Any], shot: dict[str, Any]) -> dict[str, Any]:
        from engine import get_card
        from studio.loras import generation_extras
        from studio.prompts.presets import default_presets

        opts = flow["options"]
        settings = store.get_settings(self.db, self.user_id(user))
        card = get_card(opts["model"])
        frames = int(shot.get("num_frames") or card.default_frames)
        cap = settings.get("max_frames") or opts.get("max_frames")
        if cap:
            frames = min(frames, 4 * ((int(cap) - 1) // 4) + 1)
        speed = {k: settings[k] for k in ("attention_backend", "cache") if settings.get(k)}
        style = default_presets().styles.get(shot.get("style") or opts.get("style") or "")
        extras = generation_extras(opts["model"], opts, shot, style.loras_for(opts["model"]) if style else None)
        return {"prompt": shot["prompt"], "model": opts["model"], "negative_prompt": shot.get("negative_prompt") or None,
                "width": opts["width"], "height": opts["height"], "num_frames": max(1, min(frames, card.max_frames)),
                "steps": settings.get("steps") or opts.get("steps"), "seed": int(shot.get("seed", 0)),
                "memory_mode": settings.get("memory_mode") or "auto", "speed": speed, **extras,
                **self._images(shot)}

    @staticmethod
    def _images(shot: dict[str, Any]) -> dict[str, str]:
        """The card's own start / end image (studio.projects.cards); a continued shot's start
        frame is the previous clip's last frame instead, handed over by the chain."""
        out = {"last_image": shot["last_image"]} if shot.get("last_image") else {}
        if shot.get("image") and not shot.get("continues"):
            out["image"] = shot["image"]
        return out

    def _submit_shot(self, user: str, flow: dict[str, Any], entry: dict[str, Any], priority: int = 0) -> str:
        shot = entry["shot"]
        if (shot.get("safety") or {}).get("blocked"):
            raise ValueError(f"Shot {shot.get('index')} is blocked by the safety policy: "
                             f"{shot['safety'].get('message', '')} Edit it before queueing.")
        labels = {"shot_text": shot.get("text", ""), "characters": list(shot.get("characters") or [])}
        if shot.get("style"):
            labels["style"] = shot["style"]
        # one shot = one chain: a shot longer than one clip of the model is several clips that
        # continue one another, joined into the shot's one clip (studio.jobs.chain)
        params = self._params(user, flow, shot)
        after = None
        if shot.get("continues"):
            before = self._entry_before(flow, entry)
            after = before.get("job_id") if before else None
        duration = shot.get("duration_s")
        planned = chain.submit_shot(self.jobs, params, duration_s=float(duration) if duration else None, after=after,
                                    priority=priority, user=user, project_id=flow["project_id"], shot_id=entry["id"],
                                    labels=labels, idempotency_key=f"{entry['id']}:{uuid.uuid4().hex}",
                                    max_frames=self._frame_cap(user, flow))
        return planned.job_ids[-1]

    def _frame_cap(self, user: str, flow: dict[str, Any]) -> int | None:
        settings = store.get_settings(self.db, self.user_id(user))
        cap = settings.get("max_frames") or flow["options"].get("max_frames")
        return int(cap) if cap else None

    @staticmethod
    def _entry_before(flow: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any] | None:
        ids = [e["id"] for e in flow["shots"]]
        at = ids.index(entry["id"])
        return flow["shots"][at - 1] if at > 0 else None

    def _cancel_shot(self, job_id: str) -> None:
        for part in chain.sibling_jobs(self.db, job_id):
            self.jobs.cancel(part)

    def queue_all(self, user: str, project_id: str, priority: int = 0) -> list[str]:
        """Queue every shot that has no live or finished job; the whole storyboard in one click."""
        flow = self.project(user, project_id)
        shots = flow["shots"]
        blocked = [e["shot"] for e in shots if (e["shot"].get("safety") or {}).get("blocked")]
        if blocked:
            raise ValueError(f"Shot {blocked[0].get('index')} is blocked by the safety policy: "
                             f"{blocked[0]['safety'].get('message', '')} Edit it before queueing.")
        queued = []
        for entry in shots:
            job = self.jobs.get(entry["job_id"]) if entry.get("job_id") else None
            state = chain.shot_state(self.db, job["id"]) if job else None
            if job is None or job["status"] in ("failed", "cancelled") or (state and state[0] == "failed"):
                entry["job_id"] = self._submit_shot(user, flow, entry, priority)
                store.set_shot_job(self.db, entry["id"], entry["job_id"])
                queued.append(entry["job_id"])
        store.update_flow(self.db, project_id, status="generating", error=None,
                          message=f"{len(shots)} shot(s) in the queue")
        return queued

    def regenerate_shot(self, user: str, project_id: str, shot_id: str, new_seed: bool = True) -> str:
        """Generate one shot again (with the next seed unless `new_seed` is False)."""
        flow = self.project(user, project_id)
        entry = next((e for e in flow["shots"] if e["id"] == shot_id), None)
        if entry is None:
            raise ValueError(f"Shot {shot_id!r} is not in this storyboard.")
        if new_seed:
            entry["shot"]["seed"] = (int(entry["shot"].get("seed", 0)) + 1) % 2**32
            store.write_shot(self.db, entry["id"], entry["shot"])
        if entry.get("job_id"):
            self._cancel_shot(entry["job_id"])
        entry["job_id"] = self._submit_shot(user, flow, entry)
        store.set_shot_job(self.db, entry["id"], entry["job_id"])
        if flow["status"] not in ("draft",):
            store.update_flow(self.db, project_id, status="generating", error=None)
        return entry["job_id"]

    def _own_job(self, user: str, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id, user_id=self.user_id(user))
        if job["user_id"] != self.user_id(user):
            raise ValueError(f"Job {job_id!r} is not known.")
        return job

    def cancel_job(self, user: str, job_id: str) -> str:
        job_id = self._own_job(user, job_id)["id"]
        for part in chain.sibling_jobs(self.db, job_id):  # a shot's chained clips go together
            if part != job_id:
                self.jobs.cancel(part)
        status = self.jobs.cancel(job_id)
        if status == "cancelled" and self.on_job_ended is not None:  # a running job's end comes from its worker
            self.on_job_ended(job_id)
        return status

    def set_priority(self, user: str, job_id: str, priority: int) -> None:
        self.jobs.set_priority(self._own_job(user, job_id)["id"], int(priority))

    def retry_job(self, user: str, job_id: str) -> str:
        """Run a failed or cancelled job again as a new job (same shot, same settings)."""
        job = self._own_job(user, job_id)
        if job["status"] not in ("failed", "cancelled"):
            raise ValueError(f"Job {job['id'][:8]} is {job['status']}; only a failed or cancelled job can be retried.")
        if job["shot_id"] and job["project_id"]:
            flow = self.project(user, job["project_id"])
            for entry in flow["shots"]:
                if entry["id"] == job["shot_id"]:
                    return self.regenerate_shot(user, job["project_id"], entry["id"], new_seed=False)
        return self.jobs.submit(job["params"], priority=job["priority"], user=user, project_id=job["project_id"],
                                labels=job.get("labels") or {})

    def project_jobs(self, user: str, project_id: str | None = None) -> list[dict[str, Any]]:
        """The user's clip jobs (of one project, or all): renders and downloads share the queue
        but are listed by studio.export.renders."""
        uid = self.user_id(user)
        if project_id:
            self.project(user, project_id)
            return [j for j in self.jobs.list(project_id=project_id, limit=500) if j["kind"] == "generate"]
        rows = self.db.execute("SELECT id FROM jobs WHERE user_id = ? AND kind = 'generate' ORDER BY seq DESC"
                               " LIMIT 200", [uid]).fetchall()
        return [self.jobs.get(r[0]) for r in rows]
