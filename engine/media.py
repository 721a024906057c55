"""engine: what a media file is. Duration, streams (kind, codec, size, frame rate, frame
count, sample rate) and container tags, read through PyAV (FFmpeg's own libraries,
structured), never by parsing ffmpeg's console text. The one place that reads media
facts: the studio's input checks (studio/export/probe.py), its provenance report and its
label reader build on `probe_media`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

DAMAGE_SUFFIXES = (".mp4", ".mov", ".m4a", ".m4v")  # an index-based container: unreadable = truncated
TEXT_FORMATS = ("tty",)  # FFmpeg shows any text file as ANSI art "video": that is not media to cut


class MediaUnreadable(ValueError):
    """FFmpeg cannot read the file as audio or video; `damaged` when it looks like a broken real file."""

    def __init__(self, path: Path, damaged: bool, detail: str):
        self.path, self.damaged, self.detail = path, damaged, detail
        reason = "it is damaged (truncated or corrupted)" if damaged else "ffmpeg cannot read it as audio or video"
        super().__init__(f"{path.name!r} is not usable media: {reason}.")


@dataclass(frozen=True)
class StreamFacts:
    kind: str  # "video" | "audio" | "subtitle" | "data" | ...
    codec: str  # FFmpeg's codec name: h264, hevc, vp9, gif, png, aac, mp3, opus, ...
    width: int = 0
    height: int = 0
    fps: float = 0.0  # average frame rate (0 when the container does not say)
    frames: int = 0  # frame count from the container (0 when it does not say)
    sample_rate: int = 0
    channels: int = 0
    duration_s: float = 0.0


@dataclass(frozen=True)
class MediaFacts:
    path: Path
    format: str  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration_s: float
    streams: tuple[StreamFacts, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)  # container-level metadata, values in full
    first_frame_decoded: bool = False  # a video frame (or an audio frame, for sound only) decoded

    @property
    def video(self) -> StreamFacts | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamFacts | None:
        return next((s for s in self.streams if s.kind == "audio"), None)


def _seconds(value: int | None, base: Fraction | None) -> float:
    return float(value * base) if value is not None and base is not None else 0.0


def _stream(stream) -> StreamFacts:  # noqa: ANN001 - av.stream.Stream
    ctx = stream.codec_context
    kind = stream.type
    rate = (getattr(stream, "average_rate", None) or getattr(stream, "guessed_rate", None)) if kind == "video" else None
    return StreamFacts(
        kind=kind, codec=(ctx.codec.canonical_name or ctx.name) if ctx is not None else "",  # "mp3", not the decoder "mp3float"
        width=int(getattr(ctx, "width", 0) or 0) if kind == "video" else 0,
        height=int(getattr(ctx, "height", 0) or 0) if kind == "video" else 0,
        fps=round(float(rate), 3) if rate else 0.0,
        frames=int(stream.frames or 0),
        sample_rate=int(getattr(ctx, "sample_rate", 0) or 0) if kind == "audio" else 0,
        channels=int(getattr(ctx, "channels", 0) or 0) if kind == "audio" else 0,
        duration_s=_seconds(stream.duration, stream.time_base),
    )


def probe_media(path: str | os.PathLike, *, decode: bool = True) -> MediaFacts:
    """The facts of the media file at `path`; with `decode`, one frame is decoded to prove the
    data is readable. Raises FileNotFoundError, or MediaUnreadable when FFmpeg cannot read it.

    The file is handed to FFmpeg as an open Python file, so its name is never read as a URL or
    a protocol (`concat:`, `http:`) and no other file is opened on its behalf."""
    import av

    path = Path(path)
    try:
        with open(path, "rb") as fh, av.open(fh, mode="r") as container:
            streams = tuple(_stream(s) for s in container.streams)
            duration = _seconds(container.duration, Fraction(1, av.time_base))
            if not duration:
                duration = max((s.duration_s for s in streams), default=0.0)
            tags = {str(k): str(v) for k, v in (container.metadata or {}).items()}
            decoded = False
            if decode and (container.streams.video or container.streams.audio):
                which = {"video": 0} if container.streams.video else {"audio": 0}
                try:
                    decoded = next(iter(container.decode(**which)), None) is not None
                except (av.FFmpegError, StopIteration):
                    decoded = False
            fmt = container.format.name
    except av.FFmpegError as err:
        raise MediaUnreadable(path, path.suffix.lower() in DAMAGE_SUFFIXES, str(err)) from None
    if fmt in TEXT_FORMATS or not any(s.kind in ("video", "audio") for s in streams):
        raise MediaUnreadable(path, False, f"format {fmt}: no audio or video")
    return MediaFacts(path=path, format=fmt, duration_s=round(duration, 6), streams=streams, tags=tags,
                      first_frame_decoded=decoded)
