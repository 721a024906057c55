"""studio.jobs: the studio's view of its workers and the models they can run. Each worker
reports its machine (studio.jobs.machine) through the queue; the mirror files each report
in the `workers` table; the model menu, the default model and the device page read it.
A model is "local" when a live worker has its weights, and downloads are jobs that run on
a worker, so a studio on a machine with no weights (or no GPU) chooses correctly."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.jobs.machine import MACHINE_REPORT_S
from studio.jobs.queue import QueueBackend
from studio.jobs.service import JobService

LIVE_FOR_S = 3.5 * MACHINE_REPORT_S  # a worker silent for longer is not counted
FORGET_AFTER_S = 7 * 24 * 3600


def record_worker(db: sqlite_utils.Database, report: dict[str, Any]) -> None:
    """File one machine report (the mirror calls this for each `worker` event)."""
    now = time.time()
    db.execute(
        "INSERT INTO workers (id, host, pid, device, free_memory_bytes, total_memory_bytes, models, buildable,"
        " seen_at, stopped_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET host=excluded.host,"
        " pid=excluded.pid, device=excluded.device, free_memory_bytes=excluded.free_memory_bytes,"
        " total_memory_bytes=excluded.total_memory_bytes, models=excluded.models, buildable=excluded.buildable,"
        " seen_at=excluded.seen_at, stopped_at=excluded.stopped_at",
        [str(report.get("worker") or "?")[:200], report.get("host"), report.get("pid"), report.get("device"),
         report.get("free_memory_bytes"), report.get("total_memory_bytes"),
         json.dumps(list(report.get("models") or [])), json.dumps(list(report.get("buildable") or [])), now,
         now if report.get("stopping") else None])
    db.execute("DELETE FROM workers WHERE seen_at < ?", [now - FORGET_AFTER_S])  # workers long gone


def live_workers(db: sqlite_utils.Database, within_s: float = LIVE_FOR_S) -> list[dict[str, Any]]:
    cur = db.execute("SELECT * FROM workers WHERE stopped_at IS NULL AND seen_at >= ? ORDER BY id",
                     [time.time() - within_s])
    names = [c[0] for c in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        row["models"] = json.loads(row["models"] or "[]")
        row["buildable"] = json.loads(row["buildable"] or "[]")
    return rows


def model_status(workers: list[dict[str, Any]], model_id: str) -> str:
    """"local" when a live worker has the weights, "buildable" when one builds them on first
    use (the tiny model), else "missing"."""
    if any(model_id in w["models"] for w in workers):
        return "local"
    if any(model_id in w["buildable"] for w in workers):
        return "buildable"
    return "missing"


def _gib(n: int | None) -> str:
    return "?" if n is None else f"{n / 2**30:.1f} GiB"


class ModelService:
    """Models as the workers see them; downloads as jobs."""

    def __init__(self, conn: Connections, backend: QueueBackend):
        self.conn = conn
        self.backend = backend

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def models(self) -> list[dict[str, Any]]:
        from engine import list_cards

        workers = live_workers(self.db)
        return [{"id": c.id, "name": c.name, "status": model_status(workers, c.id), "size_gb": c.size_gb,
                 "licence": c.licence, "max_frames": c.max_frames, "fps": c.fps, "built_locally": c.is_local_only,
                 "workers": [w["id"] for w in workers if c.id in w["models"]]}
                for c in list_cards()]

    def default_model(self, user: str) -> str:
        """The user's chosen model when a worker has its weights, else the first real model a
        worker has, else `tiny` (which a worker builds on first use)."""
        from engine import list_cards
        from studio.projects.repository import get_settings

        workers = live_workers(self.db)
        chosen = get_settings(self.db, get_or_create_user(self.db, user)).get("model")
        if chosen and model_status(workers, chosen) == "local":
            return chosen
        for card in list_cards():
            if not card.is_local_only and model_status(workers, card.id) == "local":
                return card.id
        return "tiny"

    def request_download(self, user: str, model_id: str) -> str:
        """A download job: a worker fetches the weights into its own cache. Returns the job id."""
        return JobService(self.db, self.backend).submit({"model": model_id}, kind="download", user=user,
                                                        max_attempts=2, priority=1)

    def device_info(self) -> list[str]:
        """One line per live worker: its device, free memory and the models it has."""
        workers = live_workers(self.db)
        if not workers:
            return ["No worker has reported yet: clips, renders and downloads wait until one runs "
                    "(`shotline worker`)."]
        return [f"{w['id']} on {w['device']}: {_gib(w['free_memory_bytes'])} free of {_gib(w['total_memory_bytes'])};"
                f" models: {', '.join(w['models']) or 'none yet'}" for w in workers]

    @staticmethod
    def speed_choices() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(memory modes, attention backends, step caches) the settings page offers."""
        from engine import ATTENTION_BACKENDS, CACHES, MEMORY_MODES

        return tuple(MEMORY_MODES), tuple(ATTENTION_BACKENDS), tuple(CACHES)
