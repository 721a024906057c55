"""studio.flow: the browser studio's records — flows (one per project: its editable
storyboard and one-click state), background tasks (renders, previews, model downloads),
A/B winners and per-user settings. Every read takes the user id: a user only ever sees
their own rows, and a row that belongs to someone else reads as "not known"."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlite_utils

FLOW_STATUSES = ("draft", "generating", "ready", "exporting", "done", "failed")
TASK_KINDS = ("render", "preview", "download")
TASK_TERMINAL = ("done", "failed", "cancelled")
SETTING_KEYS = {"memory_mode": str, "attention_backend": str, "cache": str, "steps": int, "max_frames": int,
                "model": str}


def _loads(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _rows(cur: Any) -> list[dict[str, Any]]:
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# ---- flows ---------------------------------------------------------------------------------
def _decode_flow(row: dict[str, Any]) -> dict[str, Any]:
    row["options"] = _loads(row["options"], {})
    row["board"] = _loads(row["board"], {})
    row["auto_export"] = bool(row["auto_export"])
    return row


def insert_flow(db: sqlite_utils.Database, user_id: str, project_id: str, storyboard_id: str,
                board: dict[str, Any], options: dict[str, Any], auto_export: bool) -> None:
    now = time.time()
    db.execute("INSERT INTO flows (project_id, user_id, storyboard_id, status, auto_export, options, board,"
               " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
               [project_id, user_id, storyboard_id, "draft", int(auto_export), _dumps(options), _dumps(board), now, now])


def get_flow(db: sqlite_utils.Database, user_id: str, project_id: str) -> dict[str, Any]:
    """The user's flow for `project_id`; a project of another user is "not known", never "not yours"."""
    rows = _rows(db.execute("SELECT f.*, p.name AS name FROM flows f JOIN projects p ON p.id = f.project_id"
                            " WHERE f.project_id = ? AND f.user_id = ?", [project_id or "", user_id]))
    if not rows:
        raise ValueError(f"Project {project_id!r} is not known; choose one of your projects.")
    return _decode_flow(rows[0])


def list_flows(db: sqlite_utils.Database, user_id: str) -> list[dict[str, Any]]:
    rows = _rows(db.execute("SELECT f.*, p.name AS name FROM flows f JOIN projects p ON p.id = f.project_id"
                            " WHERE f.user_id = ? ORDER BY f.updated_at DESC", [user_id]))
    return [_decode_flow(r) for r in rows]


def flows_with_status(db: sqlite_utils.Database, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(statuses))
    rows = _rows(db.execute(f"SELECT f.*, p.name AS name FROM flows f JOIN projects p ON p.id = f.project_id"
                            f" WHERE f.status IN ({marks})", list(statuses)))
    return [_decode_flow(r) for r in rows]


def update_flow(db: sqlite_utils.Database, project_id: str, **fields: Any) -> None:
    if "board" in fields:
        fields["board"] = _dumps(fields["board"])
    if "options" in fields:
        fields["options"] = _dumps(fields["options"])
    if "auto_export" in fields:
        fields["auto_export"] = int(bool(fields["auto_export"]))
    if "status" in fields and fields["status"] not in FLOW_STATUSES:
        raise ValueError(f"flow status {fields['status']!r} is not known; accepted: {', '.join(FLOW_STATUSES)}.")
    fields["updated_at"] = time.time()
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE flows SET {sets} WHERE project_id = ?", [*fields.values(), project_id])


# ---- tasks ---------------------------------------------------------------------------------
def _decode_task(row: dict[str, Any]) -> dict[str, Any]:
    row["params"] = _loads(row["params"], {})
    row["result"] = _loads(row["result"], None)
    return row


def add_task(db: sqlite_utils.Database, kind: str, user_id: str, params: dict[str, Any],
             project_id: str | None = None) -> str:
    if kind not in TASK_KINDS:
        raise ValueError(f"task kind {kind!r} is not known; accepted: {', '.join(TASK_KINDS)}.")
    task_id = uuid.uuid4().hex
    db.execute("INSERT INTO tasks (id, kind, user_id, project_id, status, params, created_at) VALUES (?,?,?,?,?,?,?)",
               [task_id, kind, user_id, project_id, "queued", _dumps(params), time.time()])
    return task_id


