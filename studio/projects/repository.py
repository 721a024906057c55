"""studio.projects: the one repository for projects, storyboards and shots. A storyboard's
shots live only in the `shots` table (one row per shot, every field of the shot in its
own column or in the row's `detail`), read and written only here; a project's pipeline
state (options, one-click status, its timeline and export) lives in its `flows` row.
Also A/B winners and per-user settings. Every read takes the user id: a user only ever
sees their own rows, and a row that belongs to someone else reads as "not known"."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlite_utils

FLOW_STATUSES = ("draft", "generating", "ready", "exporting", "done", "failed")
SETTING_KEYS = {"memory_mode": str, "attention_backend": str, "cache": str, "steps": int, "max_frames": int,
                "model": str}
# shot field -> shots column; fields not named here go to the row's `detail` JSON
SHOT_COLUMNS = {"text": "text", "subject": "subject", "action": "action", "setting": "scene", "style": "style",
                "prompt": "prompt", "duration_s": "duration_s", "seed": "seed", "negative_prompt": "negative_prompt",
                "num_frames": "num_frames", "language": "language"}
SHOT_JSON_COLUMNS = {"camera": "camera", "dialogue": "dialogue", "characters": "characters", "safety": "safety",
                     "warnings": "warnings"}
SHOT_SELECT = ("id, position, job_id, text, subject, action, scene, style, prompt, duration_s, seed, negative_prompt,"
               " num_frames, language, camera, dialogue, characters, safety, warnings, detail")


def _loads(value: str | None, default: Any) -> Any:
    return json.loads(value) if value else default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _rows(cur: Any) -> list[dict[str, Any]]:
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# ---- shots ---------------------------------------------------------------------------------
def _json_or_text(value: str | None, key: str) -> Any:
    """A JSON column's value; a plain-text one (written before m007) as the nearest shape."""
    if not value:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        if key == "camera":
            return {"size_en": value}
        if key == "dialogue":
            return [{"speaker": "", "text": value}]
        return None


def shot_from_row(row: dict[str, Any], index: int) -> dict[str, Any]:
    """A shots row as the storyboard room's shot dict (Shot.to_dict() plus `subtitle`)."""
    shot: dict[str, Any] = dict(_loads(row.get("detail"), {}))
    for field, column in SHOT_COLUMNS.items():
        if row.get(column) is not None:
            shot[field] = row[column]
    for field, column in SHOT_JSON_COLUMNS.items():
        value = _json_or_text(row.get(column), field)
        if value is not None:
            shot[field] = value
    shot.setdefault("text", "")
    shot.setdefault("camera", {})
    shot.setdefault("dialogue", [])
    shot.setdefault("characters", [])
    shot.setdefault("warnings", [])
    shot.setdefault("safety", None)
    shot["index"] = index
    shot["subtitle"] = " ".join(d.get("text", "") for d in shot["dialogue"] if d.get("text"))
    return shot


def shot_columns(shot: dict[str, Any]) -> dict[str, Any]:
    """The shots row's columns for a shot dict (the inverse of `shot_from_row`)."""
    out: dict[str, Any] = {column: shot.get(field) for field, column in SHOT_COLUMNS.items()}
    out["text"] = out["text"] or ""
    out["style"] = out["style"] or None
    for field, column in SHOT_JSON_COLUMNS.items():
        value = shot.get(field)
        if value is None and field != "safety":
            value = {} if field == "camera" else []
        out[column] = None if value is None else _dumps(value)
    skip = {*SHOT_COLUMNS, *SHOT_JSON_COLUMNS, "index", "subtitle", "id", "job_id"}
    out["detail"] = _dumps({k: v for k, v in shot.items() if k not in skip})
    return out


def insert_shot(db: sqlite_utils.Database, storyboard_id: str, project_id: str, position: int,
                shot: dict[str, Any]) -> str:
    now = time.time()
    shot_id = uuid.uuid4().hex
    db["shots"].insert({"id": shot_id, "storyboard_id": storyboard_id, "project_id": project_id,
                        "position": position, "created_at": now, "updated_at": now, **shot_columns(shot)})
    return shot_id


def write_shot(db: sqlite_utils.Database, shot_id: str, shot: dict[str, Any]) -> None:
    cols = {**shot_columns(shot), "updated_at": time.time()}
    sets = ", ".join(f"{k} = ?" for k in cols)
    db.execute(f"UPDATE shots SET {sets} WHERE id = ?", [*cols.values(), shot_id])


