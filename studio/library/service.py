"""studio.library: the library for the UI — search a user's clips (Chinese or English),
open one, reuse it in a project (and at the end of its timeline), and a clip's thumbnail.
A user only ever sees their own clips and those in their projects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from studio.assets.uploads import check_own_file
from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.projects import repository as store


class LibraryService:
    def __init__(self, conn: Connections, timelines: Any):
        self.conn = conn
        self.timelines = timelines  # studio.timeline.service.TimelineService

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def _uid(self, user: str) -> str:
        return get_or_create_user(self.db, user)

    def search_library(self, user: str, query: str = "", *, style: str | None = None, model: str | None = None,
                       project_id: str | None = None, limit: int = 60) -> list[dict[str, Any]]:
        from studio.library import search

        if project_id:
            store.get_flow(self.db, self._uid(user), project_id, with_shots=False)
        hits = search(self.db, query or "", style=style or None, model=model or None, project_id=project_id or None,
                      user_id=self._uid(user), limit=limit)
        return [h.to_dict() for h in hits]

    def own_clip(self, user: str, clip_id: str) -> dict[str, Any]:
        from studio.library import get_clip

        clip = get_clip(self.db, clip_id)
        uid = self._uid(user)
        mine = self.db.execute(
            "SELECT 1 FROM clips WHERE id = ? AND (user_id = ? OR id IN (SELECT pc.clip_id FROM project_clips pc"
            " JOIN projects p ON p.id = pc.project_id WHERE p.user_id = ?))", [clip_id, uid, uid]).fetchone()
        if mine is None:
            raise ValueError(f"Clip {clip_id!r} is not known.")
        return clip

    def reuse_clip(self, user: str, clip_id: str, project_id: str) -> str:
        """Add a library clip to the project, and to the end of its timeline when it has one
        (or can have one: every shot's clip done). Returns a sentence saying which."""
        from studio.library import reuse_clip

        clip = self.own_clip(user, clip_id)
        store.get_flow(self.db, self._uid(user), project_id, with_shots=False)
        reuse_clip(self.db, clip_id, project_id)
        try:
            data = self.timelines.timeline(user, project_id)
        except ValueError:
            return ("The clip is in the project; it can join the timeline once every shot of the storyboard "
                    "has its clip.")
        data["clips"].append({"source": clip["path"], "in_s": 0.0, "out_s": None, "speed": 1.0, "subtitles": []})
        data["transitions"].append({"kind": "cut", "duration_s": 0.0})
        self.timelines.save_timeline(user, project_id, data)
        return "The clip is at the end of the project's timeline."

    def thumbnail(self, user: str, source: str) -> str | None:
        """A JPEG of one of the user's clips' first frame, beside the clip (made once)."""
        try:
            check_own_file(self.db, self._uid(user), source)
        except ValueError:
            return None
        thumb = Path(source).with_suffix(".thumb.jpg")
        if not thumb.is_file():
            from PIL import Image

            from engine import read_frames

            frames = read_frames(source)
            if not len(frames):
                return None
            Image.fromarray(frames[0]).save(thumb, quality=85)
        return str(thumb)
