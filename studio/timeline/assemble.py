"""studio.timeline: turning a finished storyboard into a timeline (clips in shot order, each
as long as its real clip, the dialogue — or the shot's own words for a shot without any —
as subtitles, music, logo and the AI label), using the export room's Timeline model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
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
        lines = [d for d in shot.get("dialogue") or [] if (d.get("text") or "").strip()]
        if not lines and opts.get("captions", "auto") == "auto" and shot.get("text", "").strip():
            lines = [{"speaker": "", "text": shot["text"].strip()}]
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
    return timeline.to_dict()
