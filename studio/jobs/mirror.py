"""studio.jobs: the mirror, the studio side's half of the queue. It reads what workers
send back through the queue's storage (events, state, previews, results) and writes it
into SHOTLINE_HOME and the job records; it is also the supervisor that notices a lost
worker (a heartbeat that stopped changing) and requeues its job, and that re-enqueues a
queued record whose message was lost.

Every write is idempotent and guarded by the record's status (a terminal status never
changes), so replaying an event, or applying a result found in the storage after a
restart, never duplicates anything: a clip has UNIQUE(job_id), usage UNIQUE(kind, ref)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from studio import paths
from studio.db import open_database
from studio.db.migrations import transaction
from studio.jobs import chain
from studio.jobs.queue import QueueBackend, unframe
from studio.jobs.results import store_result
from studio.jobs.service import TERMINAL, JobService
from studio.metrics import Metrics
from studio.usage import record_usage

log = logging.getLogger("shotline.mirror")

BATCH = 500


class Mirror:
    """Apply worker reports to the studio database. `drain()` once (the CLI does this before
    it reads), or `start()` a thread that follows the queue until `stop()`."""

    def __init__(self, backend: QueueBackend, *, db_path: str | os.PathLike[str] | None = None,
                 heartbeat_s: float = 2.0, stale_after_s: float | None = None, orphan_check_s: float = 30.0,
                 metrics: Metrics | None = None):
        self.backend = backend
        self.db = open_database(db_path)
        self.jobs = JobService(self.db, backend)
        self.heartbeat_s = heartbeat_s
        self.stale_after_s = stale_after_s if stale_after_s is not None else max(5 * heartbeat_s, 3.0)
        self.orphan_check_s = orphan_check_s
        self.metrics = metrics
        self._seen: dict[str, tuple[Any, float]] = {}  # job -> (last beat seen, monotonic time it changed)
        self._next_sweep = 0.0
        self._next_orphan_check = time.monotonic() + orphan_check_s  # run() checks at once; drain() waits
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        # called with a job id once its record reaches done, failed or cancelled (the one-click
        # pipeline moves on these events); each listener's error is its own, logged once
        self.listeners: list[Callable[[str], None]] = []
        self._ended: list[str] = []
        if metrics is not None:
            metrics.bind_jobs(self._counts_for_metrics, backend.queue_length)

    def _counts_for_metrics(self) -> dict[str, int]:
        db = open_database(self.db_path)
        try:
            return JobService(db, self.backend).counts()
        finally:
            db.close()

    @property
    def db_path(self) -> str:
        return self.db.execute("PRAGMA database_list").fetchone()[2]

    # ---- loop -----------------------------------------------------------------------------
    def drain(self, max_events: int = 100_000) -> int:
        """Apply every event waiting now, then sweep if a sweep is due. Returns the count."""
        n = 0
        while n < max_events:
            batch = self._take(None, BATCH)
            if not batch:
                break
            self.apply_batch(batch)
            n += len(batch)
        self.sweep_if_due()
        return n

    def _take(self, first: dict[str, Any] | None, limit: int) -> list[dict[str, Any]]:
        batch = [first] if first is not None else []
        while len(batch) < limit:
            event = self.backend.next_event(block=False)
            if event is None:
                break
            batch.append(event)
        return batch

    def apply_batch(self, events: list[dict[str, Any]]) -> None:
        """Apply events in order, skipping a step event when a later step of the same run is
        in the batch, so a mirror that fell behind catches up at once."""
        last: dict[tuple[str, str], int] = {}
        for i, ev in enumerate(events):
            if ev.get("type") == "step":
                last[(ev.get("job_id", ""), ev.get("run_id", ""))] = i
        for i, ev in enumerate(events):
            if ev.get("type") == "step" and last[(ev.get("job_id", ""), ev.get("run_id", ""))] != i:
                continue
            self.apply(ev)

    def run(self, stop: threading.Event) -> None:
        """Follow the queue until `stop` is set: block on Redis; on SQLite poll with a short,
        growing delay (2 ms after an event, up to 10 ms when idle; an empty poll is a plain
        read, see WalSqliteStorage.dequeue)."""
        self.sweep(check_orphans=True)
        delay = 0.002
        while not stop.is_set():
            try:
                event = self.backend.next_event(block=self.backend.kind == "redis")
                if event is not None:
                    self.apply_batch(self._take(event, BATCH))
                    delay = 0.002
                elif self.backend.kind != "redis":
                    stop.wait(delay)
                    delay = min(delay * 1.5, 0.01)
                self.sweep_if_due()
            except Exception:  # noqa: BLE001 - the mirror must outlive one bad event or a busy database
                log.exception("mirror step failed")
                stop.wait(0.5)

    def start(self) -> Mirror:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name="shotline-mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self.db.close()

    def wait_for(self, job_ids: Iterable[str], timeout: float = 60.0) -> list[dict[str, Any]]:
        """Block until every job is done, failed or cancelled (drains itself when no thread
        runs). Raises TimeoutError naming the jobs still live."""
        ids = list(job_ids)
        deadline = time.monotonic() + timeout
        while True:
            if self._thread is None:
                self.drain()
            jobs = [self.jobs.get(i) for i in ids]
            live = [j["id"] for j in jobs if j["status"] not in TERMINAL]
            if not live:
                return jobs
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"jobs still live after {timeout} s: {', '.join(live)}")
            with self._changed:
                self._changed.wait(min(left, 0.05))

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # ---- events ---------------------------------------------------------------------------
    def apply(self, event: dict[str, Any]) -> None:
        """Apply one worker report (idempotent)."""
        if event.get("type") == "worker":  # a worker's report about its machine, not about a job
            from studio.jobs.fleet import record_worker

            record_worker(self.db, event)
            return
        job_id = event.get("job_id", "")
        row = self.db.execute("SELECT 1 FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row is None:
            log.warning("event for an unknown job ignored", extra={"job_id": job_id, "type": event.get("type")})
            return
        handler = getattr(self, f"_on_{event.get('type')}", None)
        if handler is None:
            log.warning("unknown event type ignored", extra={"job_id": job_id, "type": event.get("type")})
            return
        self._seen[job_id] = (("event", time.monotonic()), time.monotonic())
        handler(self.jobs.get(job_id), event)
        self._notify()
        self._tell_listeners()

    def _tell_listeners(self) -> None:
        ended, self._ended = self._ended, []
        for job_id in ended:
            for listener in self.listeners:
                try:
                    listener(job_id)
                except Exception:  # noqa: BLE001 - a listener's failure never stops the mirror
                    log.exception("job listener failed", extra={"job_id": job_id})

    def _on_started(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        at = ev.get("at") or time.time()
        with transaction(self.db):
            self.db.execute("INSERT OR IGNORE INTO job_runs (run_id, job_id, slot, attempt, worker, memory_mode,"
                            " started_at) VALUES (?,?,?,?,?,?,?)",
                            [ev["run_id"], job["id"], ev["slot"], ev["attempt"], ev.get("worker"),
                             ev.get("memory_mode"), at])
            self.db.execute(
                "UPDATE jobs SET status='running', run_id=?, slot=?, attempt=?, attempts=MAX(attempts, ?), worker=?,"
                " started_at=COALESCE(started_at, ?), heartbeat_at=?, progress_step=0, progress_total=0,"
                " progress_message='started' WHERE id=? AND status IN ('queued','running') AND slot <= ?",
                [ev["run_id"], ev["slot"], ev["attempt"], ev["attempt"], ev.get("worker"), at, time.time(), job["id"],
                 ev["slot"]])
        if self.metrics is not None and job["started_at"] is None:
            self.metrics.queue_wait.labels(job["kind"]).observe(max(at - job["created_at"], 0.0))

    def _progress(self, job: dict[str, Any], ev: dict[str, Any], message: str) -> None:
        if job["status"] != "running" or ev["run_id"] != job["run_id"]:
            return
        fields: dict[str, Any] = {"progress_message": message, "heartbeat_at": time.time()}
        if "step" in ev:
            fields.update(progress_step=ev["step"], progress_total=ev["total"])
        if ev.get("has_preview"):
            preview = self.backend.get_bytes(f"preview:{job['id']}")
            if preview:
                fields["preview_path"] = str(_write_atomic(paths.media_dir("previews") / job["id"] / "latest.png",
                                                           preview))
        sets = ", ".join(f"{k}=?" for k in fields)
        self.db.execute(f"UPDATE jobs SET {sets} WHERE id=? AND status='running' AND run_id=?",
                        [*fields.values(), job["id"], ev["run_id"]])

    def _on_step(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        self._progress(job, ev, f"step {ev['step']} of {ev['total']}")

    def _on_loading(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        self._progress(job, ev, str(ev.get("message") or "loading"))

    def _on_decoding(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        self._progress(job, ev, "decoding")

    def _end_run(self, job: dict[str, Any], ev: dict[str, Any], outcome: str) -> None:
        """Close the run's record and count its device time once."""
        secs = float(ev.get("device_seconds") or 0.0)
        self.db.execute("INSERT OR IGNORE INTO job_runs (run_id, job_id, slot, attempt, worker, started_at)"
                        " VALUES (?,?,?,?,?,?)", [ev["run_id"], job["id"], ev.get("slot", job["slot"]),
                                                  ev.get("attempt", job["attempt"]), ev.get("worker"), ev.get("at")])
        self.db.execute("UPDATE job_runs SET ended_at=?, outcome=?, error=?, device_seconds=?, recorded_at=?"
                        " WHERE run_id=?", [ev.get("at") or time.time(), outcome, ev.get("error"), secs, time.time(),
                                            ev["run_id"]])
        if secs and record_usage(self.db, "device_seconds", secs, ref=ev["run_id"], user_id=job["user_id"],
                                 project_id=job["project_id"], device=ev.get("device")):
            self.db.execute("UPDATE jobs SET device_seconds = device_seconds + ? WHERE id=?", [secs, job["id"]])
            if self.metrics is not None:
                self.metrics.job_duration.labels(job["kind"], outcome).observe(secs)

    def _on_finished(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        blob = self.backend.get_bytes(f"result:{job['id']}")
        with transaction(self.db):
            self._end_run(job, ev, "finished")
            status = self.db.execute("SELECT status FROM jobs WHERE id=?", [job["id"]]).fetchone()[0]
            if status in TERMINAL or blob is None:
                if status not in TERMINAL:
                    self._set_terminal(job, "failed", "The worker reported a result that never arrived.", "ResultLost")
                blob = None
            else:
                header, files = unframe(blob)
                clip_id, result = store_result(self.db, job, header, files)
                self.db.execute("UPDATE jobs SET status='done', result=?, clip_id=?, finished_at=?, error=NULL,"
                                " error_kind=NULL, progress_step=MAX(progress_step, progress_total),"
                                " progress_message='done' WHERE id=?", [result, clip_id, ev.get("at") or time.time(),
                                                                        job["id"]])
                self.db.execute("UPDATE job_runs SET recorded_at=? WHERE run_id=?", [time.time(), ev["run_id"]])
                self._ended.append(job["id"])
                if self.metrics is not None:
                    self.metrics.completed.labels(job["kind"], "done").inc()
        self.backend.forget(job["id"])
        self._seen.pop(job["id"], None)
        self._release_chains()  # the chained part after it starts from its last frame

    def _set_terminal(self, job: dict[str, Any], status: str, error: str | None, error_kind: str | None,
                      at: float | None = None) -> None:
        cur = self.db.execute(
            "UPDATE jobs SET status=?, error=?, error_kind=?, finished_at=? WHERE id=? AND status IN ('queued','running')",
            [status, error, error_kind, at or time.time(), job["id"]])
        if cur.rowcount:
            self._ended.append(job["id"])
        if cur.rowcount and self.metrics is not None:
            self.metrics.completed.labels(job["kind"], status).inc()
            if status == "failed":
                self.metrics.failures.labels(job["kind"], error_kind or "error").inc()

    def _on_failed(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        with transaction(self.db):
            self._end_run(job, ev, "failed")
            self._set_terminal(job, "failed", ev.get("error"), ev.get("error_kind"), ev.get("at"))
        self.backend.forget(job["id"])
        self._seen.pop(job["id"], None)
        self._release_chains()  # parts waiting for it fail with a sentence

    def _on_cancelled(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        with transaction(self.db):
            if not ev.get("before_start"):
                self._end_run(job, ev, "cancelled")
            step = ev.get("step", 0)
            self._set_terminal(job, "cancelled", f"Cancelled at step {step} of {ev.get('total', 0)}."
                               if not ev.get("before_start") else "Cancelled before it started.", None, ev.get("at"))
        self.backend.forget(job["id"])
        self._seen.pop(job["id"], None)
        self._release_chains()

    def _on_retry(self, job: dict[str, Any], ev: dict[str, Any], outcome: str = "retry") -> None:
        """The worker scheduled the next attempt itself (with backoff, or a lower memory mode)."""
        with transaction(self.db):
            self._end_run(job, ev, outcome)
            cur = self.db.execute(
                "UPDATE jobs SET status='queued', run_id=?, slot=?, attempt=?, memory_mode=?, error=?, error_kind=?,"
                " worker=NULL, progress_step=0, progress_total=0, progress_message=?, queued_at=?"
                " WHERE id=? AND status IN ('queued','running') AND slot < ?",
                [ev["next_run_id"], ev["next_slot"], ev["next_attempt"], ev.get("next_memory_mode"), ev.get("error"),
                 ev.get("error_kind"), f"retrying in {ev.get('delay_s', 0):.0f} s", time.time(), job["id"],
                 ev["next_slot"]])
        if cur.rowcount == 0 and job["status"] in TERMINAL:
            self.backend.revoke(ev["next_run_id"])
        if self.metrics is not None:
            self.metrics.retries.labels(ev.get("error_kind") or "error").inc()

    def _on_lost(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        """A worker's supervisor found this run's worker gone and enqueued the next slot."""
        self._seen.pop(job["id"], None)
        self._on_retry(job, ev, outcome="lost")

    def _on_interrupted(self, job: dict[str, Any], ev: dict[str, Any]) -> None:
        """The worker was asked to stop mid-run: requeue at once; no attempt is spent."""
        with transaction(self.db):
            self._end_run(job, ev, "interrupted")
        self._requeue(job, ev.get("slot", job["slot"]), ev.get("attempt", job["attempt"]), "worker stopped", "interrupted")

    def _release_chains(self) -> None:
        """Chained parts (studio.jobs.chain). Reading a last frame or joining a shot's clips
        runs ffmpeg here; time spent on it is not counted against the workers' heartbeats."""
        started = time.monotonic()
        try:
            chain.release_ready(self.jobs)
        except Exception:  # noqa: BLE001 - one bad chain must not stop the mirror; the next sweep retries
            log.exception("releasing chained parts failed")
        if time.monotonic() - started > min(self.heartbeat_s, 1.0):
            now = time.monotonic()
            self._seen = {job_id: (beat, now) for job_id, (beat, _at) in self._seen.items()}

    # ---- supervision ----------------------------------------------------------------------
    def _requeue(self, job: dict[str, Any], from_slot: int, attempt: int, why: str, reason: str) -> None:
        job = self.jobs.get(job["id"])
        if job["status"] in TERMINAL or job["slot"] > from_slot:
            return
        if job["cancel_requested"]:
            with transaction(self.db):
                self._set_terminal(job, "cancelled", f"Cancelled ({why}).", None)
            self.backend.forget(job["id"])
            return
        run_id = uuid.uuid4().hex
        with transaction(self.db):
            cur = self.db.execute(
                "UPDATE jobs SET status='queued', run_id=?, slot=?, attempt=?, worker=NULL, progress_step=0,"
                " progress_total=0, progress_message=?, queued_at=? WHERE id=? AND status IN ('queued','running')"
                " AND slot = ?", [run_id, from_slot + 1, attempt, f"requeued: {why}", time.time(), job["id"], from_slot])
        if cur.rowcount:
            self.backend.enqueue(JobService.message_for(job, run_id=run_id, slot=from_slot + 1, attempt=attempt))
            log.info("job requeued", extra={"job_id": job["id"], "why": why, "attempt": attempt})
            if self.metrics is not None:
                self.metrics.retries.labels(reason).inc()
        self._seen.pop(job["id"], None)

    def sweep_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self.sweep(check_orphans=now >= self._next_orphan_check)

    def sweep(self, check_orphans: bool = False) -> None:
        """Recover from lost events (apply states found in the storage), requeue jobs whose
        worker stopped beating, and (with `check_orphans`) re-enqueue queued records with no message."""
        now = time.monotonic()
        self._next_sweep = now + min(self.heartbeat_s, 1.0)
        statuses = ("running", "queued") if check_orphans else ("running",)
        rows = self.db.execute(f"SELECT id FROM jobs WHERE status IN ({','.join('?' * len(statuses))})",
                               list(statuses)).fetchall()
        pending: set[str] | None = None
        for (job_id,) in rows:
            job = self.jobs.get(job_id)
            if job["status"] in TERMINAL:
                continue
            state = self.backend.get_json(f"state:{job_id}")
            if state is not None and state.get("slot", 0) >= job["slot"] and state.get("run_id"):
                self._recover_from_state(job, state)
                job = self.jobs.get(job_id)
            if job["status"] == "running":
                self._check_heartbeat(job, state, now)
            elif job["status"] == "queued" and check_orphans:
                if pending is None:
                    pending = self.backend.pending_run_ids()
                self._check_orphan(job, pending)
        if check_orphans:
            self._release_chains()  # parts whose predecessor ended while no mirror ran
            self._next_orphan_check = now + self.orphan_check_s
        self._tell_listeners()

    def _recover_from_state(self, job: dict[str, Any], state: dict[str, Any]) -> None:
        ev = {**state, "job_id": job["id"], "type": state["status"]}
        if state["status"] == "running":
            if job["status"] == "queued" or job["run_id"] != state["run_id"]:
                self._on_started(job, {**ev, "at": state.get("started_at")})
        elif state["status"] in ("finished", "failed", "cancelled", "retry", "interrupted", "lost"):
            if state["status"] in ("retry", "lost") and job["slot"] >= state.get("next_slot", 0):
                return
            if job["status"] == "queued" and job["slot"] > state.get("slot", 0):
                return
            getattr(self, f"_on_{state['status']}")(job, ev)
        self._notify()

    def _check_heartbeat(self, job: dict[str, Any], state: dict[str, Any] | None, now: float) -> None:
        beat = (state.get("run_id"), state.get("beat")) if state else None
        seen = self._seen.get(job["id"])
        if seen is None or (beat is not None and seen[0] != beat):
            self._seen[job["id"]] = (beat, now)
            if seen is not None:
                self.db.execute("UPDATE jobs SET heartbeat_at=? WHERE id=?", [time.time(), job["id"]])
            return
        if now - seen[1] < self.stale_after_s:
            return
        from studio.jobs.supervise import lost_key

        if not self.backend.storage.put_if_empty(lost_key(job["id"], job["slot"]), b"studio"):
            return  # a worker's supervisor has declared this run lost; its report is on the way
        if job["attempt"] >= job["max_attempts"]:
            with transaction(self.db):
                self.db.execute("UPDATE job_runs SET ended_at=?, outcome='lost' WHERE run_id=? AND ended_at IS NULL",
                                [time.time(), job["run_id"]])
                self._set_terminal(job, "failed", f"The worker running it stopped responding {job['attempt']} times;"
                                   " the job was given up.", "WorkerLost")
            self.backend.forget(job["id"])
            self._seen.pop(job["id"], None)
            self._notify()
            return
        self.db.execute("UPDATE job_runs SET ended_at=?, outcome='lost' WHERE run_id=? AND ended_at IS NULL",
                        [time.time(), job["run_id"]])
        self._requeue(job, job["slot"], job["attempt"] + 1, "its worker stopped responding", "worker_lost")
        self._notify()

    def _check_orphan(self, job: dict[str, Any], pending: set[str]) -> None:
        if chain.is_held(self.db, job["id"]):
            return  # a chained part waiting for the clip before it has no message by design
        if job["run_id"] in pending or time.time() - job["queued_at"] < self.stale_after_s:
            return
        if self.backend.storage.has_data_for_key(f"claim:{job['id']}:{job['slot']}"):
            return  # a worker has it; its state will tell
        log.warning("queued job had no message; enqueued again", extra={"job_id": job["id"]})
        self.backend.enqueue(JobService.message_for(job, run_id=job["run_id"]))


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path
