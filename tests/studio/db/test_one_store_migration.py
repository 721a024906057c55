"""m007 and m008 on a database made the way the studio wrote it before them: the schema of
m001-m006, shot rows as the old service wrote them (camera and dialogue as plain text, six
columns kept in sync), the whole storyboard as a JSON board in `flows`, and renders and
downloads in the polled `tasks` table. After the migrations the shots rows hold every
field of every shot, the board and the tasks table are gone, and each task is a job."""

from __future__ import annotations

import json
import sqlite3
import time

import sqlite_utils

from studio.db import MIGRATIONS, migrate, open_database
from studio.db.migrations import transaction
from studio.projects import repository

OLD = MIGRATIONS[:6]  # m001 .. m006: the schema the studio had before one store and one queue


def old_database(path):
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    for fn in OLD:
        with transaction(db):
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [fn.__name__, time.time()])
    return db


def old_shot(index, text, **extra):
    """A shot dict as the storyboard room's Shot.to_dict() made it (and the old board stored it)."""
    shot = {"index": index, "text": text, "source": text, "scene": 1, "heading": "", "language": "zh",
            "subject": "咖啡师", "action": "递上拿铁", "setting": "咖啡馆", "time_of_day": "清晨", "lighting": "",
            "mood": "", "camera": {"size": "close-up", "size_en": "close-up", "size_zh": "特写", "movement": "pan",
                                   "movement_en": "pan", "movement_zh": "摇", "explicit": False},
            "characters": ["小雨"], "dialogue": [{"speaker": "旁白", "text": "早安"}], "duration_s": 2.0,
            "explicit_duration": False, "num_frames": 9, "part": 1, "parts": 1, "style": "cinematic", "seed": index,
            "prompt": f"prompt {index}", "negative_prompt": "blurry", "warnings": [], "safety": None,
            "subtitle": "早安"}
    shot.update(extra)
    return shot


def test_the_board_and_the_tasks_move_into_shots_and_jobs(tmp_path):
    path = tmp_path / "old.db"
    db = old_database(path)
    now = time.time()
    db.execute("INSERT INTO users (id, name, created_at) VALUES ('u1', 'ann', ?)", [now])
    db.execute("INSERT INTO projects (id, name, user_id, created_at, updated_at) VALUES ('p1', 'Cafe', 'u1', ?, ?)",
               [now, now])
    db.execute("INSERT INTO storyboards (id, project_id, title, script, created_at, updated_at)"
               " VALUES ('s1', 'p1', 'Cafe', 'script', ?, ?)", [now, now])
    shots = [old_shot(1, "清晨的咖啡馆。", seed=7, safety={"blocked": False, "flagged": True, "message": "Warning: x"},
                      warnings=["Warning: x"]),
             old_shot(2, "咖啡师递上拿铁。")]
    for position, (sid, shot) in enumerate((("a", shots[0]), ("b", shots[1])), start=1):
        # what the old service's _new_entry / _save_board kept in the row: six of the fields, camera and
        # dialogue as text; the text here is stale, as a crash between the two writes could leave it
        db.execute("INSERT INTO shots (id, storyboard_id, project_id, position, text, subject, action, scene, camera,"
                   " dialogue, characters, style, prompt, duration_s, created_at, updated_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   [sid, "s1", "p1", position, "stale text", shot["subject"], shot["action"], shot["setting"],
                    shot["camera"]["size_en"], shot["subtitle"], json.dumps(shot["characters"]), shot["style"],
                    "stale prompt", shot["duration_s"], now, now])
    # a shot row the board had already dropped (deleted from the storyboard)
    db.execute("INSERT INTO shots (id, storyboard_id, project_id, position, text, created_at, updated_at)"
               " VALUES ('gone', 's1', 'p1', 3, 'deleted', ?, ?)", [now, now])
    board = {"meta": {"model": "tiny", "style": "cinematic", "title": "Cafe", "warnings": ["one note"]},
             "shots": [{"id": "b", "shot": shots[1], "job_id": None}, {"id": "a", "shot": shots[0], "job_id": "j1"}]}
    db.execute("INSERT INTO timelines (id, project_id, name, data, created_at, updated_at)"
               " VALUES ('t1', 'p1', 'Cafe', ?, ?, ?)", [json.dumps({"clips": [], "preset": "720p"}), now, now])
    db.execute("INSERT INTO flows (project_id, user_id, storyboard_id, status, auto_export, options, board, timeline_id,"
               " task_id, message, created_at, updated_at) VALUES ('p1', 'u1', 's1', 'exporting', 1, ?, ?, 't1',"
               " 'task-live', 'exporting', ?, ?)",
               [json.dumps({"model": "tiny", "width": 64, "height": 64}), json.dumps(board), now, now])
    for task_id, kind, status, params, result in (
            ("task-done", "render", "done", {"timeline_id": "t1", "preset": "720p"}, {"export_id": "e1"}),
            ("task-live", "render", "running", {"timeline_id": "t1", "preset": "720p", "flow": True}, None),
            ("task-dl", "download", "failed", {"model": "wan2.1-t2v-1.3b"}, None)):
        db.execute("INSERT INTO tasks (id, kind, user_id, project_id, status, params, progress, message, result, error,"
                   " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   [task_id, kind, "u1", "p1" if kind != "download" else None, status, json.dumps(params), 40.0,
                    "exporting 40%", json.dumps(result) if result else None,
                    "no network." if status == "failed" else None, now])
    db.conn.close()

    db = open_database(path)  # migrates: m007, m008
    assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()][-2:] == [
        "m007_shots_are_the_storyboard", "m008_one_queue"]
    assert "tasks" not in db.table_names()
    assert "board" not in db["flows"].columns_dict and "export_job_id" in db["flows"].columns_dict

    flow = repository.get_flow(db, "u1", "p1")
    assert [e["id"] for e in flow["shots"]] == ["b", "a"]  # the board's order, the deleted row gone
    assert [e["job_id"] for e in flow["shots"]] == [None, "j1"]
    for entry, board_shot in zip(flow["shots"], [shots[1], shots[0]], strict=True):
        got = entry["shot"]
        expected = {**board_shot, "index": got["index"]}
        assert got == expected  # every field of the board's shot, from the row alone
    assert flow["shots"][1]["shot"]["seed"] == 7 and flow["shots"][1]["shot"]["safety"]["flagged"]
    assert db.execute("SELECT model, warnings FROM storyboards WHERE id = 's1'").fetchone() == ("tiny", '["one note"]')

    jobs = {r[0]: r[1:] for r in db.execute("SELECT id, kind, status, params, result, error FROM jobs").fetchall()}
    assert set(jobs) == {"task-done", "task-live", "task-dl"}
    assert jobs["task-done"][:2] == ("render", "done") and json.loads(jobs["task-done"][3]) == {"export_id": "e1"}
    kind, status, params, _, _ = jobs["task-live"]
    assert (kind, status) == ("render", "queued")  # the mirror's orphan check gives it a message
    assert json.loads(params) == {"timeline": {"clips": [], "preset": "720p"}, "preset": "720p", "timeline_id": "t1",
                                  "preview": False}
    assert jobs["task-dl"][:2] == ("download", "failed") and jobs["task-dl"][4] == "no network."
    assert flow["export_job_id"] == "task-live"
    assert migrate(db) == []  # applied once
