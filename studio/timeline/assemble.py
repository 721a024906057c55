"""studio.timeline: turning a finished storyboard into a timeline (clips in shot order, each
as long as its real clip, the shot's speech — dialogue, voice-over, subtitle lines, never
its description — as subtitles, music, logo and the AI label, and the speech spoken on the
voice track with the subtitles timed to it), using the export room's Timeline model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from shotline import data
from studio.jobs.chain import shot_state

ASSETS_DIR = data.asset_path()
DEMO_LOGO = ASSETS_DIR / "demo-logo.png"
DEMO_MUSIC = ASSETS_DIR / "demo-music.m4a"


def asset_path(choice: str | None, demo: Path) -> str | None:
    """"demo" -> the shipped demo file, "" / "none" -> nothing, else a stored upload's path."""
    if not choice or choice == "none":
        return None
    return str(demo) if choice == "demo" else choice


def clips_for(db: sqlite_utils.Database, flow: dict[str, Any]) -> list[dict[str, Any]]:
    """The finished clip of every shot, in order; ValueError naming the first shot without one."""
    out = []
    for entry in flow["shots"]:
        row = None
        if entry.get("job_id"):
            state = shot_state(db, entry["job_id"])
            if state is not None:  # the shot's clips, chained and joined into one
                row = db.execute("SELECT id, path, duration_s FROM clips WHERE id = ?", [state[1]]).fetchone() \
                    if state[0] == "done" else None
            else:
                row = db.execute("SELECT c.id, c.path, c.duration_s FROM jobs j JOIN clips c ON c.id = j.clip_id"
                                 " WHERE j.id = ? AND j.status = 'done'", [entry["job_id"]]).fetchone()
        if row is None:
            raise ValueError(f"Shot {entry['shot'].get('index')} has no finished clip yet.")
        out.append({"clip_id": row[0], "path": row[1], "duration_s": row[2], "shot": entry["shot"]})
    return out


def timeline_for(db: sqlite_utils.Database, flow: dict[str, Any]) -> dict[str, Any]:
    """The timeline document (validated by the export room's model) for a flow whose clips are done."""
    from studio.timeline import Timeline

    opts = flow["options"]
    clips = clips_for(db, flow)
    shots = []
    for i, clip in enumerate(clips, start=1):
        shot = clip["shot"]
        lines = [d for d in shot.get("dialogue") or [] if (d.get("text") or "").strip()]  # speech only
        shots.append({"index": i, "dialogue": [{"text": d["text"]} for d in lines],
                      "duration_s": clip["duration_s"] or shot.get("duration_s")})
    music = asset_path(opts.get("music", "demo"), DEMO_MUSIC)
    logo = asset_path(opts.get("logo", "demo"), DEMO_LOGO)
    extra: dict[str, Any] = {
        "preset": opts.get("preset", "720p"), "model": opts.get("model", ""),
        "label": {"position": opts.get("label_position", "top-left"), "language": "zh+en"},
    }
    if music:
        extra["music"] = [{"source": music, "volume": 0.8, "fade_in_s": 0.3, "fade_out_s": 0.8, "loop": True}]
    if logo:
        corner = "top-right" if opts.get("label_position", "top-left") != "top-right" else "top-left"
        extra["logo"] = {"source": logo, "corner": corner}
    timeline = Timeline.from_storyboard({"shots": shots}, [c["path"] for c in clips], **extra)
    from studio import paths
    from studio.timeline.voice import voice_project  # 旁白/VO and dialogue lines spoken at their shots

    folder = paths.media_dir("assets") / f"voice-{flow.get('project_id') or 'project'}"  # rebuilt in place
    voiced = voice_project(timeline, [{**c["shot"], "duration_s": s["duration_s"]} for c, s in zip(clips, shots, strict=True)],
                           opts, folder)
    if voiced.clips:  # the spoken lines are the project's own files (the timeline editor checks ownership)
        from studio.db.records import add_asset

        for vc in voiced.clips:
            if db.execute("SELECT 1 FROM assets WHERE path = ? AND user_id IS ?", [vc.source, flow.get("user_id")]).fetchone():
                continue
            add_asset(db, "voice", vc.source, project_id=flow.get("project_id"), user_id=flow.get("user_id"),
                      original_name=Path(vc.source).name, mime="audio/wav", size_bytes=Path(vc.source).stat().st_size)
    return timeline.to_dict()
