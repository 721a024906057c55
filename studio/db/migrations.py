"""studio.db: the schema as ordered migration functions, applied once each and recorded
in `_migrations`. A schema change is a new function appended to MIGRATIONS, never an
edit of an old one and never an ad hoc ALTER at start-up.

(sqlite-utils has no migrations in its core; the `sqlite-migrate` plugin calls itself
an early alpha with breaking changes to come, so this small list is ours.)"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import sqlite_utils

_LOCKS_GUARD = threading.Lock()


def _connection_lock(db: sqlite_utils.Database) -> threading.RLock:
    """One lock per connection: the studio's threads (mirror, runner, web handlers) share a
    connection, and SQLite keeps one transaction per connection, not per thread."""
    with _LOCKS_GUARD:
        lock = db.__dict__.get("_shotline_tx_lock")
        if lock is None:
            lock = db.__dict__["_shotline_tx_lock"] = threading.RLock()
        return lock


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database, mode: str = "IMMEDIATE") -> Iterator[None]:
    """One explicit transaction on an autocommit connection (IMMEDIATE takes the write lock
    up front). Other threads' transactions on the same connection wait for it to end."""
    with _connection_lock(db):
        db.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def m001_core_records(db: sqlite_utils.Database) -> None:
    """Users, projects, storyboards, shots, assets, timelines, exports."""
    for sql in (
        """CREATE TABLE users (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL)""",
        """CREATE TABLE projects (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, user_id TEXT REFERENCES users(id),
            description TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
        "CREATE INDEX projects_user ON projects(user_id)",
        """CREATE TABLE storyboards (
            id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            title TEXT NOT NULL DEFAULT '', script TEXT NOT NULL DEFAULT '', style TEXT,
            created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
        "CREATE INDEX storyboards_project ON storyboards(project_id)",
        """CREATE TABLE shots (
            id TEXT PRIMARY KEY, storyboard_id TEXT NOT NULL REFERENCES storyboards(id) ON DELETE CASCADE,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            text TEXT NOT NULL DEFAULT '', subject TEXT, action TEXT, scene TEXT, camera TEXT, dialogue TEXT,
            characters TEXT NOT NULL DEFAULT '[]', style TEXT, prompt TEXT, duration_s REAL,
            created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
        "CREATE INDEX shots_storyboard ON shots(storyboard_id, position)",
        """CREATE TABLE assets (
            id TEXT PRIMARY KEY, project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
            user_id TEXT REFERENCES users(id), kind TEXT NOT NULL, path TEXT NOT NULL,
            original_name TEXT NOT NULL DEFAULT '', mime TEXT NOT NULL DEFAULT '', size_bytes INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL)""",
        "CREATE INDEX assets_project ON assets(project_id)",
        """CREATE TABLE timelines (
            id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            name TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
        "CREATE INDEX timelines_project ON timelines(project_id)",
        """CREATE TABLE exports (
            id TEXT PRIMARY KEY, project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
            timeline_id TEXT REFERENCES timelines(id) ON DELETE SET NULL, user_id TEXT REFERENCES users(id),
            path TEXT NOT NULL, format TEXT NOT NULL, duration_s REAL, size_bytes INTEGER,
            metadata TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL)""",
        "CREATE INDEX exports_project ON exports(project_id)",
    ):
        db.execute(sql)


def m002_jobs_clips_usage(db: sqlite_utils.Database) -> None:
    """Jobs (the system of record for the queue), clips with generation metadata, usage."""
    for sql in (
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
            priority INTEGER NOT NULL DEFAULT 0, user_id TEXT, project_id TEXT, shot_id TEXT,
            params TEXT NOT NULL, memory_mode TEXT, idempotency_key TEXT NOT NULL UNIQUE,
            labels TEXT NOT NULL DEFAULT '{}', attempts INTEGER NOT NULL DEFAULT 0, attempt INTEGER NOT NULL DEFAULT 1,
            max_attempts INTEGER NOT NULL DEFAULT 3, run_id TEXT, slot INTEGER NOT NULL DEFAULT 1, worker TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0,
            progress_step INTEGER NOT NULL DEFAULT 0, progress_total INTEGER NOT NULL DEFAULT 0,
            progress_message TEXT NOT NULL DEFAULT '', preview_path TEXT, heartbeat_at REAL,
            error TEXT, error_kind TEXT, result TEXT, clip_id TEXT, device_seconds REAL NOT NULL DEFAULT 0,
            created_at REAL NOT NULL, queued_at REAL NOT NULL, started_at REAL, finished_at REAL)""",
        "CREATE INDEX jobs_status_order ON jobs(status, priority DESC, seq)",
        "CREATE INDEX jobs_project ON jobs(project_id)",
        """CREATE TABLE job_runs (
            run_id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            slot INTEGER NOT NULL, attempt INTEGER NOT NULL, worker TEXT, memory_mode TEXT, started_at REAL, ended_at REAL,
            outcome TEXT, error TEXT, device_seconds REAL NOT NULL DEFAULT 0, recorded_at REAL)""",
        "CREATE INDEX job_runs_job ON job_runs(job_id, attempt)",
        """CREATE TABLE clips (
            n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, job_id TEXT UNIQUE, project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
            shot_id TEXT, user_id TEXT, path TEXT NOT NULL, prompt TEXT NOT NULL DEFAULT '',
            negative_prompt TEXT, shot_text TEXT NOT NULL DEFAULT '', model TEXT NOT NULL,
            width INTEGER, height INTEGER, num_frames INTEGER, fps INTEGER, duration_s REAL, seed INTEGER,
            steps INTEGER, guidance REAL, flow_shift REAL, memory_mode TEXT, style TEXT,
            characters TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]',
            metadata TEXT NOT NULL DEFAULT '{}', size_bytes INTEGER, created_at REAL NOT NULL)""",
        "CREATE INDEX clips_project ON clips(project_id, created_at)",
        "CREATE INDEX clips_created ON clips(created_at)",
        "CREATE INDEX clips_model ON clips(model)",
        "CREATE INDEX clips_style ON clips(style)",
        """CREATE TABLE project_clips (
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            clip_id TEXT NOT NULL REFERENCES clips(id) ON DELETE CASCADE, added_at REAL NOT NULL,
            PRIMARY KEY (project_id, clip_id))""",
        "CREATE INDEX project_clips_clip ON project_clips(clip_id)",
        """CREATE TABLE usage (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('device_seconds','clips','exports')),
            amount REAL NOT NULL, user_id TEXT, project_id TEXT, device TEXT, ref TEXT NOT NULL,
            created_at REAL NOT NULL, UNIQUE (kind, ref))""",
        "CREATE INDEX usage_when ON usage(created_at)",
    ):
        db.execute(sql)


def m003_library_search(db: sqlite_utils.Database) -> None:
    """FTS5 over clips. Text columns hold jieba tokens joined by spaces (lower-cased), so
    unicode61 sees Chinese words as words; `chars` holds each CJK character alone, so a
    query for one character, or for a word jieba cut differently, still matches. The FTS
    rowid is `clips.n` (a stable INTEGER PRIMARY KEY), so re-indexing a clip is a keyed delete."""
    db.execute(
        """CREATE VIRTUAL TABLE clip_search USING fts5(
            prompt, shot_text, tags, characters, style, project_names, chars,
            tokenize = 'unicode61 remove_diacritics 2')"""
    )


def m004_search_filter_columns(db: sqlite_utils.Database) -> None:
    """Filters as index terms: `model` and `project_ids` (the clip's own project and every
    project reusing it) join the FTS table, so a filtered search narrows inside FTS5
    instead of joining every match to `clips` first (100k clips: p95 220 ms -> see
    BENCHMARKS.md). FTS5 tables cannot gain columns, so the table is rebuilt and
    every clip re-indexed. Also a NOCASE index for the style filter."""
    db.execute("DROP TABLE clip_search")
    db.execute(
        """CREATE VIRTUAL TABLE clip_search USING fts5(
            prompt, shot_text, tags, characters, style, project_names, chars, model, project_ids,
            tokenize = 'unicode61 remove_diacritics 2')"""
    )
    db.execute("CREATE INDEX clips_style_nocase ON clips(style COLLATE NOCASE)")
    from studio.library.search import index_clip

    for (clip_id,) in db.execute("SELECT id FROM clips").fetchall():
        index_clip(db, clip_id)


def m005_studio_flows(db: sqlite_utils.Database) -> None:
    """The browser studio's records (then studio.flow): one flow per project (its editable
    storyboard, the one-click state), background tasks (renders, previews, model
    downloads), A/B winners and per-user settings."""
    for sql in (
        """CREATE TABLE flows (
            project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, user_id TEXT NOT NULL,
            storyboard_id TEXT, status TEXT NOT NULL, auto_export INTEGER NOT NULL DEFAULT 0,
            options TEXT NOT NULL DEFAULT '{}', board TEXT NOT NULL DEFAULT '{}', timeline_id TEXT,
            export_id TEXT, task_id TEXT, message TEXT NOT NULL DEFAULT '', error TEXT,
            created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
        "CREATE INDEX flows_user ON flows(user_id, updated_at)",
        "CREATE INDEX flows_status ON flows(status)",
        """CREATE TABLE tasks (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, user_id TEXT NOT NULL, project_id TEXT,
            status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
            params TEXT NOT NULL DEFAULT '{}', progress REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
            result TEXT, error TEXT, created_at REAL NOT NULL, started_at REAL, finished_at REAL)""",
        "CREATE INDEX tasks_status ON tasks(status, created_at)",
        "CREATE INDEX tasks_user ON tasks(user_id, created_at)",
        """CREATE TABLE winners (
            clip_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT, label TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL)""",
        """CREATE TABLE user_settings (
            user_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (user_id, key))""",
    ):
        db.execute(sql)


