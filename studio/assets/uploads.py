"""studio.assets: uploads and their checks, and the ownership check for files a timeline
or a page names."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from studio import paths
from studio.db.connections import Connections
from studio.db.records import add_asset, get_or_create_user
from studio.storyboard.source import EXTENSIONS as SCRIPT_EXTENSIONS

UPLOAD_KINDS = {"music": (".mp3", ".m4a", ".aac", ".wav", ".ogg", ".flac"), "logo": (".png", ".jpg", ".jpeg", ".webp"),
                "script": tuple(e for e in SCRIPT_EXTENSIONS if e), "characters": (".json", ".yaml", ".yml"), "csv": (".csv",)}


def file_size_ok(path: str | Path, limit: int) -> None:
    size = Path(path).stat().st_size
    if size > limit:
        raise ValueError(f"The file {Path(path).name!r} is {_size(size)}; at most {_size(limit)} is accepted.")


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def check_own_file(db: sqlite_utils.Database, user_id: str, source: str) -> None:
    """ValueError unless `source` is one of the user's clips (their own or in their projects),
    one of their uploads, or a demo asset the studio ships."""
    from studio.timeline.assemble import ASSETS_DIR

    if Path(source).resolve().is_relative_to(ASSETS_DIR.resolve()):
        return
    own = db.execute(
        "SELECT 1 FROM clips WHERE path = ? AND (user_id = ? OR id IN (SELECT pc.clip_id FROM project_clips pc"
        " JOIN projects p ON p.id = pc.project_id WHERE p.user_id = ?))"
        " UNION SELECT 1 FROM assets WHERE path = ? AND user_id = ?", [source, user_id, user_id, source, user_id]
    ).fetchone()
    if own is None:
        raise ValueError(f"File {Path(source).name!r} is not one of your clips or uploads.")


UPLOAD_KINDS["image"] = (".png", ".jpg", ".jpeg", ".webp")  # a shot's start / end image (studio.projects.cards)


class UploadService:
    """Store a user's uploads."""

    def __init__(self, conn: Connections, *, max_upload_bytes: int = 200 * 1024 * 1024):
        self.conn = conn
        self.max_upload_bytes = max_upload_bytes

    def store_upload(self, user: str, kind: str, source: str, project_id: str | None = None) -> str:
        """Copy an uploaded file into SHOTLINE_HOME/media/uploads under a fresh UUID name and
        record it; returns the stored path. The upload's own name is kept only as a label."""
        suffixes = UPLOAD_KINDS.get(kind)
        if suffixes is None:
            raise ValueError(f"Upload kind {kind!r} is not known; accepted: {', '.join(UPLOAD_KINDS)}.")
        src = Path(source)
        suffix = src.suffix.lower()
        if suffix not in suffixes:
            raise ValueError(f"A {kind} file must end in {', '.join(suffixes)}; {src.name!r} does not.")
        file_size_ok(src, self.max_upload_bytes)
        dest = paths.new_media_path("uploads", suffix)
        shutil.copyfile(src, dest)
        try:
            if kind == "music":
                from studio.export.probe import check_audio

                check_audio(dest)
            elif kind in ("logo", "image"):
                from studio.export.probe import check_image

                check_image(dest, "logo" if kind == "logo" else "image")
                from studio.safety.live import check_image as frame_check

                frame_check(dest, src.name)
        except ValueError as err:  # the sentence names the file the user uploaded, not our stored copy
            shutil.rmtree(dest.parent, ignore_errors=True)
            raise ValueError(str(err).replace(dest.name, src.name)) from None
        except Exception:
            shutil.rmtree(dest.parent, ignore_errors=True)
            raise
        db = self.conn.db
        add_asset(db, kind, str(dest), project_id=project_id, user_id=get_or_create_user(db, user),
                  original_name=src.name[:200], size_bytes=dest.stat().st_size)
        return str(dest)
