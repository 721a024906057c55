"""studio.db: small, typed helpers for the plain records (users, projects, storyboards,
shots, assets, timelines, exports). Ids are UUID hex strings; times are Unix seconds.
Other rooms own what goes *into* storyboards, timelines and exports; this module only
stores and fetches the rows."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

DEFAULT_USER = "local"
DEFAULT_PROJECT = "Default project"


def new_id() -> str:
    return uuid.uuid4().hex


def _require(value: str, field: str, limit: int = 200) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise ValueError(f"{field} {value!r} is not accepted: between 1 and {limit} characters.")
    return text


def get_or_create_user(db: sqlite_utils.Database, name: str = DEFAULT_USER) -> str:
    """The id of the user called `name`, creating it on first use."""
    name = _require(name, "user name", 100)
    row = db.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    user_id = new_id()
    db.execute("INSERT OR IGNORE INTO users (id, name, created_at) VALUES (?, ?, ?)", [user_id, name, time.time()])
    return db.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()[0]


def create_project(db: sqlite_utils.Database, name: str, user_id: str | None = None, description: str = "") -> str:
    now = time.time()
    project_id = new_id()
    db["projects"].insert(
        {"id": project_id, "name": _require(name, "project name"), "user_id": user_id,
         "description": description, "created_at": now, "updated_at": now}
    )
    return project_id


def default_project(db: sqlite_utils.Database, user_id: str) -> str:
    """The user's first project, created (as "Default project") when they have none."""
    row = db.execute("SELECT id FROM projects WHERE user_id = ? ORDER BY created_at LIMIT 1", [user_id]).fetchone()
    return row[0] if row else create_project(db, DEFAULT_PROJECT, user_id)


def get_project(db: sqlite_utils.Database, project_id: str) -> dict[str, Any]:
    try:
        return dict(db["projects"].get(project_id))
    except NotFoundError:
        raise ValueError(f"project {project_id!r} is not known.") from None


def rename_project(db: sqlite_utils.Database, project_id: str, name: str) -> None:
    """Rename a project and re-index its clips, whose search text includes project names."""
    get_project(db, project_id)
    db["projects"].update(project_id, {"name": _require(name, "project name"), "updated_at": time.time()})
    from studio.library.search import reindex_project

    reindex_project(db, project_id)


def create_storyboard(db: sqlite_utils.Database, project_id: str, title: str = "", script: str = "",
                      style: str | None = None) -> str:
    now = time.time()
    sid = new_id()
    db["storyboards"].insert({"id": sid, "project_id": project_id, "title": title, "script": script,
                              "style": style, "created_at": now, "updated_at": now})
    return sid


def add_shot(db: sqlite_utils.Database, storyboard_id: str, project_id: str, position: int, text: str,
             **fields: Any) -> str:
    """A shot row; `fields` may carry subject/action/scene/camera/dialogue/style/prompt/duration_s
    and `characters` (a list of names)."""
    allowed = {"subject", "action", "scene", "camera", "dialogue", "style", "prompt", "duration_s", "characters"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(f"shot field(s) {unknown} are not known; accepted: {sorted(allowed)}.")
    if "characters" in fields:
        fields["characters"] = json.dumps(list(fields["characters"]), ensure_ascii=False)
    now = time.time()
    shot_id = new_id()
    db["shots"].insert({"id": shot_id, "storyboard_id": storyboard_id, "project_id": project_id,
                        "position": position, "text": text, "created_at": now, "updated_at": now, **fields})
    return shot_id


def add_asset(db: sqlite_utils.Database, kind: str, path: str, *, project_id: str | None = None,
              user_id: str | None = None, original_name: str = "", mime: str = "", size_bytes: int = 0) -> str:
    asset_id = new_id()
    db["assets"].insert({"id": asset_id, "project_id": project_id, "user_id": user_id, "kind": kind, "path": path,
                         "original_name": original_name, "mime": mime, "size_bytes": size_bytes,
                         "created_at": time.time()})
    return asset_id


def save_timeline(db: sqlite_utils.Database, project_id: str, data: dict[str, Any], name: str = "",
                  timeline_id: str | None = None) -> str:
    """Insert or replace a timeline's JSON document."""
    now = time.time()
    tid = timeline_id or new_id()
    existing = db.execute("SELECT created_at FROM timelines WHERE id = ?", [tid]).fetchone()
    db["timelines"].upsert({"id": tid, "project_id": project_id, "name": name,
                            "data": json.dumps(data, ensure_ascii=False),
                            "created_at": existing[0] if existing else now, "updated_at": now}, pk="id")
    return tid


def record_export(db: sqlite_utils.Database, path: str, fmt: str, *, project_id: str | None = None,
                  timeline_id: str | None = None, user_id: str | None = None, duration_s: float | None = None,
                  size_bytes: int | None = None, metadata: dict[str, Any] | None = None) -> str:
    """Store a finished export and count it in usage."""
    from studio.usage import record_usage

    export_id = new_id()
    db["exports"].insert({"id": export_id, "project_id": project_id, "timeline_id": timeline_id, "user_id": user_id,
                          "path": path, "format": fmt, "duration_s": duration_s, "size_bytes": size_bytes,
                          "metadata": json.dumps(metadata or {}, ensure_ascii=False), "created_at": time.time()})
    record_usage(db, "exports", 1, ref=export_id, user_id=user_id, project_id=project_id)
    return export_id
