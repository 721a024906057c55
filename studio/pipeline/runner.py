"""studio.pipeline: the one-click path — script -> storyboard -> every shot queued -> when
the last clip is done, the timeline -> an export job -> the final cut recorded. It moves
on job events: the mirror calls `job_ended` when a job reaches done, failed or cancelled,
the pipeline's own thread takes it from a queue (so a slow step never holds up the
mirror), and only that job's project is looked at (no loop over every flow). Its state is the
project's row in the database, so a closed browser loses nothing, and `recover()` at
start-up moves on any project whose jobs ended while the studio was down.

One project's error fails that project alone, with one sentence to its owner, and is
logged once; another user's one-click never waits on it."""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.records import save_timeline
from studio.jobs.queue import QueueBackend
from studio.jobs.service import JobService
from studio.projects import repository as store
from studio.timeline.assemble import timeline_for

log = logging.getLogger("shotline.pipeline")
MAX_SENTENCE = 300  # what a flow's error may hold; a user's own text can be far longer


def sentence(err: BaseException) -> str:
    """The error as one sentence for its owner, cut to MAX_SENTENCE characters."""
    text = " ".join((str(err).strip() or type(err).__name__).split())
    if len(text) > MAX_SENTENCE:
        text = text[:MAX_SENTENCE - 1].rstrip() + "…"
    return text if text.endswith((".", "。", "!", "?", "…")) else text + "."


