"""studio.export: run an export. The compiled filtergraph runs in one ffmpeg process that
writes raw frames to a pipe and the mixed audio to the work folder; Python marks frames
with the invisible watermark, takes the fingerprint and the poster on the way; a second
ffmpeg encodes the frames, a stream-copy remux adds the audio and the metadata label, and
c2pa signs the result. Everything is written into a hidden work folder next to the output
and renamed into place at the end (atomic); a failure or a cancel leaves nothing behind.

Every process is watched (`_Watch`): if one dies, if no frame moves for `stall_s`, or if
the whole export runs past a deadline derived from the cut's length, every process of
the export is killed at once (so nothing is left blocked on a pipe), the export fails
with one sentence, and its work folder is removed. A write that fails (a read-only or
full disk) fails the export the same way. The result is probed before it is put in place:
nothing is reported done without a playable output.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
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


def export_deadline_s(duration_s: float) -> float:
    """How long an export of a `duration_s` cut may take in all: five minutes plus a
    minute per second of cut (a slow CPU encodes 4K HEVC at a few frames a second)."""
    return 300.0 + 60.0 * max(duration_s, 0.0)


STALL_S = 120.0  # no frame and no progress line for this long: a process is stuck


class _Watch(threading.Thread):
    """Watches the processes of one export; on a death, a stall or the deadline it kills
    them all and records why (`kind`, `name`)."""

    def __init__(self, deadline_s: float, stall_s: float) -> None:
        super().__init__(daemon=True, name="export-watch")
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.deadline_s, self.stall_s = deadline_s, stall_s
        self.started = self.beat = time.monotonic()
        self.kind: str | None = None
        self.name = ""
        self.done = threading.Event()
        self.lock = threading.Lock()

    def add(self, name: str, proc: subprocess.Popen) -> None:
        self.procs.append((name, proc))

    def tick(self) -> None:
        self.beat = time.monotonic()

    def stop_watching(self) -> bool:
        """Stop watching (the main thread takes over); True when the watch had killed them."""
        with self.lock:
            self.done.set()
            return self.kind is not None

    def run(self) -> None:
        while not self.done.wait(0.2):
            with self.lock:
                if not self.done.is_set():
                    self._look()

    def _look(self) -> None:
        now = time.monotonic()
        dead = next(((n, p) for n, p in self.procs if p.poll() not in (None, 0)), None)
        if dead is not None:
            self._stop_all("died", dead[0])
        elif now - self.beat > self.stall_s:
            self._stop_all("stalled", next((n for n, p in self.procs if p.poll() is None), "ffmpeg"))
        elif now - self.started > self.deadline_s:
            self._stop_all("deadline", "")

    def _stop_all(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        self.done.set()

    def sentence(self, duration_s: float, errors: dict[str, str]) -> str:
        if self.kind == "stalled":
            return f"The export was stopped: its {self.name} made no progress for {self.stall_s:.0f} s."
        if self.kind == "deadline":
            return (f"The export was stopped: it ran longer than its limit of {self.deadline_s:.0f} s for a "
                    f"{duration_s:.1f} s cut.")
        what = {"renderer": "ffmpeg could not render the timeline", "encoder": "ffmpeg could not encode the frames"}
        detail = errors.get(self.name) or "it stopped unexpectedly"
        return f"{what.get(self.name, 'ffmpeg stopped')}: {detail}."


class _Progress(threading.Thread):
    """Reads ffmpeg's `-progress pipe:2` lines and reports a percent; keeps the other lines."""

    def __init__(self, stream, total_s: float, on_progress: Callable[[float], None] | None,  # noqa: ANN001
                 watch: _Watch | None = None) -> None:
        super().__init__(daemon=True)
        self.stream, self.total, self.on_progress, self.lines, self.watch = stream, total_s, on_progress, [], watch
        self.last_us = -1

    def run(self) -> None:
        for raw in self.stream:
            line = raw.decode("utf-8", "replace").strip()
            m = re.match(r"out_time_us=(\d+)", line)
            if m and self.watch is not None and int(m.group(1)) > self.last_us:
                self.last_us = int(m.group(1))  # a repeated time is ffmpeg standing still
                self.watch.tick()
            if m and self.on_progress and self.total > 0:
                self.on_progress(min(99.0, int(m.group(1)) / 1e6 / self.total * 100))
            elif "=" not in line or " " in line:
                self.lines.append(line)


def render(timeline: Timeline, output: Path | str, *, preset: str | None = None, fps: int | None = None,
           on_progress: Callable[[float], None] | None = None, cancel=None,  # noqa: ANN001 - engine.cancel.CancelToken
           extra_subtitles: list[Subtitle] | None = None, provenance: bool = True, stall_s: float = STALL_S,
           deadline_s: float | None = None) -> ExportResult:
    """Render `timeline` to `output`. `provenance=False` is for benchmarks only (composition cost).
    `stall_s` and `deadline_s` (default: from the cut's length) bound how long it may hang or take."""
    try:
        return _render(timeline, output, preset=preset, fps=fps, on_progress=on_progress, cancel=cancel,
                       extra_subtitles=extra_subtitles, provenance=provenance, stall_s=stall_s, deadline_s=deadline_s)
    except OSError as err:  # a folder that cannot be written, a full disk
        raise ExportError(f"The export could not write its files: {err.strerror or type(err).__name__}"
                          f"{' (' + Path(err.filename).name + ')' if getattr(err, 'filename', None) else ''}.") from None