def m006_export_fingerprints(db: sqlite_utils.Database) -> None:
    """Perceptual fingerprints of exports (studio.provenance.fingerprint), so a copy found
    elsewhere can be matched. IF NOT EXISTS: before this migration the export room created
    the same table itself, and such databases keep their rows."""
    db.execute("""CREATE TABLE IF NOT EXISTS export_fingerprints (
        content_id TEXT PRIMARY KEY, path TEXT, created FLOAT, duration_s FLOAT, model TEXT, hashes TEXT)""")


def m007_shots_are_the_storyboard(db: sqlite_utils.Database) -> None:
    """One store: the `shots` rows become the storyboard's only copy. Until now a JSON board
    in `flows.board` held every shot whole and six shot columns were kept in sync with it;
    here each shot's every field moves into its row (new columns, plus `detail` for the
    rest), `camera` and `dialogue` become JSON like `characters`, the board's model and
    warnings move to `storyboards`, and the board column is dropped."""
    import json

    for column, kind in (("job_id", "TEXT"), ("seed", "INTEGER"), ("negative_prompt", "TEXT"),
                         ("num_frames", "INTEGER"), ("language", "TEXT"), ("safety", "TEXT"),
                         ("warnings", "TEXT NOT NULL DEFAULT '[]'"), ("detail", "TEXT NOT NULL DEFAULT '{}'")):
        db.execute(f"ALTER TABLE shots ADD COLUMN {column} {kind}")
    db.execute("ALTER TABLE storyboards ADD COLUMN model TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE storyboards ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")
    db.execute("CREATE INDEX shots_job ON shots(job_id)")
    # rows written by code that knew camera and dialogue as plain text
    for shot_id, camera, dialogue in db.execute("SELECT id, camera, dialogue FROM shots").fetchall():
        db.execute("UPDATE shots SET camera = ?, dialogue = ? WHERE id = ?",
                   [json.dumps({"size_en": camera} if camera else {}, ensure_ascii=False),
                    json.dumps([{"speaker": "", "text": dialogue}] if dialogue else [], ensure_ascii=False), shot_id])
    def shot_columns(shot: dict) -> dict:  # frozen here: how m007 lays a board shot into its row
        named = {"text": "text", "subject": "subject", "action": "action", "setting": "scene", "style": "style",
                 "prompt": "prompt", "duration_s": "duration_s", "seed": "seed", "negative_prompt": "negative_prompt",
                 "num_frames": "num_frames", "language": "language"}
        as_json = {"camera": {}, "dialogue": [], "characters": [], "warnings": []}
        out = {column: shot.get(field) for field, column in named.items()}
        out["text"] = out["text"] or ""
        for field, empty in as_json.items():
            out[field] = json.dumps(shot.get(field) if shot.get(field) is not None else empty, ensure_ascii=False)
        out["safety"] = json.dumps(shot["safety"], ensure_ascii=False) if shot.get("safety") is not None else None
        skip = {*named, *as_json, "safety", "index", "subtitle", "id", "job_id"}
        out["detail"] = json.dumps({k: v for k, v in shot.items() if k not in skip}, ensure_ascii=False)
        return out

    boards = db.execute("SELECT project_id, storyboard_id, board FROM flows").fetchall()
    for project_id, storyboard_id, raw in boards:
        board = json.loads(raw or "{}")
        meta = board.get("meta") or {}
        db.execute("UPDATE storyboards SET model = ?, warnings = ? WHERE id = ?",
                   [meta.get("model") or "", json.dumps(meta.get("warnings") or [], ensure_ascii=False),
                    storyboard_id])
        keep = []
        for position, entry in enumerate(board.get("shots") or [], start=1):
            cols = {**shot_columns(entry.get("shot") or {}), "position": position, "job_id": entry.get("job_id")}
            sets = ", ".join(f"{k} = ?" for k in cols)
            cur = db.execute(f"UPDATE shots SET {sets} WHERE id = ?", [*cols.values(), entry["id"]])
            if cur.rowcount == 0:  # a board entry whose row was lost: the board was the fuller copy
                now = time.time()
                db["shots"].insert({"id": entry["id"], "storyboard_id": storyboard_id, "project_id": project_id,
                                    "created_at": now, "updated_at": now, **cols})
            keep.append(entry["id"])
        marks = ",".join("?" * len(keep))
        db.execute(f"DELETE FROM shots WHERE storyboard_id = ? AND id NOT IN ({marks or 'NULL'})",
                   [storyboard_id, *keep])
    db.execute("ALTER TABLE flows DROP COLUMN board")


