"""studio: usage accounting. Device-seconds (GPU-seconds on a GPU worker), clips and
exports, per user and project, one row per thing counted; `UNIQUE(kind, ref)` means a
run or a clip retried, re-mirrored or replayed after a crash is never counted twice."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

USAGE_KINDS = ("device_seconds", "clips", "exports")
GROUPS = ("user", "project", "day", "user_project")


def record_usage(db: sqlite_utils.Database, kind: str, amount: float, *, ref: str, user_id: str | None = None,
                 project_id: str | None = None, device: str | None = None, at: float | None = None) -> bool:
    """Count `amount` of `kind` once for `ref` (a run id, clip id or export id). False if already counted."""
    if kind not in USAGE_KINDS:
        raise ValueError(f"usage kind {kind!r} is not known; accepted: {', '.join(USAGE_KINDS)}.")
    cur = db.execute(
        "INSERT OR IGNORE INTO usage (kind, amount, user_id, project_id, device, ref, created_at) VALUES (?,?,?,?,?,?,?)",
        [kind, float(amount), user_id, project_id, device, ref, at if at is not None else time.time()],
    )
    return cur.rowcount == 1


@dataclass(frozen=True)
class UsageRow:
    """One row of the usage table the UI charts: a group and its three totals."""

    user: str | None
    project: str | None
    day: str | None
    device_seconds: float
    clips: int
    exports: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_usage(db: sqlite_utils.Database, group_by: str = "user_project", *, since: float | None = None,
                until: float | None = None, user_id: str | None = None, project_id: str | None = None) -> list[UsageRow]:
    """Totals grouped by `user`, `project`, `day` (UTC date) or `user_project`, biggest device time first
    (by date for `day`). Users and projects are shown by name."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by {group_by!r} is not accepted; accepted: {', '.join(GROUPS)}.")
    where, params = ["1=1"], []
    for clause, value in (("u.created_at >= ?", since), ("u.created_at < ?", until),
                          ("u.user_id = ?", user_id), ("u.project_id = ?", project_id)):
        if value is not None:
            where.append(clause)
            params.append(value)
    user_col = "COALESCE(us.name, u.user_id)" if group_by in ("user", "user_project") else "NULL"
    project_col = "COALESCE(p.name, u.project_id)" if group_by in ("project", "user_project") else "NULL"
    day_col = "date(u.created_at, 'unixepoch')" if group_by == "day" else "NULL"
    order = "day" if group_by == "day" else "device_seconds DESC, user, project"
    sql = f"""
        SELECT {user_col} AS user, {project_col} AS project, {day_col} AS day,
               SUM(CASE WHEN u.kind = 'device_seconds' THEN u.amount ELSE 0 END) AS device_seconds,
               SUM(CASE WHEN u.kind = 'clips' THEN u.amount ELSE 0 END) AS clips,
               SUM(CASE WHEN u.kind = 'exports' THEN u.amount ELSE 0 END) AS exports
        FROM usage u LEFT JOIN users us ON us.id = u.user_id LEFT JOIN projects p ON p.id = u.project_id
        WHERE {' AND '.join(where)}
        GROUP BY 1, 2, 3 ORDER BY {order}"""
    return [UsageRow(r[0], r[1], r[2], round(float(r[3]), 3), int(r[4]), int(r[5]))
            for r in db.execute(sql, params).fetchall()]