def get_task(db: sqlite_utils.Database, task_id: str, user_id: str | None = None) -> dict[str, Any]:
    sql, args = "SELECT * FROM tasks WHERE id = ?", [task_id]
    if user_id is not None:
        sql, args = sql + " AND user_id = ?", [task_id, user_id]
    rows = _rows(db.execute(sql, args))
    if not rows:
        raise ValueError(f"Task {task_id!r} is not known.")
    return _decode_task(rows[0])


def list_tasks(db: sqlite_utils.Database, user_id: str, project_id: str | None = None, kind: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    sql, args = "SELECT * FROM tasks WHERE user_id = ?", [user_id]
    if project_id:
        sql, args = sql + " AND project_id = ?", [*args, project_id]
    if kind:
        sql, args = sql + " AND kind = ?", [*args, kind]
    return [_decode_task(r) for r in _rows(db.execute(sql + " ORDER BY created_at DESC LIMIT ?", [*args, limit]))]


def next_task(db: sqlite_utils.Database, kinds: tuple[str, ...]) -> dict[str, Any] | None:
    """Claim the oldest queued task of one of `kinds` (queued -> running), or None."""
    marks = ",".join("?" * len(kinds))
    rows = _rows(db.execute(f"SELECT * FROM tasks WHERE status = 'queued' AND kind IN ({marks})"
                            " ORDER BY created_at LIMIT 1", list(kinds)))
    if not rows:
        return None
    cur = db.execute("UPDATE tasks SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
                     [time.time(), rows[0]["id"]])
    return _decode_task(rows[0]) if cur.rowcount == 1 else None


def update_task(db: sqlite_utils.Database, task_id: str, **fields: Any) -> None:
    if "result" in fields:
        fields["result"] = _dumps(fields["result"])
    if fields.get("status") in TASK_TERMINAL:
        fields.setdefault("finished_at", time.time())
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE tasks SET {sets} WHERE id = ?", [*fields.values(), task_id])


def requeue_interrupted(db: sqlite_utils.Database) -> int:
    """Tasks left running by a studio that stopped start again from the beginning."""
    return db.execute("UPDATE tasks SET status = 'queued', progress = 0, message = 'restarted'"
                      " WHERE status = 'running'").rowcount


# ---- winners and settings ------------------------------------------------------------------
def record_winner(db: sqlite_utils.Database, user_id: str, clip_id: str, project_id: str | None, label: str) -> None:
    db.execute("INSERT OR REPLACE INTO winners (clip_id, user_id, project_id, label, created_at) VALUES (?,?,?,?,?)",
               [clip_id, user_id, project_id, label, time.time()])


def winners(db: sqlite_utils.Database, user_id: str, project_id: str | None = None) -> list[dict[str, Any]]:
    sql, args = "SELECT * FROM winners WHERE user_id = ?", [user_id]
    if project_id:
        sql, args = sql + " AND project_id = ?", [*args, project_id]
    return _rows(db.execute(sql + " ORDER BY created_at DESC", args))


def get_settings(db: sqlite_utils.Database, user_id: str) -> dict[str, Any]:
    rows = db.execute("SELECT key, value FROM user_settings WHERE user_id = ?", [user_id]).fetchall()
    return {k: json.loads(v) for k, v in rows if k in SETTING_KEYS}


def set_setting(db: sqlite_utils.Database, user_id: str, key: str, value: Any) -> None:
    kind = SETTING_KEYS.get(key)
    if kind is None:
        raise ValueError(f"setting {key!r} is not known; accepted: {', '.join(SETTING_KEYS)}.")
    if value in (None, ""):
        db.execute("DELETE FROM user_settings WHERE user_id = ? AND key = ?", [user_id, key])
        return
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"setting {key} {value!r} is not accepted: {'a whole number' if kind is int else 'text'}.")
    db.execute("INSERT OR REPLACE INTO user_settings (user_id, key, value) VALUES (?,?,?)", [user_id, key, _dumps(value)])