class Pipeline:
    """Carries one-click projects forward. `one_click` starts one; `job_ended` moves one on."""

    def __init__(self, conn: Connections, backend: QueueBackend, *, projects: Any = None, shots: Any = None):
        self.conn = conn
        self.backend = backend
        self.projects = projects  # studio.projects.ProjectService
        self.shots = shots  # studio.jobs.shots.ShotQueue
        self._events: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    # ---- lifecycle: one thread that blocks on the job events it is handed -------------------
    def start(self) -> Pipeline:
        """Move projects on in a thread of their own, so building a timeline or handing a render
        its files never holds up the mirror. Without `start()`, `job_ended` works inline."""
        self._thread = threading.Thread(target=self._follow, name="shotline-pipeline", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._events.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _follow(self) -> None:
        while (job_id := self._events.get()) is not None:
            try:
                self._job_ended_now(job_id)
            except Exception:  # noqa: BLE001 - the thread outlives one bad event; the log has it
                log.exception("moving a project on failed", extra={"job_id": job_id})

    def one_click(self, user: str, script: str, **options: Any) -> str:
        """Script -> storyboard -> every shot queued; the export follows the last clip. Returns the project id."""
        pid = self.projects.create_from_script(user, script, auto_export=True, **options)[0]
        self.shots.queue_all(user, pid)
        return pid

    # ---- events -----------------------------------------------------------------------------
    def job_ended(self, job_id: str) -> None:
        """A job reached done, failed or cancelled: move its project on (if it is a one-click's)."""
        if self._thread is not None:
            self._events.put(job_id)
        else:
            self._job_ended_now(job_id)

    def _job_ended_now(self, job_id: str) -> None:
        db = self.conn.db
        row = db.execute("SELECT project_id FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row and row[0]:
            self.advance_project(row[0])

    def recover(self) -> None:
        """At start-up: move on every live project once (their jobs may have ended while the studio was down)."""
        rows = self.conn.db.execute("SELECT project_id FROM flows WHERE status IN ('generating', 'exporting')")
        for (project_id,) in rows.fetchall():
            self.advance_project(project_id)

    def advance_project(self, project_id: str) -> None:
        """Move one project on; any error fails this project alone (logged once, a sentence to its owner)."""
        db = self.conn.db
        flow = store.flow_by_id(db, project_id)
        if flow is None:
            return
        try:
            if flow["status"] in ("generating", "failed"):
                self._advance_generating(db, flow)
            elif flow["status"] == "exporting":
                self._advance_exporting(db, flow)
        except Exception as err:  # noqa: BLE001 - one project's failure is its own, never the pipeline's
            message = sentence(err)
            if not isinstance(err, ValueError):
                log.exception("one-click step failed", extra={"project_id": project_id})
            else:
                log.warning("one-click step refused: %s", message, extra={"project_id": project_id})
            store.update_flow(db, project_id, status="failed", error=message, message="stopped", auto_export=False)

    def _advance_generating(self, db: sqlite_utils.Database, flow: dict[str, Any]) -> None:
        if flow["status"] == "failed" and flow.get("export_job_id"):
            return  # the export failed: the Export page shows why; a retried shot moves it on (regenerate_shot)
        entries = flow["shots"]
        ids = [e.get("job_id") for e in entries]
        if not entries or not all(ids):
            return
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT id, status, error FROM jobs WHERE id IN ({marks})", ids).fetchall()
        by_id = {r[0]: (r[1], r[2]) for r in rows}
        statuses = [by_id.get(i, ("failed", "The job record is missing."))[0] for i in ids]
        bad = next((k for k, s in enumerate(statuses) if s in ("failed", "cancelled")), None)
        done = statuses.count("done")
        if bad is not None:
            status, error = by_id.get(ids[bad], ("failed", ""))
            message = f"Shot {bad + 1} {status}: {error or status} Retry it on the Generate page."
            if flow["status"] != "failed" or flow.get("error") != message:
                store.update_flow(db, flow["project_id"], status="failed", error=message,
                                  message=f"{done} of {len(ids)} clips done")
            return
        if flow["status"] == "failed":  # the failed shot was retried
            store.update_flow(db, flow["project_id"], status="generating", error=None)
        if done < len(ids):
            store.update_flow(db, flow["project_id"], message=f"{done} of {len(ids)} clips done")
            return
        if not flow["auto_export"]:
            store.update_flow(db, flow["project_id"], status="ready", message="every clip is done")
            return
        from studio.export.renders import submit_render

        # claimed first: a project moved on from two threads at once exports once
        claimed = db.execute("UPDATE flows SET status = 'exporting', export_job_id = NULL, message = ?, updated_at = ?"
                             " WHERE project_id = ? AND status IN ('generating', 'failed') AND auto_export = 1",
                             ["building the timeline", time.time(), flow["project_id"]]).rowcount
        if not claimed:
            return
        data = timeline_for(db, flow)
        tid = save_timeline(db, flow["project_id"], data, name=flow.get("name", ""), timeline_id=flow.get("timeline_id"))
        store.update_flow(db, flow["project_id"], timeline_id=tid)
        user = db.execute("SELECT name FROM users WHERE id = ?", [flow["user_id"]]).fetchone()
        job_id = submit_render(JobService(db, self.backend), data, preset=data["preset"], preview=False,
                               user=user[0] if user else None, project_id=flow["project_id"], timeline_id=tid)
        store.update_flow(db, flow["project_id"], export_job_id=job_id, message="exporting the final cut")

    def _advance_exporting(self, db: sqlite_utils.Database, flow: dict[str, Any]) -> None:
        if not flow.get("export_job_id"):  # stopped between claiming the export and queueing it: again
            store.update_flow(db, flow["project_id"], status="generating")
            self._advance_generating(db, {**flow, "status": "generating"})
            return
        job = JobService(db, self.backend).get(flow["export_job_id"])
        # one click exports once: later changes (a regenerated shot) wait for an export asked for by hand
        if job["status"] == "done":
            store.update_flow(db, flow["project_id"], status="done", export_id=(job["result"] or {}).get("export_id"),
                              message="the final cut is ready", error=None, auto_export=False)
        elif job["status"] in ("failed", "cancelled"):
            store.update_flow(db, flow["project_id"], status="failed", error=job["error"] or "The export stopped.",
                              message="export failed", auto_export=False)
