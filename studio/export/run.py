"""studio.export: run an export. The compiled filtergraph runs in one ffmpeg process that
writes raw frames to a pipe and the mixed audio to the work folder; Python marks frames
with the invisible watermark, takes the fingerprint and the poster on the way; a second
ffmpeg encodes the frames, a stream-copy remux adds the audio and the metadata label, and
c2pa signs the result. Everything is written into a hidden work folder next to the output
and renamed into place at the end (atomic); a failure or a cancel leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.errors import UserError
from studio.export.compile import ASS_NAME, FONT_DIR, FONTS_NAME, Plan, compile_timeline
from studio.export.presets import Preset, get_preset
from studio.export.probe import ffmpeg_exe
from studio.timeline.model import Subtitle, Timeline


class ExportError(UserError, RuntimeError):
    """ffmpeg or signing failed; the message is one sentence for the user."""


class ExportCancelled(Exception):
    """The export was cancelled; nothing was written."""


@dataclass
class ExportResult:
    output: Path
    content_id: str
    duration_s: float
    preset: str
    sidecars: dict[str, Path] = field(default_factory=dict)
    fingerprint: list[int] = field(default_factory=list)
    marked_frames: int = 0
    c2pa_signed: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def _encoder_args(preset: Preset, rate: int) -> list[str]:
    if preset.container == "gif":
        return ["-vf", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer", "-loop", "0"]
    if preset.video_codec == "libx264":
        return ["-c:v", "libx264", "-preset", preset.encoder_preset or "veryfast", "-crf", str(preset.crf), "-pix_fmt", "yuv420p",
                "-g", str(rate * 2)]
    if preset.video_codec == "libx265":
        return ["-c:v", "libx265", "-preset", preset.encoder_preset or "veryfast", "-crf", str(preset.crf), "-pix_fmt", "yuv420p",
                "-tag:v", "hvc1", "-x265-params", "log-level=error"]
    return ["-c:v", "libvpx-vp9", "-crf", str(preset.crf), "-b:v", "0", "-row-mt", "1", "-deadline", "realtime",
            "-cpu-used", "8", "-pix_fmt", "yuv420p"]


def _audio_args(preset: Preset) -> list[str]:
    return ["-c:a", preset.audio_codec, "-b:a", preset.audio_bitrate] if preset.audio_codec else []


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "=" not in ln.split(" ", 1)[0]]
    lines = [ln for ln in lines if not ln.startswith(("Conversion failed", "[out#"))] or lines
    return re.sub(r"^\[[^\]]*\] ?", "", lines[0])[:300] if lines else "ffmpeg stopped without saying why"


class _Progress(threading.Thread):
    """Reads ffmpeg's `-progress pipe:2` lines and reports a percent; keeps the other lines."""

    def __init__(self, stream, total_s: float, on_progress: Callable[[float], None] | None) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.stream, self.total, self.on_progress, self.lines = stream, total_s, on_progress, []

    def run(self) -> None:
        for raw in self.stream:
            line = raw.decode("utf-8", "replace").strip()
            m = re.match(r"out_time_us=(\d+)", line)
            if m and self.on_progress and self.total > 0:
                self.on_progress(min(99.0, int(m.group(1)) / 1e6 / self.total * 100))
            elif "=" not in line or " " in line:
                self.lines.append(line)