def m008_one_queue(db: sqlite_utils.Database) -> None:
    """One queue: renders, previews and model downloads become jobs (the `tasks` table the
    studio polled goes; each task keeps its id as a job, so a project's export link holds),
    `flows.task_id` becomes `export_job_id`, and the `workers` table holds what each worker
    reports about its machine. A task that was queued or running is queued again as a job
    (the mirror's orphan check gives it a message); a render asked for before this
    migration carries the timeline's id, and the worker is handed the timeline itself."""
    import json
    import uuid

    for sql in (
        """CREATE TABLE workers (
            id TEXT PRIMARY KEY, host TEXT, pid INTEGER, device TEXT, free_memory_bytes INTEGER,
            total_memory_bytes INTEGER, models TEXT NOT NULL DEFAULT '[]', buildable TEXT NOT NULL DEFAULT '[]',
            seen_at REAL NOT NULL, stopped_at REAL)""",
        "ALTER TABLE flows RENAME COLUMN task_id TO export_job_id",
    ):
        db.execute(sql)
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()[0]
    cur = db.execute("SELECT id, kind, user_id, project_id, status, params, progress, message, result, error,"
                     " created_at, started_at, finished_at FROM tasks ORDER BY created_at")
    for (task_id, kind, user_id, project_id, status, raw, progress, message, result, error, created, started,
         finished) in cur.fetchall():
        params = json.loads(raw or "{}")
        if kind in ("render", "preview"):
            row = db.execute("SELECT data FROM timelines WHERE id = ?", [params.get("timeline_id")]).fetchone()
            params = {"timeline": json.loads(row[0]) if row else {}, "preset": params.get("preset"),
                      "timeline_id": params.get("timeline_id"), "preview": kind == "preview"}
        live = status in ("queued", "running")
        seq += 1
        db.execute(
            "INSERT INTO jobs (id, seq, kind, status, priority, user_id, project_id, params, labels, idempotency_key,"
            " attempts, attempt, max_attempts, run_id, slot, progress_step, progress_total, progress_message, error,"
            " result, created_at, queued_at, started_at, finished_at) VALUES (?,?,?,?,0,?,?,?,'{}',?,?,1,2,?,1,?,100,?,?,?,?,?,?,?)",
            [task_id, seq, kind, "queued" if live else status, user_id, project_id, json.dumps(params),
             f"task:{task_id}", 0 if live else 1, uuid.uuid4().hex, 0 if live else int(progress or 0),
             "queued again after the upgrade" if live else (message or ""), None if live else error,
             None if live else result, created, created, None if live else started, None if live else finished])
    db.execute("DROP TABLE tasks")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_core_records,
    m002_jobs_clips_usage,
    m003_library_search,
    m004_search_filter_columns,
    m005_studio_flows,
    m006_export_fingerprints,
    m007_shots_are_the_storyboard,
    m008_one_queue,
]


def schema_version(db: sqlite_utils.Database) -> int:
    """How many migrations this database has had."""
    if "_migrations" not in db.table_names():
        return 0
    return int(db.execute("SELECT count(*) FROM _migrations").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not had, in order; returns their names.

    Each runs in its own IMMEDIATE transaction and re-checks `_migrations` inside it, so
    two processes opening a fresh database at once apply each migration exactly once."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    applied: list[str] = []
    for fn in MIGRATIONS:
        name = fn.__name__
        if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
            continue
        with transaction(db):
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                continue
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, time.time()])
        applied.append(name)
    return applied
