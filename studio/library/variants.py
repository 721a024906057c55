"""studio.library: A/B variants — prompts x styles x seeds queued as jobs tagged with their
label, the board of their clips, and the winner a user picks."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.projects import repository as store


class VariantService:
    def __init__(self, conn: Connections, shots: Any, library: Any):
        self.conn = conn
        self.shots = shots  # studio.jobs.shots.ShotQueue: submits and lists jobs
        self.library = library  # LibraryService: whose clip is whose

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def queue_variants(self, user: str, project_id: str, prompts: list[str], styles: list[str | None],
                       seeds: list[int]) -> list[str]:
        """Prompts x styles x seeds as jobs tagged with their variant label."""
        from studio.prompts.variants import make_variants

        flow = store.get_flow(self.db, get_or_create_user(self.db, user), project_id, with_shots=False)
        opts = flow["options"]
        variants = make_variants([p for p in prompts if p.strip()], styles or [None], seeds, model=opts["model"])
        ids = []
        for v in variants:
            params = v.request.to_dict()
            params.update(width=opts["width"], height=opts["height"])
            if opts.get("steps"):
                params["steps"] = opts["steps"]
            if opts.get("max_frames"):
                params["num_frames"] = min(params.get("num_frames") or opts["max_frames"], opts["max_frames"])
            params.pop("output_path", None)
            labels = {"tags": ["variant", v.label]}
            if v.style:
                labels["style"] = v.style
            ids.append(self.shots.jobs.submit(params, user=user, project_id=project_id, labels=labels))
        return ids

    def variant_board(self, user: str, project_id: str) -> list[dict[str, Any]]:
        """Variant jobs of the project with their label, status, clip and whether it won."""
        won = {w["clip_id"] for w in store.winners(self.db, get_or_create_user(self.db, user), project_id)}
        out = []
        for job in self.shots.project_jobs(user, project_id):
            tags = (job.get("labels") or {}).get("tags") or []
            if "variant" not in tags:
                continue
            label = next((t for t in tags if t != "variant"), "")
            path = None
            if job.get("clip_id"):
                row = self.db.execute("SELECT path FROM clips WHERE id = ?", [job["clip_id"]]).fetchone()
                path = row[0] if row else None
            out.append({"job_id": job["id"], "label": label, "status": job["status"], "clip_id": job.get("clip_id"),
                        "path": path, "winner": job.get("clip_id") in won})
        return sorted(out, key=lambda v: v["label"])

    def pick_winner(self, user: str, project_id: str, clip_id: str, label: str = "") -> None:
        uid = get_or_create_user(self.db, user)
        store.get_flow(self.db, uid, project_id, with_shots=False)
        self.library.own_clip(user, clip_id)
        store.record_winner(self.db, uid, clip_id, project_id, label)