def _render(timeline: Timeline, output: Path | str, *, preset: str | None, fps: int | None,
            on_progress: Callable[[float], None] | None, cancel,  # noqa: ANN001
            extra_subtitles: list[Subtitle] | None, provenance: bool, stall_s: float,
            deadline_s: float | None) -> ExportResult:
    from studio.provenance import c2pa_sign, label
    from studio.provenance.fingerprint import dhash, store_fingerprint
    from studio.provenance.watermark import MARK_EVERY, Marker
    from studio.safety.live import held_on_disk, held_sentence

    held = held_on_disk([c.source for c in timeline.clips])
    if held:  # a clip the frame safety check flagged stays out of every export until its owner releases it
        raise ExportError(held_sentence(*held[0]))
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
    watch: _Watch | None = None
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
        if len(plan.args) > 200_000:
            raise ExportError("The timeline is too large to render in one pass; split it into shorter timelines.")
        deadline = deadline_s if deadline_s is not None else export_deadline_s(plan.duration_s)
        watch = _Watch(deadline, stall_s)
        a = subprocess.Popen([ffmpeg_exe(), *plan.args], cwd=work, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE if provenance else subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(a)
        watch.add("renderer", a)
        watch.start()
        progress = _Progress(a.stderr, plan.duration_s, on_progress, watch)
        progress.start()
        result = ExportResult(output=output, content_id=content_id, duration_s=plan.duration_s, preset=p.name)
        if not provenance:
            while a.poll() is None:
                if cancel is not None and cancel.wait(0.2):
                    raise ExportCancelled()
                if cancel is None:
                    a.wait()
            progress.join()
            if watch.kind is not None:
                raise ExportError(watch.sentence(plan.duration_s, {"renderer": _first_error(chr(10).join(progress.lines))}))
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
        watch.add("encoder", b)
        b_err: list[bytes] = []
        b_reader = threading.Thread(target=lambda: b_err.append(b.stderr.read()), daemon=True)
        b_reader.start()
        marker = Marker(content_id, plan.width, plan.height) if p.container != "gif" else None
        frame_size = plan.width * plan.height * 3 // 2
        poster_at = int(min(plan.duration_s / 3, 3.0) * plan.fps)
        n = 0
        buf = bytearray(frame_size)
        encoder_gone = False
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
            watch.tick()
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
            except (BrokenPipeError, ValueError):
                encoder_gone = True  # (its exit status may not be readable yet)
                break
            n += 1
        try:
            b.stdin.close()
        except BrokenPipeError:
            encoder_gone = True
        killed_renderer = watch.stop_watching()
        if encoder_gone or b.poll() not in (None, 0):  # the encoder is gone: the renderer would block on a full pipe
            a.kill()
            killed_renderer = True
        a.wait()
        b.wait()
        progress.join()
        b_reader.join(10)
        errors = {"renderer": _first_error(chr(10).join(progress.lines)),
                  "encoder": _first_error(b"".join(b_err).decode("utf-8", "replace")) if any(b_err) else ""}
        if watch.kind is None:
            if a.returncode != 0 and not killed_renderer:
                watch.kind, watch.name = "died", "renderer"
            elif b.returncode != 0:
                watch.kind, watch.name = "died", "encoder"
        if watch.kind is not None:
            raise ExportError(watch.sentence(plan.duration_s, errors))
        if n == 0:
            raise ExportError("ffmpeg could not encode the frames: the timeline gave no frame.")
        timings["compose_encode"] = time.perf_counter() - t0 - timings["prepare"]
        t1 = time.perf_counter()
        voice = ", ".join(dict.fromkeys(f"{v.engine}/{v.voice}" for v in timeline.voice if v.engine))
        tags = label.label_tags(content_id, timeline.model, voice=voice)
        muxed = work / f"muxed{p.suffix}"
        streams = ["-i", str(video_tmp)] + (["-i", str(audio_file)] if p.audio_codec else [])
        maps = ["-map", "0:v"] + (["-map", "1:a"] if p.audio_codec else [])
        flags = ["-movflags", "+faststart+use_metadata_tags"] if p.container == "mp4" else []
        try:
            mux = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *streams, *maps,
                                  "-c", "copy", *(label.label_args(tags) if p.container != "gif" else []), *flags,
                                  str(muxed)], capture_output=True, text=True, errors="replace",
                                 timeout=max(stall_s, 30.0))
        except subprocess.TimeoutExpired:
            raise ExportError(f"The export was stopped: writing the final file made no progress for "
                              f"{max(stall_s, 30.0):.0f} s.") from None
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
        _verify(final, plan.duration_s)
        final.replace(output)
        if on_progress:
            on_progress(100.0)
        timings["total"] = time.perf_counter() - t0
        result.timings = timings
        return result
    finally:
        if watch is not None:
            watch.done.set()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def _verify(path: Path, duration_s: float) -> None:
    """The finished file plays: ffmpeg reads a video stream of about the planned length."""
    from studio.export.probe import probe

    try:
        info = probe(path, "export")
    except ValueError:
        info = None
    if info is None or not info.has_video or info.duration_s < min(duration_s, 1.0) * 0.5:
        raise ExportError("The export could not be verified: the finished file does not play as a video.")


def _write_poster(buf: bytearray, plan: Plan, path: Path) -> None:
    import cv2
    from PIL import Image

    yuv = np.frombuffer(buf, np.uint8).reshape(plan.height * 3 // 2, plan.width)
    Image.fromarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)).save(path, quality=88)
