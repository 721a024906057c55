"""studio.jobs: the queue's shared storage, as both sides see it. huey carries the work
(SqliteHuey under SHOTLINE_HOME by default, PriorityRedisHuey with a Redis URL); the same
storage carries everything that travels back from a worker, so a worker on another
machine with no shared disk works exactly like a local one:

- the `events` channel: small JSON messages (started, step, finished, ...), FIFO;
- `state:<job>`: the latest state of a running job, with a heartbeat counter;
- `result:<job>`: the finished job's files (the MP4) and metadata, framed bytes;
- `preview:<job>`: the latest preview image (PNG bytes);
- `cancel:<job>`: set by the studio, polled by the worker;
- `input:<job>`: files a job needs (a render's clips, music, logo), framed bytes;
- `claim:<job>:<slot>`: set once by the worker that runs a slot, so a duplicate message
  (a re-prioritised or re-enqueued one that raced a worker) never runs twice."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import PriorityRedisHuey, SqliteHuey
from huey.api import Huey
from huey.constants import EmptyData
from huey.storage import RedisStorage, SqliteStorage

from studio import paths

QUEUE_NAME = "shotline"
TASK_NAME = "shotline.run_job"
EVENTS_POLL_S = 0.01  # SQLite has no blocking read; Redis blocks instead


class WalSqliteStorage(SqliteStorage):
    """huey's SQLite storage with synchronous=NORMAL: in WAL mode that is safe against
    corruption and against a killed process; only a power cut can lose the last commits.
    (huey offers FULL, an fsync per commit, or OFF, which is not safe.)"""

    def _create_connection(self):  # noqa: ANN202 - huey's signature
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn

    def dequeue(self):  # noqa: ANN202 - huey's signature
        """Look before taking: an empty queue is answered by a plain WAL read, so idle
        workers and the mirror can poll often without taking the write lock each time."""
        if not self.sql("select 1 from task where queue = ? limit 1", (self.name,), results=True):
            return None
        return super().dequeue()


def redis_url_from_env(url: str | None = None) -> str | None:
    """The Redis URL given, else SHOTLINE_REDIS_URL, else None (SQLite)."""
    url = url or os.environ.get("SHOTLINE_REDIS_URL") or None
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"Redis URL {url!r} is not accepted: it must start with redis://, rediss:// or unix://.")
    return url


def queue_db_path() -> str:
    return str(paths.home() / "queue.db")


@dataclass(frozen=True)
class Message:
    """What one huey task carries: a job to run, in one run slot."""

    job_id: str
    run_id: str
    slot: int  # which run of the job this is; a claim per slot stops duplicates
    attempt: int  # counts against max_attempts (a shutdown interrupt does not)
    max_attempts: int
    kind: str
    params: dict[str, Any]
    memory_mode: str | None
    priority: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def effective_priority(priority: int, slot: int) -> float:
    """huey's priority for a message: a job that already started once goes ahead of its
    own priority class (+0.5), never ahead of a higher one."""
    return float(priority) + (0.5 if slot > 1 else 0.0)


def frame(header: dict[str, Any], files: dict[str, bytes]) -> bytes:
    """header JSON + files in one blob: 4-byte header length, header, then the files in order."""
    head = dict(header)
    head["_files"] = [[name, len(data)] for name, data in files.items()]
    raw = json.dumps(head, ensure_ascii=False, default=str).encode()
    return struct.pack(">I", len(raw)) + raw + b"".join(files.values())


def unframe(blob: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    (size,) = struct.unpack(">I", blob[:4])
    header = json.loads(blob[4:4 + size])
    files, pos = {}, 4 + size
    for name, length in header.pop("_files", []):
        files[name] = blob[pos:pos + length]
        pos += length
    return header, files


class QueueBackend:
    """One process's view of the queue. `run_job` is the single huey task; what it runs
    is decided by the `runner` a worker process installs (the studio side never runs jobs)."""

    def __init__(self, redis_url: str | None = None, *, name: str = QUEUE_NAME):
        self.redis_url = redis_url_from_env(redis_url)
        self.name = name
        if self.redis_url:
            self.huey: Huey = PriorityRedisHuey(name, url=self.redis_url, blocking=True, read_timeout=1)
            self.events = RedisStorage(f"{name}-events", url=self.redis_url, blocking=True, read_timeout=1)
            self._events_now = RedisStorage(f"{name}-events", url=self.redis_url, blocking=False)
        else:
            path = queue_db_path()
            self.huey = SqliteHuey(name, filename=path, timeout=30, storage_class=WalSqliteStorage)
            self.events = WalSqliteStorage(f"{name}-events", filename=path, timeout=30)
            self._events_now = self.events
        self.storage = self.huey.storage
        self.runner: Callable[[Message], None] | None = None
        self.run_job = self.huey.task(name=TASK_NAME)(self._run_job)

    @property
    def kind(self) -> str:
        return "redis" if self.redis_url else "sqlite"

    def describe(self) -> str:
        return f"redis at {self.redis_url}" if self.redis_url else f"sqlite at {queue_db_path()}"

    def _run_job(self, payload: dict[str, Any]) -> None:
        if self.runner is None:
            raise RuntimeError("This process has no job runner; jobs run in `shotline worker` processes.")
        self.runner(Message(**payload))

    # ---- studio -> worker ---------------------------------------------------------------
    def enqueue(self, message: Message, delay: float | None = None) -> None:
        task = self.run_job.s(message.to_dict(), id=message.run_id,
                              priority=effective_priority(message.priority, message.slot), delay=delay)
        self.huey.enqueue(task)

    def revoke(self, run_id: str) -> None:
        self.huey.revoke_by_id(run_id, revoke_once=True)

    def request_cancel(self, job_id: str) -> None:
        self.storage.put_data(f"cancel:{job_id}", b"1")

    def cancel_requested(self, job_id: str) -> bool:
        return self.storage.has_data_for_key(f"cancel:{job_id}")

    def pending_run_ids(self) -> set[str]:
        """Run ids of messages waiting in the queue or in the schedule (retries with a delay)."""
        ids = {t.id for t in self.huey.pending()}
        ids.update(t.id for t in self.huey.scheduled())
        return ids

    def queue_length(self) -> int:
        return int(self.huey.pending_count())

    # ---- worker -> studio ---------------------------------------------------------------
    def claim(self, job_id: str, slot: int, worker: str) -> bool:
        return bool(self.storage.put_if_empty(f"claim:{job_id}:{slot}", worker.encode()))

    def publish(self, event: dict[str, Any]) -> None:
        self.events.enqueue(json.dumps(event, ensure_ascii=False, default=str).encode())

    def next_event(self, block: bool = False) -> dict[str, Any] | None:
        """One event or None. With `block`, Redis waits up to a second for one; SQLite has
        no blocking read and always answers at once."""
        raw = (self.events if block else self._events_now).dequeue()
        return None if raw is None else json.loads(raw)

    def put_json(self, key: str, value: dict[str, Any]) -> None:
        self.storage.put_data(key, json.dumps(value, ensure_ascii=False, default=str).encode())

    def get_json(self, key: str) -> dict[str, Any] | None:
        raw = self.storage.peek_data(key)
        return None if raw is EmptyData else json.loads(raw)

    def put_bytes(self, key: str, value: bytes) -> None:
        self.storage.put_data(key, value)

    def get_bytes(self, key: str) -> bytes | None:
        raw = self.storage.peek_data(key)
        return None if raw is EmptyData else bytes(raw)

    def forget(self, job_id: str) -> None:
        """Drop a finished job's keys (the claims stay: they are what stops a late duplicate)."""
        for key in (f"state:{job_id}", f"result:{job_id}", f"preview:{job_id}", f"cancel:{job_id}", f"input:{job_id}"):
            self.storage.delete_data(key)

    def close(self) -> None:
        for storage in (self.storage, self.events, self._events_now):
            close = getattr(storage, "close", None)
            if close is not None:
                close()
