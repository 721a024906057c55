"""studio.db: the one SQLite database under SHOTLINE_HOME (sqlite-utils, WAL, ordered
migrations). `open_database()` is the only way in; it checks the file (once per process),
backs it up before migrations and migrates on open (see integrity.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from studio import paths
from studio.db.migrations import MIGRATIONS, migrate, schema_version

__all__ = ["MIGRATIONS", "database_path", "migrate", "open_database", "schema_version"]

BUSY_TIMEOUT_MS = 10_000


def database_path() -> Path:
    """`SHOTLINE_HOME/shotline.db`."""
    return paths.home() / "shotline.db"


def open_database(path: str | os.PathLike[str] | None = None) -> sqlite_utils.Database:
    """Open (creating and migrating) the studio database.

    WAL lets the studio, the CLI and the job mirror read while one of them writes;
    the busy timeout makes concurrent writers wait instead of failing."""
    from studio.db.integrity import _why, check_once, damaged, make_private, migrate_safely

    target = Path(path) if path is not None else database_path()
    conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
    try:
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check_once(conn, target)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        make_private(target)
        migrate_safely(db, target)
    except sqlite3.DatabaseError as err:
        conn.close()
        raise damaged(target, _why(err)) from None
    except BaseException:
        conn.close()
        raise
    return db
