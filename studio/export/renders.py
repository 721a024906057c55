"""studio.export: the studio side of renders — ask for an export (or a quick preview) of a
project's timeline as a job on the one queue, list a user's renders and exports, and file
a finished render (`store_render`, called by the mirror inside its transaction): the cut
under SHOTLINE_HOME/media/exports (previews under media/previews), its sidecars and OTIO
beside it, its fingerprint, and (for an export) the exports row counted in usage."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import sqlite_utils

from studio import paths
from studio.db.connections import Connections
from studio.db.records import get_or_create_user, record_export
from studio.export.jobs import RENDER_KINDS, input_name, timeline_sources
from studio.jobs.queue import QueueBackend
from studio.jobs.service import JobService
from studio.projects import repository as store

EXPORT_PRIORITY = 5  # a cut someone waits for goes ahead of clips queued at the default priority
PREVIEW_PRIORITY = 10


class RenderService:
    def __init__(self, conn: Connections, backend: QueueBackend, timelines: Any):
        self.conn = conn
        self.backend = backend
        self.timelines = timelines  # studio.timeline.service.TimelineService

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def request_render(self, user: str, project_id: str, preset: str | None = None, preview: bool = False) -> str:
        """Queue an export (or a quick low-resolution preview) of the project's timeline as a
        render job; returns the job id."""
        from studio.export.presets import get_preset

        data = self.timelines.timeline(user, project_id)
        flow = store.get_flow(self.db, get_or_create_user(self.db, user), project_id, with_shots=False)
        preset = "gif-preview" if preview else (preset or data.get("preset") or "720p")
        get_preset(preset)
        return submit_render(JobService(self.db, self.backend), data, preset=preset, preview=preview, user=user,
                             project_id=project_id, timeline_id=flow["timeline_id"],
                             priority=PREVIEW_PRIORITY if preview else EXPORT_PRIORITY)

    def renders(self, user: str, project_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The user's render, preview and download jobs, newest first (the pages' background tasks)."""
        uid = get_or_create_user(self.db, user)
        kinds = (kind,) if kind else (*RENDER_KINDS, "download")
        sql = f"SELECT id FROM jobs WHERE user_id = ? AND kind IN ({','.join('?' * len(kinds))})"
        args: list[Any] = [uid, *kinds]
        if project_id:
            store.get_flow(self.db, uid, project_id, with_shots=False)
            sql, args = sql + " AND project_id = ?", [*args, project_id]
        rows = self.db.execute(sql + " ORDER BY seq DESC LIMIT 50", args).fetchall()
        jobs = JobService(self.db, self.backend)
        return [task_view(jobs.get(r[0])) for r in rows]

    def render(self, user: str, job_id: str) -> dict[str, Any]:
        """One of the user's render jobs as the pages show it."""
        job = JobService(self.db, self.backend).get(job_id)
        if job["user_id"] != get_or_create_user(self.db, user) or job["kind"] not in (*RENDER_KINDS, "download"):
            raise ValueError(f"Task {job_id!r} is not known.")
        return task_view(job)

    def exports(self, user: str, project_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM exports WHERE user_id = ?", [get_or_create_user(self.db, user)]
        if project_id:
            sql, args = sql + " AND project_id = ?", [*args, project_id]
        cur = self.db.execute(sql + " ORDER BY created_at DESC", args)
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            r["metadata"] = json.loads(r["metadata"] or "{}")
        return rows

    def export(self, user: str, export_id: str) -> dict[str, Any]:
        for row in self.exports(user):
            if row["id"] == export_id:
                return row
        raise ValueError(f"Export {export_id!r} is not known.")


def submit_render(jobs: JobService, data: dict[str, Any], *, preset: str, preview: bool, user: str | None,
                  project_id: str, timeline_id: str | None, priority: int = 0) -> str:
    """A render job for a timeline document; its files travel with it through the queue.
    A clip held by the frame safety check stops it here (every export and preview comes this way)."""
    from studio.safety.live import refuse_held

    refuse_held(jobs.db, [c["source"] for c in data.get("clips") or []])
    inputs = {}
    for i, source in enumerate(timeline_sources(data)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"The file {path.name!r} of this timeline is missing; rebuild the timeline.")
        inputs[input_name(i, source)] = path.read_bytes()
    params = {"timeline": data, "preset": preset, "timeline_id": timeline_id, "preview": preview}
    return jobs.submit(params, kind="preview" if preview else "render", priority=priority, user=user,
                       project_id=project_id, max_attempts=2, inputs=inputs)


def task_view(job: dict[str, Any]) -> dict[str, Any]:
    """A render or download job in the shape the pages' task tables read."""
    total = job.get("progress_total") or 0
    progress = 100.0 if job["status"] == "done" else (100.0 * job["progress_step"] / total if total else 0.0)
    result = job.get("result") if isinstance(job.get("result"), dict) else {}
    return {"id": job["id"], "kind": job["kind"], "status": job["status"], "progress": progress,
            "message": job.get("progress_message") or "", "error": job.get("error"), "result": result or {},
            "project_id": job.get("project_id"), "created_at": job.get("created_at")}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def store_render(db: sqlite_utils.Database, job: dict[str, Any], header: dict[str, Any],
                 files: dict[str, bytes]) -> str:
    """File a finished render (inside the mirror's transaction); returns the job's result JSON."""
    meta = header.get("metadata") or {}
    params = job["params"]
    if "output" not in files:
        raise ValueError(f"render job {job['id']} finished without its file.")
    preview = job["kind"] == "preview"
    out = paths.new_media_path("previews" if preview else "exports", meta.get("suffix") or ".mp4")
    sidecars = {key: str(_write(out.with_suffix(suffix), files[f"sidecar.{key}"]))
                for key, suffix in (meta.get("sidecars") or {}).items() if f"sidecar.{key}" in files}
    if "otio" in files:
        sidecars["otio"] = str(_write(out.with_suffix(".otio"), files["otio"]))
    _write(out, files["output"])
    info: dict[str, Any] = {"path": str(out), "preset": meta.get("preset"), "duration_s": meta.get("duration_s"),
                            "content_id": meta.get("content_id"), "sidecars": sidecars}
    if meta.get("content_id") and meta.get("fingerprint"):
        # the worker fingerprinted its copy; the studio's table names the studio's file
        db["export_fingerprints"].upsert(
            {"content_id": meta["content_id"], "path": str(out), "created": time.time(),
             "duration_s": meta.get("duration_s") or 0.0, "model": meta.get("model") or "",
             "hashes": json.dumps([format(int(h), "016x") for h in meta["fingerprint"]])}, pk="content_id")
    if not preview:
        info["verify"] = meta.get("verify")
        info["export_id"] = record_export(
            db, str(out), meta.get("container") or "mp4", project_id=job.get("project_id"),
            timeline_id=params.get("timeline_id"), user_id=job.get("user_id"), duration_s=meta.get("duration_s"),
            size_bytes=out.stat().st_size, metadata={k: v for k, v in info.items() if k != "path"})
    return json.dumps(info, ensure_ascii=False, default=str)
