"""studio.provenance: the implicit AI-generated label written into container metadata
(producer, content id, model, time; an `AIGC` JSON tag in the style of GB 45438-2025) and
read back from a file."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

PRODUCER = "Shotline"


def voice_note(voice: str) -> str:
    """How the label words a synthetic voice track ("" when the cut has none)."""
    return f"synthetic voice by {voice}" if voice else ""


def label_tags(content_id: str, model: str, created: datetime | None = None, voice: str = "") -> dict[str, str]:
    """`voice`: the synthetic voice engines used (e.g. "espeak-ng/espeak-zh"), "" for none."""
    created = created or datetime.now(timezone.utc)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    aigc = {"Label": "1", "ContentProducer": PRODUCER, "ProduceID": content_id, "ReservedCode1": model or "unknown"}
    if voice:
        aigc["ReservedCode2"] = voice_note(voice)
        return {**_tags(content_id, model, stamp, aigc, f"; {voice_note(voice)}"), "synthetic_voice": voice}
    return _tags(content_id, model, stamp, aigc, "")


def _tags(content_id: str, model: str, stamp: str, aigc: dict[str, str], extra: str) -> dict[str, str]:
    return {
        "comment": f"AI-generated video. producer={PRODUCER}; content_id={content_id}; model={model or 'unknown'}; created={stamp}{extra}",
        "AIGC": json.dumps(aigc, separators=(",", ":")),
        "ai_generated": "true",
        "producer": PRODUCER,
        "content_id": content_id,
        "generator_model": model or "unknown",
        "creation_time": stamp,
    }


def label_args(tags: dict[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in tags.items():
        args += ["-metadata", f"{key}={value}"]
    return args


def read_label(path: Path | str) -> dict[str, str]:
    """The label tags present in a file's container metadata (empty when there are none)."""
    from studio.export.probe import probe

    meta = probe(path, "file").metadata or {}
    found = {k: v for k, v in meta.items() if k in ("comment", "AIGC", "ai_generated", "producer", "content_id", "generator_model", "synthetic_voice")}
    if "content_id" not in found and "AIGC" in found:
        try:
            found["content_id"] = json.loads(found["AIGC"]).get("ProduceID", "")
        except ValueError:
            pass
    return found
