"""studio.library: clip records. A clip is made once (by a job, or imported) and can be
reused in any project; its row carries the full generation metadata."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

from studio.db.records import new_id
from studio.library.search import index_clip

_COLUMNS = ("job_id", "project_id", "shot_id", "user_id", "prompt", "negative_prompt", "shot_text", "model", "width",
            "height", "num_frames", "fps", "duration_s", "seed", "steps", "guidance", "flow_shift", "memory_mode",
            "style", "size_bytes")


def add_clip(db: sqlite_utils.Database, path: str, model: str, *, characters: list[str] | None = None,
             tags: list[str] | None = None, metadata: dict[str, Any] | None = None, clip_id: str | None = None,
             created_at: float | None = None, index: bool = True, **fields: Any) -> str | None:
    """Insert a clip and index it. Returns its id, or None when a clip for the same
    `job_id` already exists (the UNIQUE key makes a replayed result a no-op)."""
    unknown = sorted(set(fields) - set(_COLUMNS))
    if unknown:
        raise ValueError(f"clip field(s) {unknown} are not known; accepted: {sorted(_COLUMNS)}.")
    clip_id = clip_id or new_id()
    row = {"id": clip_id, "path": path, "model": model, **fields,
           "characters": json.dumps(list(characters or []), ensure_ascii=False),
           "tags": json.dumps(list(tags or []), ensure_ascii=False),
           "metadata": json.dumps(metadata or {}, ensure_ascii=False, default=str),
           "created_at": created_at if created_at is not None else time.time()}
    row.setdefault("prompt", "")
    names = list(row)
    cur = db.execute(f"INSERT OR IGNORE INTO clips ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     [row[k] for k in names])
    if cur.rowcount != 1:
        return None
    if index:
        index_clip(db, clip_id)
    return clip_id


def get_clip(db: sqlite_utils.Database, clip_id: str) -> dict[str, Any]:
    cur = db.execute("SELECT * FROM clips WHERE id = ?", [clip_id])
    row = cur.fetchone()
    if row is None:
        raise ValueError(f"clip {clip_id!r} is not known.")
    data = dict(zip([c[0] for c in cur.description], row, strict=True))
    for key in ("characters", "tags", "metadata"):
        data[key] = json.loads(data[key])
    data.pop("n", None)
    return data


def reuse_clip(db: sqlite_utils.Database, clip_id: str, project_id: str) -> None:
    """Make a clip available in another project (no copy of the file); idempotent."""
    get_clip(db, clip_id)
    if db.execute("SELECT 1 FROM projects WHERE id = ?", [project_id]).fetchone() is None:
        raise ValueError(f"project {project_id!r} is not known.")
    db.execute("INSERT OR IGNORE INTO project_clips (project_id, clip_id, added_at) VALUES (?,?,?)",
               [project_id, clip_id, time.time()])
    index_clip(db, clip_id)
