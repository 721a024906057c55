"""studio.jobs: the worker process. `run_worker()` is `shotline worker`: a huey consumer
with one worker thread (one job at a time per device) whose runner keeps one warm
`engine.Engine` across jobs. Everything a run produces (progress, previews, the MP4,
errors) goes back through the queue's storage, never through a shared disk or the
database, so the same code serves a local worker and one on another machine. Each worker
also runs a Supervisor (supervise.py) that requeues the runs of workers that died.

Retry policy lives here, where the error is seen: OutOfMemory -> once more with the next
lower memory mode; other unexpected errors -> again with backoff up to the budget;
InvalidRequest / WeightsUnavailable / any ValueError (bad input, a policy block) -> failed
at once. A worker that dies is noticed by the other workers' supervisors and by the studio's
mirror, whichever sees it first (exactly one requeues it)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from huey.consumer import Consumer

from engine import GenerationCancelled, OutOfMemory, StepEvent, WeightsUnavailable, event_to_dict
from studio import paths
from studio.jobs.kinds import KINDS, Outcome, RunContext, lower_memory_mode
from studio.jobs.queue import Message, QueueBackend, frame

log = logging.getLogger("shotline.worker")

RETRY_BASE_S = 1.0
RETRY_MAX_S = 60.0


def retry_delay(attempt: int, base: float = RETRY_BASE_S) -> float:
    """Backoff before attempt `attempt + 1`: base, 2x base, 4x base ... capped."""
    return min(base * (2 ** max(attempt - 1, 0)), RETRY_MAX_S)


def is_permanent(err: BaseException) -> bool:
    """Errors that another try cannot fix: bad input (InvalidRequest is a ValueError, and so is
    a policy block), or weights that are not there."""
    return isinstance(err, (ValueError, WeightsUnavailable))


class JobRunner:
    """Runs one message at a time for a worker process and reports through the storage."""

    def __init__(self, backend: QueueBackend, *, worker_id: str | None = None, device: str | None = None,
                 heartbeat_s: float = 2.0, poll_s: float = 0.25, retry_base_s: float = RETRY_BASE_S,
                 threads: int | None = None):
        self.backend = backend
        self.threads = threads
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.device = device
        self.heartbeat_s = heartbeat_s
        self.poll_s = min(poll_s, heartbeat_s)
        self.retry_base_s = retry_base_s
        self.tmp_dir = paths.media_dir("tmp") / f"worker-{uuid.uuid4().hex}"
        self._engine: Any = None
        self._current: tuple[Message, Any] | None = None
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    def engine(self) -> Any:
        """The warm engine of this process, made on first use (the studio side never loads one)."""
        if self._engine is None:
            import engine

            if self.threads:
                import torch

                torch.set_num_threads(self.threads)
            self._engine = engine.Engine()
        return self._engine

    # ---- one run -------------------------------------------------------------------------
    def __call__(self, msg: Message) -> None:
        q = self.backend
        if self._stopping.is_set():
            q.enqueue(msg)  # dequeued while shutting down: put it back, unclaimed
            return
        if q.cancel_requested(msg.job_id):
            q.publish(self._event(msg, "cancelled", step=0, total=0, before_start=True))
            return
        if not q.claim(msg.job_id, msg.slot, self.worker_id):
            log.info("duplicate message skipped", extra={"job_id": msg.job_id, "slot": msg.slot})
            return
        self._idle.clear()
        try:
            self._run_claimed(msg)
        finally:
            self._idle.set()

    def _run_claimed(self, msg: Message) -> None:
        from engine import CancelToken

        q = self.backend
        token = CancelToken()
        started = time.time()
        state = {"run_id": msg.run_id, "slot": msg.slot, "attempt": msg.attempt, "worker": self.worker_id,
                 "status": "running", "step": 0, "total": 0, "beat": 0, "started_at": started,
                 "memory_mode": msg.memory_mode, "device": self.device,
                 "message": msg.to_dict()}  # the work order, for a supervisor to requeue if this process dies
        lock = threading.Lock()
        q.put_json(f"state:{msg.job_id}", state)
        q.publish(self._event(msg, "started", at=started, memory_mode=msg.memory_mode, device=self.device))
        self._current = (msg, token)
        done = threading.Event()
        monitor = threading.Thread(target=self._monitor, args=(msg, token, state, lock, done), daemon=True,
                                   name=f"monitor-{msg.job_id[:8]}")
        monitor.start()

        def on_event(event: Any) -> None:
            data = event_to_dict(event)
            if isinstance(event, StepEvent):
                preview = self._preview_bytes(event)
                if preview is not None:
                    q.put_bytes(f"preview:{msg.job_id}", preview)
                    data["has_preview"] = True
                data.pop("preview_path", None)
                with lock:
                    state.update(step=event.step, total=event.total)
            elif data["type"] not in ("loading", "decoding"):
                return  # finished / failed / cancelled: the run's outcome is reported below, once
            q.publish(self._event(msg, data.pop("type"), **data))

        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        ctx = RunContext(msg.job_id, msg.run_id, msg.memory_mode, self.device, token, on_event, self.tmp_dir, self)
        try:
            outcome = KINDS[msg.kind](msg.params, ctx)
        except GenerationCancelled as err:
            kind = "interrupted" if self._stopping.is_set() and not q.cancel_requested(msg.job_id) else "cancelled"
            self._finish(msg, state, lock, done, kind, started, step=err.step, total=err.total)
        except BaseException as err:  # noqa: BLE001 - every failure becomes a job outcome
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                done.set()
                raise
            self._fail_or_retry(msg, err, state, lock, done, started)
        else:
            self._deliver(msg, outcome, state, lock, done, started)
        finally:
            self._current = None

    def _deliver(self, msg: Message, outcome: Outcome, state: dict, lock: threading.Lock, done: threading.Event,
                 started: float) -> None:
        header = {"job_id": msg.job_id, "run_id": msg.run_id, "metadata": outcome.metadata,
                  "device_seconds": time.time() - started, "device": self.device, "worker": self.worker_id}
        self.backend.put_bytes(f"result:{msg.job_id}", frame(header, outcome.files))
        self._finish(msg, state, lock, done, "finished", started)

    def _fail_or_retry(self, msg: Message, err: BaseException, state: dict, lock: threading.Lock,
                       done: threading.Event, started: float) -> None:
        text = str(err) or type(err).__name__
        if is_permanent(err):
            log.info("job failed permanently", extra={"job_id": msg.job_id, "error": text})
            self._finish(msg, state, lock, done, "failed", started, error=text, error_kind=type(err).__name__)
            return
        next_mode = msg.memory_mode
        if isinstance(err, OutOfMemory):
            next_mode = lower_memory_mode(err.memory_mode)
            if next_mode is None:
                self._finish(msg, state, lock, done, "failed", started, error=f"{text} No lower memory mode is left.",
                             error_kind="OutOfMemory")
                return
        if msg.attempt >= msg.max_attempts:
            log.warning("job failed after its retry budget", exc_info=err, extra={"job_id": msg.job_id})
            self._finish(msg, state, lock, done, "failed", started,
                         error=f"{text} (gave up after {msg.attempt} attempts)", error_kind=type(err).__name__)
            return
        log.warning("job will be retried", exc_info=err, extra={"job_id": msg.job_id})
        retry = Message(**{**msg.to_dict(), "run_id": uuid.uuid4().hex, "slot": msg.slot + 1,
                           "attempt": msg.attempt + 1, "memory_mode": next_mode})
        delay = 0.0 if isinstance(err, OutOfMemory) else retry_delay(msg.attempt, self.retry_base_s)
        self._finish(msg, state, lock, done, "retry", started, error=text, error_kind=type(err).__name__,
                     next_run_id=retry.run_id, next_slot=retry.slot, next_attempt=retry.attempt,
                     next_memory_mode=next_mode, delay_s=delay)
        self.backend.enqueue(retry, delay=delay or None)

    def _finish(self, msg: Message, state: dict, lock: threading.Lock, done: threading.Event, kind: str,
                started: float, **fields: Any) -> None:
        done.set()
        ended = time.time()
        fields.update(device_seconds=ended - started, at=ended, device=self.device)
        with lock:
            state.update(status=kind, ended_at=ended, **fields)
            self.backend.put_json(f"state:{msg.job_id}", state)
        self.backend.publish(self._event(msg, kind, **fields))

    def _monitor(self, msg: Message, token: Any, state: dict, lock: threading.Lock, done: threading.Event) -> None:
        """Heartbeat and cancel poll for one run, from a side thread: the engine only has to
        look at its token once a step."""
        next_beat = time.monotonic() + self.heartbeat_s
        while not done.wait(self.poll_s):
            if not token.cancelled and (self.backend.cancel_requested(msg.job_id) or self._stopping.is_set()):
                token.cancel()
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + self.heartbeat_s
                with lock:
                    if done.is_set():
                        return
                    state["beat"] += 1
                    state["heartbeat_at"] = time.time()
                    self.backend.put_json(f"state:{msg.job_id}", state)

    def report_machine(self, **extra: Any) -> None:
        """Tell the studio which weights, device and free memory this worker has (studio.jobs.machine)."""
        from studio.jobs.machine import machine_report

        try:
            self.backend.publish({**machine_report(self.worker_id, self.device), **extra})
        except Exception:  # noqa: BLE001 - a report that fails is skipped; the next one comes soon
            log.warning("machine report failed", exc_info=True, extra={"worker": self.worker_id})

    def _event(self, msg: Message, kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "job_id": msg.job_id, "run_id": msg.run_id, "slot": msg.slot, "attempt": msg.attempt,
                "worker": self.worker_id, "sent": time.time(), **fields}

    @staticmethod
    def _preview_bytes(event: StepEvent) -> bytes | None:
        if event.preview is not None:
            from studio.jobs.kinds import _png

            return _png(event.preview)
        if event.preview_path and Path(event.preview_path).is_file():
            return Path(event.preview_path).read_bytes()
        return None

    # ---- shutdown ---------------------------------------------------------------------------
    def interrupt(self, wait_s: float = 10.0) -> None:
        """Stop the running job at its next step and report it `interrupted` (the studio
        requeues it at once, without spending an attempt)."""
        self._stopping.set()
        current = self._current
        if current is not None:
            current[1].cancel()
        self._idle.wait(wait_s)


def run_worker(redis_url: str | None = None, *, device: str | None = None, heartbeat_s: float = 2.0,
               poll_s: float = 0.25, idle_poll_s: tuple[float, float] = (0.002, 0.01),
               retry_base_s: float = RETRY_BASE_S, threads: int | None = None) -> int:
    """Run a worker until SIGTERM / SIGINT. One job at a time; on stop, the running job is
    interrupted and goes back to the queue."""
    backend = QueueBackend(redis_url)
    runner = JobRunner(backend, device=device, heartbeat_s=heartbeat_s, poll_s=poll_s, retry_base_s=retry_base_s,
                       threads=threads)
    backend.runner = runner
    consumer = Consumer(backend.huey, workers=1, worker_type="thread", periodic=False,
                        initial_delay=idle_poll_s[0], backoff=1.5, max_delay=idle_poll_s[1],
                        scheduler_interval=1, check_worker_health=False)
    log.info("worker ready", extra={"worker": runner.worker_id, "queue": backend.describe(), "device": device})
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:  # noqa: ARG001
        stop.set()

    from studio.jobs.supervise import Supervisor

    supervisor = Supervisor(backend, heartbeat_s=heartbeat_s).start()
    consumer.start()
    # our handlers replace huey's: stop means "interrupt the running job, then exit"
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    from studio.jobs.machine import MACHINE_REPORT_S

    runner.report_machine()
    while not stop.wait(MACHINE_REPORT_S):
        runner.report_machine()
    runner.report_machine(stopping=True)
    consumer.stop_flag.set()  # take no new message ...
    runner.interrupt()  # ... and hand the running one back
    supervisor.stop()
    consumer.stop(graceful=False)
    backend.close()
    log.info("worker stopped", extra={"worker": runner.worker_id})
    return 0