def render(timeline: Timeline, output: Path | str, *, preset: str | None = None, fps: int | None = None,
           on_progress: Callable[[float], None] | None = None, cancel=None,  # noqa: ANN001 - engine.cancel.CancelToken
           extra_subtitles: list[Subtitle] | None = None, provenance: bool = True) -> ExportResult:
    """Render `timeline` to `output`. `provenance=False` is for benchmarks only (composition cost)."""
    import time

    from studio.provenance import c2pa_sign, label
    from studio.provenance.fingerprint import dhash, store_fingerprint
    from studio.provenance.watermark import MARK_EVERY, Marker

    t0 = time.perf_counter()
    p = get_preset(preset or timeline.preset)
    output = Path(output).expanduser().resolve()
    if output.suffix.lower() != p.suffix:
        raise ValueError(f"output {output.name!r} does not end in {p.suffix}; preset {p.name!r} writes {p.container.upper()} files.")
    output.parent.mkdir(parents=True, exist_ok=True)
    content_id = uuid.uuid4().hex
    work = output.parent / f".shotline-{content_id[:12]}"
    work.mkdir()
    procs: list[subprocess.Popen] = []
    try:
        raw_video = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"]
        audio_file = work / ("audio.mka" if p.container == "webm" else "audio.m4a")
        direct = work / f"direct{p.suffix}"
        if provenance:
            plan = compile_timeline(timeline, p, video_out=raw_video, audio_out=[*_audio_args(p), str(audio_file)] if p.audio_codec else [],
                                    fps=fps, extra_subtitles=extra_subtitles)
        else:
            plan = compile_timeline(timeline, p, video_out=_encoder_args(p, fps or p.fps), audio_out=[*_audio_args(p), str(direct)] if p.audio_codec else [],
                                    fps=fps, extra_subtitles=extra_subtitles)
            if not p.audio_codec:
                plan.args.append(str(direct))
        (work / ASS_NAME).write_text(plan.ass_text, encoding="utf-8")
        (work / FONTS_NAME).mkdir()
        for font in FONT_DIR.glob("*.otf"):
            shutil.copyfile(font, work / FONTS_NAME / font.name)
        timings = {"prepare": time.perf_counter() - t0}
        a = subprocess.Popen([ffmpeg_exe(), *plan.args], cwd=work, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE if provenance else subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(a)
        progress = _Progress(a.stderr, plan.duration_s, on_progress)
        progress.start()
        result = ExportResult(output=output, content_id=content_id, duration_s=plan.duration_s, preset=p.name)
        if not provenance:
            while a.poll() is None:
                if cancel is not None and cancel.wait(0.2):
                    raise ExportCancelled()
                if cancel is None:
                    a.wait()
            progress.join()
            if a.returncode != 0:
                raise ExportError(f"ffmpeg could not render the timeline: {_first_error(chr(10).join(progress.lines))}.")
            direct.replace(output)
            result.timings = {**timings, "total": time.perf_counter() - t0}
            return result
        video_tmp = work / f"video{p.suffix}"
        b = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "rawvideo",
                              "-pix_fmt", "yuv420p", "-s", f"{plan.width}x{plan.height}", "-r", str(plan.fps), "-i", "pipe:0",
                              *_encoder_args(p, plan.fps), str(video_tmp)],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(b)
        b_err: list[bytes] = []
        threading.Thread(target=lambda: b_err.append(b.stderr.read()), daemon=True).start()
        marker = Marker(content_id, plan.width, plan.height) if p.container != "gif" else None
        frame_size = plan.width * plan.height * 3 // 2
        poster_at = int(min(plan.duration_s / 3, 3.0) * plan.fps)
        n = 0
        buf = bytearray(frame_size)
        while True:
            if cancel is not None and cancel.cancelled:
                raise ExportCancelled()
            got = a.stdout.readinto(buf)
            if not got:
                break
            while got < frame_size:
                more = a.stdout.read(frame_size - got)
                if not more:
                    break
                buf[got:got + len(more)] = more
                got += len(more)
            if got < frame_size:
                break
            y = np.frombuffer(buf, np.uint8, count=plan.width * plan.height).reshape(plan.height, plan.width)
            if n % plan.fps == 0:
                result.fingerprint.append(dhash(y))
            if n == poster_at and p.poster:
                _write_poster(buf, plan, work / "poster.jpg")
            if marker is not None and n % MARK_EVERY == 0:
                marker.mark_luma(y)
                result.marked_frames += 1
            try:
                b.stdin.write(buf)
            except BrokenPipeError:
                break
            n += 1
        b.stdin.close()
        a.wait()
        b.wait()
        progress.join()
        if a.returncode != 0:
            raise ExportError(f"ffmpeg could not render the timeline: {_first_error(chr(10).join(progress.lines))}.")
        if b.returncode != 0 or n == 0:
            raise ExportError(f"ffmpeg could not encode the frames: {_first_error(b''.join(b_err).decode('utf-8', 'replace'))}.")
        timings["compose_encode"] = time.perf_counter() - t0 - timings["prepare"]
        t1 = time.perf_counter()
        voice = ", ".join(dict.fromkeys(f"{v.engine}/{v.voice}" for v in timeline.voice if v.engine))
        tags = label.label_tags(content_id, timeline.model, voice=voice)
        muxed = work / f"muxed{p.suffix}"
        streams = ["-i", str(video_tmp)] + (["-i", str(audio_file)] if p.audio_codec else [])
        maps = ["-map", "0:v"] + (["-map", "1:a"] if p.audio_codec else [])
        flags = ["-movflags", "+faststart+use_metadata_tags"] if p.container == "mp4" else []
        mux = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *streams, *maps, "-c", "copy",
                              *(label.label_args(tags) if p.container != "gif" else []), *flags, str(muxed)],
                             capture_output=True, text=True, errors="replace")
        if mux.returncode != 0:
            raise ExportError(f"ffmpeg could not write the final file: {_first_error(mux.stderr)}.")
        final = muxed
        if p.container in ("mp4", "gif"):  # c2pa cannot bind a manifest to WebM
            signed = work / f"signed{p.suffix}"
            c2pa_sign.sign(muxed, signed, content_id, timeline.model, voice)
            final, result.c2pa_signed = signed, True
        timings["provenance_after"] = time.perf_counter() - t1
        store_fingerprint(content_id, output, result.fingerprint, plan.duration_s, timeline.model)
        if p.srt and plan.srt_text:
            srt = output.with_suffix(".srt")
            (work / "sidecar.srt").write_text(plan.srt_text, encoding="utf-8")
            (work / "sidecar.srt").replace(srt)
            result.sidecars["srt"] = srt
        if (work / "poster.jpg").exists():
            (work / "poster.jpg").replace(output.with_suffix(".jpg"))
            result.sidecars["poster"] = output.with_suffix(".jpg")
        final.replace(output)
        if on_progress:
            on_progress(100.0)
        timings["total"] = time.perf_counter() - t0
        result.timings = timings
        return result
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def _write_poster(buf: bytearray, plan: Plan, path: Path) -> None:
    import cv2
    from PIL import Image

    yuv = np.frombuffer(buf, np.uint8).reshape(plan.height * 3 // 2, plan.width)
    Image.fromarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)).save(path, quality=88)