def set_shot_job(db: sqlite_utils.Database, shot_id: str, job_id: str | None) -> None:
    db.execute("UPDATE shots SET job_id = ?, updated_at = ? WHERE id = ?", [job_id, time.time(), shot_id])


def delete_shot(db: sqlite_utils.Database, shot_id: str) -> None:
    db.execute("DELETE FROM shots WHERE id = ?", [shot_id])


def set_order(db: sqlite_utils.Database, shot_ids: list[str]) -> None:
    """Positions 1..n in the given order (the caller holds a transaction)."""
    for i, shot_id in enumerate(shot_ids, start=1):
        db.execute("UPDATE shots SET position = ? WHERE id = ?", [i, shot_id])


def shot_entries(db: sqlite_utils.Database, storyboard_id: str) -> list[dict[str, Any]]:
    """The storyboard's shots in order: [{"id", "job_id", "shot"}]; shot["index"] counts from 1."""
    rows = _rows(db.execute(f"SELECT {SHOT_SELECT} FROM shots WHERE storyboard_id = ? ORDER BY position, created_at",
                            [storyboard_id]))
    return [{"id": r["id"], "job_id": r["job_id"], "shot": shot_from_row(r, i)} for i, r in enumerate(rows, start=1)]


def project_of_job(db: sqlite_utils.Database, job_id: str) -> str | None:
    row = db.execute("SELECT project_id FROM jobs WHERE id = ?", [job_id]).fetchone()
    return row[0] if row else None


# ---- projects (their flows row) ------------------------------------------------------------
def _decode_flow(row: dict[str, Any]) -> dict[str, Any]:
    row["options"] = _loads(row["options"], {})
    row["auto_export"] = bool(row["auto_export"])
    return row


def insert_flow(db: sqlite_utils.Database, user_id: str, project_id: str, storyboard_id: str,
                options: dict[str, Any], auto_export: bool) -> None:
    now = time.time()
    db.execute("INSERT INTO flows (project_id, user_id, storyboard_id, status, auto_export, options,"
               " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
               [project_id, user_id, storyboard_id, "draft", int(auto_export), _dumps(options), now, now])


def set_storyboard_meta(db: sqlite_utils.Database, storyboard_id: str, *, model: str, warnings: list[str]) -> None:
    db.execute("UPDATE storyboards SET model = ?, warnings = ?, updated_at = ? WHERE id = ?",
               [model, _dumps(warnings), time.time(), storyboard_id])


FLOW_SELECT = ("SELECT f.*, p.name AS name, s.model AS board_model, s.warnings AS board_warnings FROM flows f"
               " JOIN projects p ON p.id = f.project_id LEFT JOIN storyboards s ON s.id = f.storyboard_id")


def get_flow(db: sqlite_utils.Database, user_id: str, project_id: str, *, with_shots: bool = True) -> dict[str, Any]:
    """The user's project `project_id` with its shots; another user's project is "not known", never "not yours"."""
    rows = _rows(db.execute(f"{FLOW_SELECT} WHERE f.project_id = ? AND f.user_id = ?", [project_id or "", user_id]))
    if not rows:
        raise ValueError(f"Project {project_id!r} is not known; choose one of your projects.")
    flow = _decode_flow(rows[0])
    if with_shots:
        flow["shots"] = shot_entries(db, flow["storyboard_id"])
    return flow


def flow_by_id(db: sqlite_utils.Database, project_id: str) -> dict[str, Any] | None:
    """A project's flow with its shots, whoever owns it (the pipeline's own reads)."""
    rows = _rows(db.execute(f"{FLOW_SELECT} WHERE f.project_id = ?", [project_id]))
    if not rows:
        return None
    flow = _decode_flow(rows[0])
    flow["shots"] = shot_entries(db, flow["storyboard_id"])
    return flow


def list_flows(db: sqlite_utils.Database, user_id: str) -> list[dict[str, Any]]:
    rows = _rows(db.execute(f"{FLOW_SELECT} WHERE f.user_id = ? ORDER BY f.updated_at DESC", [user_id]))
    return [_decode_flow(r) for r in rows]


def update_flow(db: sqlite_utils.Database, project_id: str, **fields: Any) -> None:
    if "options" in fields:
        fields["options"] = _dumps(fields["options"])
    if "auto_export" in fields:
        fields["auto_export"] = int(bool(fields["auto_export"]))
    if "status" in fields and fields["status"] not in FLOW_STATUSES:
        raise ValueError(f"flow status {fields['status']!r} is not known; accepted: {', '.join(FLOW_STATUSES)}.")
    fields["updated_at"] = time.time()
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE flows SET {sets} WHERE project_id = ?", [*fields.values(), project_id])


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
