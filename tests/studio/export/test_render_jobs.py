"""Renders as jobs on the one queue, with the real export room, ffmpeg and SQLite queue:
the timeline's files travel to the worker through the queue's storage (the originals are
gone before the worker's kind runs, as on a machine with no shared disk), the worker's
outcome is filed by the studio side as an export with its OTIO and fingerprint, and a
cancelled render ends as a cancel with nothing left behind. The worker's kind function
runs in this process; `worker` below only lends it the queue, as the JobRunner does."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine import CancelToken, GenerationCancelled
from studio.db import open_database
from studio.db.records import create_project, get_or_create_user
from studio.export.renders import store_render, submit_render
from studio.jobs import JobService, QueueBackend
from studio.jobs.kinds import KINDS, RunContext
from studio.jobs.queue import unframe
from studio.timeline import Timeline
from tests.studio.export import media


@pytest.fixture
def queue(shotline_home):
    backend = QueueBackend(None)
    yield backend
    backend.close()


def render_job(queue, tmp_path, preset="720p"):
    db = open_database()
    project = create_project(db, "Cut", get_or_create_user(db, "ann"))
    folder = tmp_path / "studio-files"
    folder.mkdir()
    clips = [str(media.clip(folder / f"c{i}.mp4", seed=i)) for i in range(2)]
    data = Timeline.from_storyboard({"shots": [{"index": 1, "dialogue": [{"text": "早安"}], "duration_s": 0.5},
                                               {"index": 2, "dialogue": [], "duration_s": 0.5}]}, clips,
                                    preset=preset, model="tiny").to_dict()
    jobs = JobService(db, queue)
    job_id = submit_render(jobs, data, preset=preset, preview=preset == "gif-preview", user="ann",
                           project_id=project, timeline_id=None)
    return db, jobs, job_id, folder, clips


def context(queue, job_id, tmp_path, cancel=None):
    events = []
    ctx = RunContext(job_id, uuid.uuid4().hex, None, "cpu", cancel or CancelToken(), events.append,
                     tmp_path / "worker-tmp", SimpleNamespace(backend=queue))
    ctx.tmp_dir.mkdir(exist_ok=True)
    return ctx, events


def test_a_render_job_carries_its_files_and_is_filed_as_an_export(queue, tmp_path, shotline_home):
    db, jobs, job_id, folder, clips = render_job(queue, tmp_path)
    job = jobs.get(job_id)
    assert job["kind"] == "render" and job["status"] == "queued" and job["priority"] == 0
    shutil.rmtree(folder)  # the worker's machine has no copy of the studio's files
    ctx, events = context(queue, job_id, tmp_path)
    outcome = KINDS["render"](job["params"], ctx)
    assert {"output", "otio"} <= set(outcome.files) and outcome.metadata["content_id"]
    steps = [e.step for e in events]
    assert steps and steps == sorted(steps) and steps[-1] == 100  # progress as steps of 100
    assert list(ctx.tmp_dir.iterdir()) == []  # the worker's copies are gone

    result = json.loads(store_render(db, job, {"metadata": outcome.metadata}, outcome.files))
    out = Path(result["path"])
    assert out.is_file() and str(out).startswith(str(shotline_home / "media" / "exports"))
    assert Path(result["sidecars"]["otio"]).is_file() and clips[0] in Path(result["sidecars"]["otio"]).read_text()
    export = db.execute("SELECT path, format FROM exports WHERE id = ?", [result["export_id"]]).fetchone()
    assert export == (str(out), "mp4")
    fingerprint = db.execute("SELECT path FROM export_fingerprints WHERE content_id = ?",
                             [outcome.metadata["content_id"]]).fetchone()
    assert fingerprint == (str(out),)  # the studio's file, not the worker's copy
    # the job's files are in the queue until the job is forgotten
    assert unframe(queue.get_bytes(f"input:{job_id}"))[1]
    queue.forget(job_id)
    assert queue.get_bytes(f"input:{job_id}") is None


def test_a_cancelled_render_is_a_cancel_and_leaves_nothing(queue, tmp_path):
    _, jobs, job_id, _, _ = render_job(queue, tmp_path, preset="gif-preview")
    token = CancelToken()
    token.cancel()
    ctx, _ = context(queue, job_id, tmp_path, cancel=token)
    with pytest.raises(GenerationCancelled):
        KINDS["preview"](jobs.get(job_id)["params"], ctx)
    assert list(ctx.tmp_dir.iterdir()) == []


def test_render_parameters_are_checked_before_anything_is_queued(queue, tmp_path):
    db, jobs, _, _, clips = render_job(queue, tmp_path)
    with pytest.raises(ValueError, match="export preset 'huge' is not known"):
        jobs.submit({"timeline": {"clips": [{"source": clips[0]}]}, "preset": "huge"}, kind="render")
    with pytest.raises(ValueError, match=r"render parameter\(s\) \['shell'\] are not known"):
        jobs.submit({"timeline": {}, "preset": "720p", "shell": "rm"}, kind="render")
