"""The database kept whole: a damaged page in the middle or a file that is not SQLite is
found at start-up and answered with one sentence naming the file and the way back; a
failing migration is undone from the backup made just before it; the data folder and
the database files are private."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _fresh(home: Path) -> Path:
    from studio.db import open_database

    db = open_database(home / "shotline.db")
    db["notes"].insert_all([{"id": i, "text": "x" * 900} for i in range(200)], pk="id")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return home / "shotline.db"


def _forget_checks():
    from studio.db import integrity

    integrity._CHECKED.clear()


def test_a_damaged_page_in_the_middle_gets_one_sentence(tmp_path):
    path = _fresh(tmp_path)
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # overwrite pages in the middle with noise
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(os.urandom(4096 * 3))
    _forget_checks()
    from studio.db import open_database

    with pytest.raises(ValueError) as err:
        open_database(path)
    text = str(err.value)
    assert str(path) in text and "backup" in text and "\n" not in text, text


def test_a_file_that_is_not_sqlite_gets_one_sentence_from_the_cli(tmp_path):
    (tmp_path / "shotline.db").write_bytes(b"this is not a database at all" * 100)
    out = subprocess.run([sys.executable, "-m", "studio.cli", "jobs", "list"], capture_output=True, text=True,
                         env={**os.environ, "SHOTLINE_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert str(tmp_path / "shotline.db") in lines[0] and "is not a SQLite database" in lines[0]


def test_a_failing_migration_is_restored_from_its_backup(tmp_path, monkeypatch):
    path = _fresh(tmp_path)
    from studio.db import migrations, open_database, schema_version

    def m999_breaks(db):
        db.execute("DELETE FROM notes")
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    def m998_works(db):
        db.execute("CREATE TABLE fine (x)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m998_works, m999_breaks])
    _forget_checks()
    with pytest.raises(ValueError, match="failed at m998_works .* restored from the copy made just before"):
        open_database(path)
    monkeypatch.undo()
    db = open_database(path)
    assert db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 200
    assert "fine" not in db.table_names() and "half_done" not in db.table_names()
    assert schema_version(db) == len(migrations.MIGRATIONS)
    backups = list((tmp_path / "backups").glob("shotline-*-before-m998_works.db"))
    assert len(backups) == 1 and backups[0].stat().st_mode & 0o777 == 0o600


def test_the_data_folder_and_database_are_private(tmp_path):
    home = tmp_path / "home"
    out = subprocess.run([sys.executable, "-m", "studio.cli", "jobs", "list"], capture_output=True, text=True,
                         env={**os.environ, "SHOTLINE_HOME": str(home), "PYTHONPATH": str(REPO)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert home.stat().st_mode & 0o777 == 0o700
    for name in ("shotline.db", "queue.db"):
        assert (home / name).stat().st_mode & 0o777 == 0o600, name
    from studio.db import open_database

    loose = tmp_path / "loose.db"
    open_database(loose).conn.close()
    assert loose.stat().st_mode & 0o777 == 0o600
