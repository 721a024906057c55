"""The studio database: WAL, migrations applied once each and in order, records."""

from __future__ import annotations

import threading

import pytest

from studio import paths
from studio.db import MIGRATIONS, database_path, open_database, records, schema_version


def test_opens_under_home_in_wal_mode_with_every_table(shotline_home):
    db = open_database()
    assert database_path() == shotline_home / "shotline.db" and database_path().is_file()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = set(db.table_names())
    for name in ("users", "projects", "storyboards", "shots", "jobs", "job_runs", "clips", "project_clips", "assets",
                 "timelines", "exports", "usage", "clip_search", "_migrations"):
        assert name in tables
    assert schema_version(db) == len(MIGRATIONS)


def test_migrations_run_once_even_when_two_processes_open_a_fresh_database_together(tmp_path):
    path = tmp_path / "race.db"
    errors: list[BaseException] = []

    def open_it():
        try:
            open_database(path).close()
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = open_database(path)
    names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()]
    assert names == [fn.__name__ for fn in MIGRATIONS]


def test_a_new_migration_is_applied_on_next_open(tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    open_database(path).close()

    def m999_add_colour(db):
        db.execute("ALTER TABLE projects ADD COLUMN colour TEXT")

    monkeypatch.setattr("studio.db.migrations.MIGRATIONS", [*MIGRATIONS, m999_add_colour])
    db = open_database(path)
    assert "colour" in db["projects"].columns_dict
    assert schema_version(db) == len(MIGRATIONS) + 1


def test_records_round_trip_and_bad_names_are_one_sentence():
    db = open_database()
    user = records.get_or_create_user(db, "ana")
    assert records.get_or_create_user(db, "ana") == user
    project = records.default_project(db, user)
    assert records.default_project(db, user) == project
    board = records.create_storyboard(db, project, "Pilot", "INT. KITCHEN - DAY")
    shot = records.add_shot(db, board, project, 1, "Ana opens the door", characters=["Ana"], camera="dolly in")
    assert db["shots"].get(shot)["characters"] == '["Ana"]'
    tl = records.save_timeline(db, project, {"tracks": []}, "cut 1")
    assert records.save_timeline(db, project, {"tracks": [1]}, "cut 1", timeline_id=tl) == tl
    out = paths.new_media_path("exports", ".mp4")
    export = records.record_export(db, str(out), "mp4", project_id=project, timeline_id=tl, user_id=user)
    assert db["exports"].get(export)["format"] == "mp4"
    with pytest.raises(ValueError, match="project name '' is not accepted"):
        records.create_project(db, "", user)
    with pytest.raises(ValueError, match="shot field"):
        records.add_shot(db, board, project, 2, "x", colour="red")
    with pytest.raises(ValueError, match="is not known"):
        records.get_project(db, "nope")


def test_m006_adopts_the_fingerprint_table_the_export_room_made_before_it(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr("studio.db.migrations.MIGRATIONS", MIGRATIONS[:5])
    db = open_database(path)
    db["export_fingerprints"].insert({"content_id": "c1", "path": "/x.mp4", "created": 1.0, "duration_s": 2.0,
                                      "model": "tiny", "hashes": "[]"}, pk="content_id")  # as the export room did
    db.close()
    monkeypatch.setattr("studio.db.migrations.MIGRATIONS", MIGRATIONS)
    db = open_database(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert [r["content_id"] for r in db["export_fingerprints"].rows] == ["c1"]


def test_threads_sharing_a_connection_get_whole_transactions(tmp_path):
    """The mirror thread and the caller share one connection; their BEGIN..COMMIT blocks
    must not interleave (SQLite has one transaction per connection, not per thread)."""
    import threading
    import time

    from studio.db.migrations import transaction

    db = open_database(tmp_path / "t.db")
    db.execute("CREATE TABLE t (who TEXT, n INTEGER)")
    errors: list[BaseException] = []

    def writer(who: str) -> None:
        try:
            for n in range(150):
                with transaction(db):
                    db.execute("INSERT INTO t VALUES (?, ?)", [who, n])
                    time.sleep(0.0005)  # hold the transaction open so the other thread tries to start one
                    db.execute("UPDATE t SET n = n WHERE who = ?", [who])
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(w,)) for w in ("mirror", "caller")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert db.execute("SELECT who, COUNT(*) FROM t GROUP BY who ORDER BY who").fetchall() == [("caller", 150), ("mirror", 150)]
