"""studio.safety: frame safety, live. With `SHOTLINE_FRAME_SAFETY` set to `classifier` (the
open image classifier, classifier.py) or `nudenet` (the optional extra), sampled frames of
every generated clip are checked when the clip is recorded, and every uploaded image when
it is uploaded. A flagged clip is held: it stays in the library, but an export or preview
that uses it is refused with a sentence until its owner has looked at it and released it
(`release()`); a flagged upload is refused. Holds live in the studio database
(`safety_holds`, this room's own table)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from studio.safety.frames import FrameChecker, check_frames, read_frames

log = logging.getLogger("shotline.safety")
MODES = ("off", "classifier", "nudenet")
_CHECKER: dict[str, FrameChecker] = {}
_LOCK = threading.Lock()


def mode() -> str:
    value = (os.environ.get("SHOTLINE_FRAME_SAFETY") or "off").strip().lower()
    if value not in MODES:
        raise ValueError(f"SHOTLINE_FRAME_SAFETY {value!r} is not accepted; accepted: {', '.join(MODES)}.")
    return value


def checker() -> FrameChecker | None:
    """The configured checker (made once per process), or None when frame safety is off."""
    chosen = mode()
    if chosen == "off":
        return None
    with _LOCK:
        if chosen not in _CHECKER:
            if chosen == "nudenet":
                from studio.safety.frames import NudeNetChecker

                _CHECKER[chosen] = NudeNetChecker()
            else:
                from studio.safety.classifier import ClassifierChecker

                _CHECKER[chosen] = ClassifierChecker(os.environ.get("SHOTLINE_FRAME_CLASSIFIER") or None)
        return _CHECKER[chosen]


def _table(db: Any) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS safety_holds (clip_id TEXT PRIMARY KEY, path TEXT NOT NULL,"
               " user_id TEXT, message TEXT NOT NULL, report TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL,"
               " released_at REAL, released_by TEXT)")


def check_clip(db: Any, clip_id: str, path: str | Path, user_id: str | None) -> dict[str, Any] | None:
    """Check a newly recorded clip; hold it when flagged. Returns the report (None when off)."""
    import json

    if mode() == "off":
        return None
    try:
        found = checker()
        assert found is not None
        data = check_frames(read_frames(path), found).to_dict()
    except Exception as err:  # noqa: BLE001 - a check that cannot run holds the clip rather than passing it
        log.warning("frame safety check could not run", exc_info=True)
        text = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        data = {"blocked": True, "message": f"The frame safety check could not run ({text.rstrip('.')}).",
                "findings": []}
    if data["blocked"]:
        _table(db)
        db.execute("INSERT OR IGNORE INTO safety_holds (clip_id, path, user_id, message, report, created_at)"
                   " VALUES (?,?,?,?,?,?)", [clip_id, str(Path(path).resolve()), user_id, data["message"],
                                             json.dumps(data), time.time()])
    return data


def check_image(path: str | Path, shown_name: str) -> None:
    """Refuse an uploaded image that the checker flags (nothing when frame safety is off)."""
    found = checker()
    if found is None:
        return
    from PIL import Image

    with Image.open(path) as image:
        report = check_frames([image.convert("RGB")], found, samples=1)
    if report.blocked:
        raise ValueError(f"The image {shown_name!r} was refused by the frame safety check "
                         f"({report.findings[0].label}, score {report.findings[0].score:.2f}).")


def held(db: Any, sources: list[str]) -> list[tuple[int, str]]:
    """(1-based position, sentence) of every source in `sources` that is held."""
    if "safety_holds" not in db.table_names():
        return []
    out = []
    for i, source in enumerate(sources, start=1):
        row = db.execute("SELECT message FROM safety_holds WHERE path = ? AND released_at IS NULL",
                         [str(Path(source).resolve())]).fetchone()
        if row:
            out.append((i, row[0]))
    return out


def held_on_disk(sources: list[str]) -> list[tuple[int, str]]:
    """`held()` straight from the data folder's database file (read-only), for the export
    room, which renders from files and keeps no connection of its own."""
    import sqlite3

    from studio import paths

    path = paths.home() / "shotline.db"
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return []
    try:
        out = []
        for i, source in enumerate(sources, start=1):
            row = conn.execute("SELECT message FROM safety_holds WHERE path = ? AND released_at IS NULL",
                               [str(Path(source).resolve())]).fetchone()
            if row:
                out.append((i, row[0]))
        return out
    except sqlite3.OperationalError:  # no holds table: nothing was ever held
        return []
    finally:
        conn.close()


def held_sentence(position: int, message: str) -> str:
    return (f"Clip {position} is held by the frame safety check ({message.rstrip('.')}); review it in the library "
            "and release it before exporting.")


def refuse_held(db: Any, sources: list[str]) -> None:
    """Raise one sentence when the timeline uses a held clip."""
    found = held(db, sources)
    if found:
        raise ValueError(held_sentence(*found[0]))


def holds(db: Any, user_id: str) -> list[dict[str, Any]]:
    """A user's clips that are held now (for review)."""
    if "safety_holds" not in db.table_names():
        return []
    cur = db.execute("SELECT clip_id, message, created_at FROM safety_holds WHERE user_id = ? AND released_at IS NULL"
                     " ORDER BY created_at", [user_id])
    return [dict(zip(("clip_id", "message", "created_at"), r, strict=True)) for r in cur.fetchall()]


def release(db: Any, user_id: str, clip_id: str) -> None:
    """The owner has reviewed a held clip and releases it; anyone else's id reads as unknown."""
    _table(db)
    cur = db.execute("UPDATE safety_holds SET released_at = ?, released_by = ? WHERE clip_id = ? AND user_id = ?"
                     " AND released_at IS NULL", [time.time(), user_id, clip_id, user_id])
    if cur.rowcount != 1:
        raise ValueError(f"Clip {clip_id[:32]!r} is not known as one of your held clips.")
