"""studio.jobs: supervision that needs no studio. Every `shotline worker` runs a small
`Supervisor` thread that looks at the queue's storage (SQLite or Redis, the same storage
the worker already uses) for runs whose worker stopped beating, and requeues each such
run exactly once, so a SIGKILLed worker's job finishes even when only `shotline jobs
submit` and `shotline worker` are running.

How it decides: a run's `state:<job>` (written by its worker) carries a beat counter and
the work order itself. A supervisor remembers when it last saw each running state's beat
change, on its own monotonic clock (no clocks are compared across machines); a beat that
stays the same for `stale_after_s` means the worker is gone. Before acting, the
supervisor takes `lost:<job>:<slot>` with put-if-empty: of all the supervisors (and the
studio's mirror, which takes the same key), exactly one requeues a given run. It writes
the run's outcome into the state and the events channel as a `lost` report (the mirror
applies it to the job record whenever it next runs) and enqueues the next slot; the
per-slot claim stops any duplicate from running. A run that has spent its attempts is
failed instead, with one sentence."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from studio.jobs.queue import Message, QueueBackend

log = logging.getLogger("shotline.supervisor")


def lost_key(job_id: str, slot: int) -> str:
    return f"lost:{job_id}:{slot}"


def running_states(backend: QueueBackend) -> dict[str, dict[str, Any]]:
    """job id -> its latest state, for every run a worker reported as running."""
    storage = backend.storage
    if backend.kind == "redis":
        keys = [k.decode() for k in storage.conn.hkeys(storage.result_key) if k.startswith(b"state:")]
    else:
        keys = [r[0] for r in storage.sql("select key from kv where queue = ? and key like 'state:%'",
                                          (storage.name,), results=True)]
    out = {}
    for key in keys:
        state = backend.get_json(key)
        if state and state.get("status") == "running":
            out[key.split(":", 1)[1]] = state
    return out


class Supervisor:
    """Requeue runs whose worker stopped beating. `sweep()` once, or `start()` a thread."""

    def __init__(self, backend: QueueBackend, *, heartbeat_s: float = 2.0, stale_after_s: float | None = None,
                 name: str | None = None):
        self.backend = backend
        self.every_s = min(heartbeat_s, 1.0)
        self.stale_after_s = stale_after_s if stale_after_s is not None else max(5 * heartbeat_s, 3.0)
        self.name = name or f"supervisor-{uuid.uuid4().hex[:8]}"
        self._seen: dict[str, tuple[Any, float]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> list[str]:
        """One look; returns the ids of the jobs this supervisor requeued or failed."""
        now = time.monotonic()
        states = running_states(self.backend)
        for gone in set(self._seen) - set(states):
            self._seen.pop(gone, None)
        acted = []
        for job_id, state in states.items():
            beat = (state.get("run_id"), state.get("slot"), state.get("beat"))
            seen = self._seen.get(job_id)
            if seen is None or seen[0] != beat:
                self._seen[job_id] = (beat, now)
                continue
            if now - seen[1] < self.stale_after_s or not state.get("message"):
                continue  # beating, or a state from a worker that carries no work order
            if not self.backend.storage.put_if_empty(lost_key(job_id, int(state["slot"])), self.name.encode()):
                continue  # another supervisor (or the studio) has it
            self._seen.pop(job_id, None)
            self._requeue(job_id, state)
            acted.append(job_id)
        return acted

    def _requeue(self, job_id: str, state: dict[str, Any]) -> None:
        msg = Message(**state["message"])
        at = time.time()
        report = {"job_id": job_id, "run_id": msg.run_id, "slot": msg.slot, "attempt": msg.attempt,
                  "worker": state.get("worker"), "at": at, "sent": at, "device_seconds": 0.0,
                  "error_kind": "WorkerLost", "supervisor": self.name}
        if self.backend.cancel_requested(job_id):
            report.update(type="cancelled", step=state.get("step", 0), total=state.get("total", 0))
            self.backend.put_json(f"state:{job_id}", {**state, "status": "cancelled", "ended_at": at})
            self.backend.publish(report)
            return
        if msg.attempt >= msg.max_attempts:
            error = f"The worker running it stopped responding {msg.attempt} times; the job was given up."
            report.update(type="failed", error=error)
            self.backend.put_json(f"state:{job_id}", {**state, "status": "failed", "ended_at": at, "error": error})
            self.backend.publish(report)
            log.warning("job failed: its workers kept stopping", extra={"job_id": job_id})
            return
        retry = Message(**{**msg.to_dict(), "run_id": uuid.uuid4().hex, "slot": msg.slot + 1,
                           "attempt": msg.attempt + 1})
        report.update(type="lost", error="its worker stopped responding", next_run_id=retry.run_id,
                      next_slot=retry.slot, next_attempt=retry.attempt, next_memory_mode=retry.memory_mode, delay_s=0)
        self.backend.put_json(f"state:{job_id}", {**state, "status": "lost", "ended_at": at,
                                                 **{k: v for k, v in report.items() if k.startswith("next_")}})
        self.backend.publish(report)
        self.backend.enqueue(retry)
        log.info("job requeued: its worker stopped responding", extra={"job_id": job_id, "slot": retry.slot})

    def run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - supervision must outlive a busy database or a dropped connection
                log.exception("supervisor sweep failed")
                self._stop.wait(1.0)

    def start(self) -> Supervisor:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="shotline-supervisor", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
