"""engine: MP4 output. H.264 (yuv420p) through the ffmpeg binary that imageio-ffmpeg
ships, written to a temporary name beside the target and renamed into place, so a
reader never sees a half-written clip. The generation metadata goes into the
container's tags (`shotline` = the whole dict as JSON, plus a readable `comment`), and
`read_tags` reads them back from `ffmpeg -i` (that binary has no ffprobe).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

METADATA_TAG = "shotline"


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def to_uint8(frames: Any) -> np.ndarray:
    """(F, H, W, 3) float in [0, 1] (or uint8) -> uint8, rounding like diffusers' export."""
    arr = np.asarray(frames)
    if arr.dtype == np.uint8:
        return arr
    return (np.clip(arr, 0.0, 1.0) * 255).round().astype(np.uint8)


def write_mp4(frames: Any, path: str | os.PathLike, fps: int, metadata: dict[str, Any] | None = None,
              crf: int = 17) -> Path:
    """Encode (F, H, W, 3) frames to an H.264 MP4 at `path`, atomically."""
    video = to_uint8(frames)
    if video.ndim != 4 or video.shape[-1] != 3:
        raise ValueError(f"frames must have shape (F, H, W, 3), got {video.shape}")
    target = Path(path)
    n, h, w, _ = video.shape
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".mp4", dir=target.parent)
    os.close(fd)
    tags: list[str] = []
    if metadata:
        tags += ["-metadata", f"{METADATA_TAG}={json.dumps(metadata, ensure_ascii=False, sort_keys=True)}"]
        tags += ["-metadata", f"comment={metadata.get('prompt', '')}"]
    cmd = [
        _ffmpeg(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
        "-r", str(fps), "-i", "-", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", str(crf),
        "-preset", "medium", "-movflags", "+use_metadata_tags+faststart", *tags, tmp_name,
    ]
    try:
        proc = subprocess.run(cmd, input=np.ascontiguousarray(video).tobytes(), capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg could not encode the clip: {proc.stderr.decode(errors='replace').strip()[-300:]}")
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def read_tags(path: str | os.PathLike) -> dict[str, str]:
    """The container-level metadata tags of a media file, through ffmpeg's ffmetadata
    export (`ffmpeg -i FILE -f ffmetadata -`; the console listing truncates long values)."""
    proc = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise ValueError(f"{path} is not a readable media file: {proc.stderr.decode(errors='replace').strip()[-200:]}")
    return parse_ffmetadata(proc.stdout.decode("utf-8", errors="replace"))


def parse_ffmetadata(text: str) -> dict[str, str]:
    """Parse ffmpeg's FFMETADATA1 format: global `key=value` lines before the first
    [SECTION]; a backslash escapes `=`, `;`, `#`, backslash and newline."""
    entries: list[tuple[str, str | None]] = []
    key: list[str] = []
    value: list[str] | None = None
    escaped = False
    for ch in text + "\n":
        if escaped:
            (key if value is None else value).append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "\n":
            entries.append(("".join(key), None if value is None else "".join(value)))
            key, value = [], None
        elif ch == "=" and value is None:
            value = []
        else:
            (key if value is None else value).append(ch)
    tags: dict[str, str] = {}
    for k, v in entries:
        if k.startswith("["):
            break
        if v is not None and not k.startswith((";", "#")):
            tags[k] = v
    return tags


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The generation metadata that `write_mp4` stored, or {} if there is none."""
    raw = read_tags(path).get(METADATA_TAG)
    return json.loads(raw) if raw else {}


def read_frames(path: str | os.PathLike) -> np.ndarray:
    """Decode a clip back to (F, H, W, 3) uint8 frames (for tests and tools)."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = reader.__next__()
    w, h = meta["size"]
    frames = [np.frombuffer(buf, dtype=np.uint8).reshape(h, w, 3) for buf in reader]
    return np.stack(frames) if frames else np.zeros((0, h, w, 3), np.uint8)
