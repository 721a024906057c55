"""studio.db: one database connection per thread for a long-lived service object (Gradio
runs handlers on a thread pool, and a sqlite3 connection's transaction belongs to it)."""

from __future__ import annotations

import os
import threading

import sqlite_utils

from studio.db import open_database


class Connections:
    """`.db` is this thread's connection to the studio database, opened on first use."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = path
        self._local = threading.local()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.path)
        return db
