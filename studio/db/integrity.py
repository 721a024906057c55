"""studio.db: keeping the one database whole. At the first open in a process the file is
checked (`PRAGMA quick_check`); a damaged file, or one that is not SQLite at all, is
answered with one sentence that names the file and how to restore it. Before migrations
run on an existing database it is copied (SQLite's online backup) into `backups/` beside
it, and copied back if a migration fails. The database's files are private (0600)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import sqlite_utils

KEEP_BACKUPS = 5
_CHECKED: set[str] = set()
_CHECKED_LOCK = threading.Lock()


class DatabaseDamaged(ValueError):
    """The database file cannot be used; the message says which file and what to do."""


def damaged(path: Path, why: str) -> DatabaseDamaged:
    backups = path.parent / "backups"
    return DatabaseDamaged(
        f"The studio database {path} {why}; stop the studio and copy the newest backup from {backups} over "
        f"{path.name} (or move {path.name} aside to start with an empty studio).")


def check_once(conn: sqlite3.Connection, path: Path) -> None:
    """`PRAGMA quick_check` the first time this process opens `path`."""
    key = str(path.resolve())
    with _CHECKED_LOCK:
        if key in _CHECKED:
            return
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as err:
        raise damaged(path, _why(err)) from None
    if [r[0] for r in rows] != ["ok"]:
        raise damaged(path, f"fails SQLite's integrity check ({len(rows)} problem{'s' if len(rows) != 1 else ''})")
    with _CHECKED_LOCK:
        _CHECKED.add(key)


def _why(err: sqlite3.DatabaseError) -> str:
    text = str(err)
    if "not a database" in text:
        return "is not a SQLite database"
    if "malformed" in text or "corrupt" in text:
        return "is damaged (SQLite says its disk image is malformed)"
    return f"cannot be read ({text})"


def make_private(path: Path) -> None:
    """0600 on the database and its WAL files (where this process owns them)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and p.stat().st_uid == os.getuid() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass


def backup(db: sqlite_utils.Database, path: Path, label: str) -> Path:
    """A consistent copy of the open database in `backups/`; the oldest beyond KEEP_BACKUPS go."""
    folder = path.parent / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}-before-{label}.db"
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    os.chmod(target, 0o600)
    old = sorted(folder.glob(f"{path.stem}-*-before-*.db"), key=lambda p: p.stat().st_mtime)
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return target


def restore(db: sqlite_utils.Database, source: Path) -> None:
    """Copy `source` back over the open database (SQLite's backup API, in place)."""
    src = sqlite3.connect(str(source))
    try:
        src.backup(db.conn)
    finally:
        src.close()


def migrate_safely(db: sqlite_utils.Database, path: Path | None) -> list[str]:
    """Run the pending migrations; on an existing database, back it up first and restore
    the backup if one fails (then raise one sentence)."""
    from studio.db.migrations import MIGRATIONS, migrate, schema_version

    version = schema_version(db)
    if path is None or version == 0 or version >= len(MIGRATIONS):
        return migrate(db)
    pending = MIGRATIONS[version].__name__
    saved = backup(db, path, pending)
    try:
        return migrate(db)
    except Exception as err:  # noqa: BLE001 - any failure: put the database back as it was
        restore(db, saved)
        raise DatabaseDamaged(f"Upgrading the studio database {path} failed at {pending} ({type(err).__name__}); "
                              f"it was restored from the copy made just before, {saved.name}.") from err
