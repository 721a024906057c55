"""studio.jobs: the durable job queue. The SQLite job record is the system of record;
huey (SqliteHuey by default, PriorityRedisHuey with a Redis URL) carries the work to
`shotline worker` processes; progress, previews and results come back through the queue's
storage and the mirror writes them into SHOTLINE_HOME and the records.

Composition root use:

    side = open_studio_side(redis_url)          # db + queue + JobService + Mirror
    side.mirror.start()                         # follow workers' reports
    pool = start_local_workers(redis_url)       # one worker per GPU (one on CPU)
    ...
    pool.stop(); side.close()
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from studio.jobs.mirror import Mirror
from studio.jobs.pool import WorkerPool, detect_devices, start_local_workers
from studio.jobs.queue import Message, QueueBackend, redis_url_from_env
from studio.jobs.service import STATUSES, TERMINAL, JobService
from studio.metrics import Metrics

__all__ = ["STATUSES", "TERMINAL", "JobService", "Message", "Mirror", "QueueBackend", "StudioSide", "WorkerPool",
           "detect_devices", "open_studio_side", "redis_url_from_env", "start_local_workers"]


@dataclass
class StudioSide:
    """The studio's end of the queue: its database, the queue, the job API and the mirror."""

    backend: QueueBackend
    mirror: Mirror
    jobs: JobService

    @property
    def db(self) -> sqlite_utils.Database:
        return self.jobs.db

    def close(self) -> None:
        self.mirror.close()
        self.backend.close()


def open_studio_side(redis_url: str | None = None, *, heartbeat_s: float = 2.0, stale_after_s: float | None = None,
                     metrics: Metrics | None = None) -> StudioSide:
    backend = QueueBackend(redis_url)
    mirror = Mirror(backend, heartbeat_s=heartbeat_s, stale_after_s=stale_after_s, metrics=metrics)
    return StudioSide(backend, mirror, mirror.jobs)
