"""studio.jobs: turning a worker's result (metadata + file bytes that came through the
queue's storage) into studio records: the MP4 under SHOTLINE_HOME/media/clips/<uuid>/,
written under a temporary name and renamed, then one clips row (UNIQUE job_id) with its
generation metadata, indexed for search, and counted in usage."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import sqlite_utils

from studio import paths
from studio.library import add_clip
from studio.usage import record_usage


def _write_clip(data: bytes) -> Path:
    final = paths.new_media_path("clips", ".mp4")
    tmp = final.with_name(f".{final.name}.part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def _shot_labels(db: sqlite_utils.Database, shot_id: str | None) -> dict[str, Any]:
    if not shot_id:
        return {}
    row = db.execute("SELECT text, style, characters FROM shots WHERE id = ?", [shot_id]).fetchone()
    if row is None:
        return {}
    return {"shot_text": row[0] or "", "style": row[1], "characters": json.loads(row[2] or "[]")}


def store_result(db: sqlite_utils.Database, job: dict[str, Any], header: dict[str, Any],
                 files: dict[str, bytes]) -> tuple[str | None, str]:
    """Record a finished job's output (call inside a transaction). Returns (clip id or None,
    the job's result JSON). A second result for the same job adds nothing."""
    metadata = header.get("metadata") or {}
    if job["kind"] in ("render", "preview"):
        from studio.export.renders import store_render

        return None, store_render(db, job, header, files)
    if job["kind"] == "speak" and files.get("speech.wav"):  # a spoken line: one WAV per job among the assets
        wav = paths.media_dir("assets") / f"speak-{job['id']}.wav"
        tmp = wav.with_name(f".{wav.name}.part")
        tmp.write_bytes(files["speech.wav"])
        os.replace(tmp, wav)
        return None, json.dumps({"path": str(wav), **metadata}, ensure_ascii=False, default=str)
    if job["kind"] != "generate":
        return None, json.dumps(metadata, ensure_ascii=False, default=str)
    existing = db.execute("SELECT id FROM clips WHERE job_id = ?", [job["id"]]).fetchone()
    if existing:
        return existing[0], json.dumps(metadata, ensure_ascii=False, default=str)
    result = metadata.get("result") or {}
    request = metadata.get("request") or {}
    video = files.get("video.mp4")
    if not video:
        raise ValueError(f"job {job['id']} finished without a video in its result.")
    path = _write_clip(video)
    labels = {**_shot_labels(db, job.get("shot_id")), **{k: v for k, v in (job.get("labels") or {}).items() if v}}
    fps = result.get("fps") or None
    frames = result.get("num_frames")
    clip_id = add_clip(
        db, str(path), result.get("model") or request.get("model") or "unknown",
        characters=labels.get("characters"), tags=labels.get("tags"),
        metadata={**(result.get("metadata") or {}), "request": request, "elapsed_s": result.get("elapsed_s"),
                  "worker": header.get("worker"), "device": header.get("device")},
        job_id=job["id"], project_id=job.get("project_id"), shot_id=job.get("shot_id"), user_id=job.get("user_id"),
        prompt=request.get("prompt", ""), negative_prompt=request.get("negative_prompt"),
        shot_text=labels.get("shot_text", ""), width=result.get("width"), height=result.get("height"),
        num_frames=frames, fps=fps, duration_s=(frames / fps) if frames and fps else None,
        seed=result.get("seed"), steps=request.get("steps"), guidance=request.get("guidance"),
        flow_shift=request.get("flow_shift"), memory_mode=request.get("memory_mode"), style=labels.get("style"),
        size_bytes=len(video),
    )
    if clip_id is None:  # raced another mirror: keep theirs, drop our file
        path.unlink(missing_ok=True)
        return db.execute("SELECT id FROM clips WHERE job_id = ?", [job["id"]]).fetchone()[0], json.dumps(metadata)
    record_usage(db, "clips", 1, ref=clip_id, user_id=job.get("user_id"), project_id=job.get("project_id"))
    from studio.safety.live import check_clip

    check_clip(db, clip_id, path, job.get("user_id"))  # frame safety, when enabled: a flagged clip is held
    return clip_id, json.dumps({"clip_id": clip_id, "path": str(path), **metadata}, ensure_ascii=False, default=str)
