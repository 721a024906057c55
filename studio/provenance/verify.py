"""studio.provenance: `shotline verify` — what a file says about where it came from: the C2PA
manifest (valid or not, source type), the metadata label, the invisible watermark's content
id, and the closest export in this installation's fingerprint table."""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.export.probe import ffmpeg_exe, input_url, probe
from studio.provenance import c2pa_sign
from studio.provenance.fingerprint import dhash, match_fingerprint
from studio.provenance.label import read_label
from studio.provenance.watermark import read_lumas

MAX_MARK_FRAMES = 48
MARK_STRIDE = 10  # every frame is marked; reading one in ten spreads the sample over the file


@dataclass
class Verification:
    path: str
    c2pa: dict[str, Any]
    label: dict[str, str]
    watermark: dict[str, Any]
    library_match: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> list[str]:
        c = self.c2pa
        lines = [f"file: {self.path}"]
        if c["present"]:
            lines.append(f"C2PA manifest: {'valid' if c['valid'] else 'NOT valid'} ({c['state']}); source type: "
                         f"{(c['source_type'] or 'none').rsplit('/', 1)[-1]}; content id: {c['content_id'] or '-'}"
                         + (f"; problems: {', '.join(c['problems'])}" if c["problems"] else ""))
        else:
            lines.append("C2PA manifest: none")
        lab = self.label
        lines.append(f"metadata label: AI-generated, content id {lab.get('content_id', '-')}, model {lab.get('generator_model', '-')}"
                     if lab.get("ai_generated") == "true" or "AIGC" in lab else "metadata label: none")
        w = self.watermark
        lines.append(f"watermark: content id {w['content_id']} ({w['frames_exact']}/{w['frames']} sampled frames decode alone)"
                     if w["content_id"] else f"watermark: none found in {w['frames']} sampled frames")
        m = self.library_match
        lines.append(f"library match: export {m['content_id']} ({m['path']}), distance {m['distance']}/64" if m else "library match: none")
        return lines


def sample_frames(path: Path, fps: float, width: int, height: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Grey frames: those the watermark marks (index % MARK_STRIDE) and one a second for the fingerprint."""
    per_sec = max(1, round(fps))
    expr = f"not(mod(n\\,{MARK_STRIDE}))+not(mod(n\\,{per_sec}))"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file", "-i", input_url(path),
           "-map", "0:v:0", "-vf", f"select='{expr}'", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    marks, prints = [], []
    size = width * height
    n = 0
    try:
        while True:
            while n % MARK_STRIDE and n % per_sec:
                n += 1
            chunk = proc.stdout.read(size)
            if len(chunk) < size:
                break
            y = np.frombuffer(chunk, np.uint8).reshape(height, width)
            if n % per_sec == 0:
                prints.append(dhash(y))
            if n % MARK_STRIDE == 0 and len(marks) < MAX_MARK_FRAMES:
                marks.append(y)
            n += 1
    finally:
        proc.kill()
        proc.wait()
    return marks, prints


def verify(path: Path | str) -> Verification:
    path = Path(path)
    info = probe(path, "file")
    report = c2pa_sign.read(path)
    label = read_label(path)
    wm: dict[str, Any] = {"content_id": None, "frames": 0, "frames_exact": 0, "decode_rate": 0.0, "margin": 0.0}
    match = None
    if info.has_video and info.width >= 256:
        marks, prints = sample_frames(path, info.fps or 30, info.width, info.height)
        reading = read_lumas(marks)
        wm = {"content_id": reading.content_id, "frames": reading.frames, "frames_exact": reading.frames_exact,
              "decode_rate": round(reading.decode_rate, 3), "margin": reading.margin}
        found = match_fingerprint(prints, prefer=reading.content_id or report.content_id)
        match = asdict(found) if found else None
    return Verification(str(path), asdict(report), label, wm, match)
