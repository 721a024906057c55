"""studio.export: compile a Timeline into ONE ffmpeg argument list with one -filter_complex
(video and audio), never a shell string. Inputs are opened as `file:` URLs under
`-protocol_whitelist file`; user text reaches ffmpeg only through the ASS file that the
plan writes into its work folder (next to the output), referenced by a fixed relative name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shotline.data import asset_path
from studio.export.presets import Preset
from studio.export.probe import MediaInfo, check_audio, check_image, check_video, input_url
from studio.export.subtitles import build_ass, build_srt
from studio.timeline.model import Subtitle, Timeline

FONT_DIR = asset_path("fonts")
FONT_FAMILY = "Noto Sans CJK SC"
ASS_NAME = "text.ass"  # relative to the work folder, which is ffmpeg's cwd: no user text in the filter
FONTS_NAME = "fonts"
SMOOTH_FILTER = "minterpolate=fps={rate}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1"
XFADE = {"crossfade": "fade", "fade-black": "fadeblack", "fade-white": "fadewhite", "wipe": "wipeleft", "slide": "slideleft"}


@dataclass
class Plan:
    """Everything needed to run one export; `args` excludes the ffmpeg executable."""

    args: list[str]
    ass_text: str
    srt_text: str
    duration_s: float
    width: int
    height: int
    fps: int
    lengths: list[float]
    starts: list[float]
    inputs: list[MediaInfo] = field(default_factory=list)


def _fit(label_in: str, label_out: str, w: int, h: int, fit: str) -> str:
    if fit == "crop":
        return f"[{label_in}]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}[{label_out}]"
    if fit == "blur":
        return (f"[{label_in}]split=2[{label_out}b][{label_out}f];"
                f"[{label_out}b]scale={w // 8 * 2}:{h // 8 * 2}:force_original_aspect_ratio=increase,crop={w // 8 * 2}:{h // 8 * 2},"
                f"gblur=sigma=6,scale={w}:{h}[{label_out}bg];"
                f"[{label_out}f]scale={w}:{h}:force_original_aspect_ratio=decrease[{label_out}fg];"
                f"[{label_out}bg][{label_out}fg]overlay=(W-w)/2:(H-h)/2[{label_out}]")
    return (f"[{label_in}]scale={w}:{h}:force_original_aspect_ratio=decrease,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black[{label_out}]")


def compile_timeline(timeline: Timeline, preset: Preset, *, video_out: list[str], audio_out: list[str],
                     fps: int | None = None, extra_subtitles: list[Subtitle] | None = None) -> Plan:
    """Probe the inputs, check the timing, and build the argument list.

    `video_out` / `audio_out` are the output options that follow `-map [vout]` / `-map [aout]`
    (the runner chooses: encode straight to the file, or raw frames to a pipe for marking).
    """
    w, h, rate = preset.width, preset.height, fps or preset.fps
    args: list[str] = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:2", "-nostats"]
    infos = [check_video(c.source, f"clip {i + 1}") for i, c in enumerate(timeline.clips)]
    lengths = [c.length(info.duration_s) for c, info in zip(timeline.clips, infos, strict=False)]
    timeline.check_lengths(lengths)

    # Segments: optional title card, the clips, optional end card (cards join with a cut).
    segs: list[tuple[str, float]] = []  # (kind, length)
    durs: list[float] = []  # transition duration before each segment after the first
    kinds: list[str] = []
    if timeline.title:
        segs.append(("title", timeline.title.duration_s))
    for i, length in enumerate(lengths):
        if i > 0:
            durs.append(timeline.transitions[i - 1].duration_s)
            kinds.append(timeline.transitions[i - 1].kind)
        elif segs:
            durs.append(0.0)
            kinds.append("cut")
        segs.append(("clip", length))
    if timeline.end_card:
        durs.append(0.0)
        kinds.append("cut")
        segs.append(("end", timeline.end_card.duration_s))
    starts = [0.0]
    for (_, length), d in zip(segs[:-1], durs, strict=False):
        starts.append(starts[-1] + length - d)
    total = starts[-1] + segs[-1][1]

    graph: list[str] = []
    n_in = 0
    clip_i = 0
    for s, (kind, length) in enumerate(segs):
        if kind == "clip":
            clip = timeline.clips[clip_i]
            src_len = length * clip.speed
            args += ["-protocol_whitelist", "file", "-ss", f"{clip.in_s:.3f}", "-t", f"{src_len + 0.05:.3f}",
                     "-i", input_url(Path(clip.source))]
            speed = f"setpts=(PTS-STARTPTS)/{clip.speed:g}," if clip.speed != 1 else "setpts=PTS-STARTPTS,"
            # Scale at the source rate (16 fps for Wan), then convert the rate: fewer frames to scale.
            # Smooth motion: motion-compensated interpolation to the export rate (no weights), at
            # the source size, so the fps filter below has no frames to repeat. One cloned frame
            # lets minterpolate reach the last source frame (it stops a frame early without).
            smooth = f"tpad=stop_mode=clone:stop=1,{SMOOTH_FILTER.format(rate=rate)}," if timeline.smooth_motion else ""
            graph.append(f"[{n_in}:v]{speed}{smooth}format=yuv420p[s{s}r]")
            graph.append(_fit(f"s{s}r", f"s{s}f", w, h, preset.fit))
            graph.append(f"[s{s}f]fps={rate},setsar=1,trim=duration={length:.4f},setpts=PTS-STARTPTS,"
                         f"tpad=stop_mode=clone:stop_duration={1 / rate:.4f},trim=duration={length:.4f},settb=1/{rate}[s{s}]")
            n_in += 1
            clip_i += 1
        else:
            card = timeline.title if kind == "title" else timeline.end_card
            assert card is not None
            graph.append(f"color=c=0x{card.background[1:]}:s={w}x{h}:r={rate}:d={length:.4f},format=yuv420p,setsar=1,settb=1/{rate}[s{s}]")
    cur = "s0"
    for s in range(1, len(segs)):
        out = f"x{s}"
        if durs[s - 1] <= 0:
            graph.append(f"[{cur}][s{s}]concat=n=2:v=1:a=0,settb=1/{rate}[{out}]")
        else:
            graph.append(f"[{cur}][s{s}]xfade=transition={XFADE[kinds[s - 1]]}:duration={durs[s - 1]:.4f}:offset={starts[s]:.4f}[{out}]")
        cur = out

    if timeline.logo:
        logo = timeline.logo
        check_image(logo.source)
        args += ["-protocol_whitelist", "file", "-i", input_url(Path(logo.source))]
        lw = max(2, round(w * logo.scale / 2) * 2)
        graph.append(f"[{n_in}:v]scale={lw}:-2,format=rgba,colorchannelmixer=aa={logo.opacity:.3f}[logo]")
        m = logo.margin
        if logo.corner:
            x = f"{m}" if "left" in logo.corner else f"main_w-overlay_w-{m}"
            y = f"{m}" if "top" in logo.corner else f"main_h-overlay_h-{m}"
        else:
            x, y = str(logo.x), str(logo.y)
        end = logo.end_s if logo.end_s is not None else total + 1
        graph.append(f"[{cur}][logo]overlay=x={x}:y={y}:enable='between(t,{logo.start_s:.3f},{end:.3f})'[lg]")
        cur = "lg"
        n_in += 1

    # Text: subtitles (per clip, shifted to the timeline; free timing), cards, the label -> one ASS file.
    lines: list[Subtitle] = []
    clip_starts = [st for st, (kind, _) in zip(starts, segs, strict=False) if kind == "clip"]
    for clip, start, length in zip(timeline.clips, clip_starts, lengths, strict=False):
        for sub in clip.subtitles:
            a, b = start + sub.start_s / clip.speed, min(start + sub.end_s / clip.speed, start + length)
            if a < b:
                lines.append(Subtitle(a, b, sub.text))
    lines += [x for x in [*timeline.subtitles, *(extra_subtitles or [])] if x.start_s < total]
    lines = [Subtitle(x.start_s, min(x.end_s, total), x.text) for x in sorted(lines, key=lambda x: x.start_s)]
    cards = []
    if timeline.title:
        cards.append((0.0, timeline.title.duration_s, timeline.title.text, timeline.title.colour, timeline.title.size))
    if timeline.end_card:
        end = timeline.end_card
        cards.append((starts[-1], starts[-1] + end.duration_s, end.text, end.colour, end.size))
    ass = build_ass(timeline, w, h, lines, cards, total, FONT_FAMILY)
    graph.append(f"[{cur}]subtitles=filename={ASS_NAME}:fontsdir={FONTS_NAME},format=yuv420p[vout]")

    music_infos = _audio_graph(timeline, preset, graph, args, n_in, total, clip_starts) if audio_out else []

    args += ["-filter_complex", ";".join(graph), "-map", "[vout]", *video_out]
    if audio_out:
        args += ["-map", "[aout]", *audio_out]
    return Plan(args=args, ass_text=ass, srt_text=build_srt(lines), duration_s=total, width=w, height=h, fps=rate,
                lengths=lengths, starts=starts, inputs=infos + music_infos)


def _audio_graph(timeline: Timeline, preset: Preset, graph: list[str], args: list[str], n_in: int, total: float,
                 clip_starts: list[float]) -> list[MediaInfo]:
    """Music tracks -> trimmed, looped, faded, delayed, mixed [music]; voice clips -> delayed,
    mixed [voice]; music ducks under the voice (sidechaincompress); loudness-normalised [aout]."""
    audio_parts: list[str] = []
    music_infos: list[MediaInfo] = []
    for k, track in enumerate(timeline.music):
        info = check_audio(track.source, f"music {k + 1}")
        music_infos.append(info)
        src_end = min(track.trim_out_s or info.duration_s, info.duration_s)
        seg = src_end - track.trim_in_s
        if seg <= 0.01:
            raise ValueError(f"music {k + 1} trim_in_s {track.trim_in_s:g} is not accepted; "
                             f"it must be before the end of the file ({info.duration_s:.2f} s).")
        if track.offset_s >= total:
            continue
        avail = total - track.offset_s if track.loop else min(total - track.offset_s, seg)
        args += ["-protocol_whitelist", "file", "-i", input_url(Path(track.source))]
        chain = (f"[{n_in}:a]aformat=sample_rates=48000:channel_layouts=stereo,"
                 f"atrim=start={track.trim_in_s:.3f}:end={src_end:.3f},asetpts=PTS-STARTPTS")
        if track.loop:
            chain += f",aloop=loop=-1:size={int(seg * 48000) + 1}"
        chain += f",atrim=duration={avail:.3f},volume={track.volume * timeline.music_volume:.3f}"
        if track.fade_in_s:
            chain += f",afade=t=in:st=0:d={min(track.fade_in_s, avail):.3f}"
        if track.fade_out_s:
            fo = min(track.fade_out_s, avail)
            chain += f",afade=t=out:st={avail - fo:.3f}:d={fo:.3f}"
        delay = round(track.offset_s * 1000)
        chain += f",adelay={delay}|{delay}[m{k}]"
        graph.append(chain)
        audio_parts.append(f"[m{k}]")
        n_in += 1
    voice_part, n_in = voice_graph(timeline, graph, args, n_in, total, clip_starts, music_infos)
    if audio_parts and voice_part:
        music = f"{''.join(audio_parts)}amix=inputs={len(audio_parts)}:normalize=0:duration=longest" if len(audio_parts) > 1 else f"{audio_parts[0]}anull"
        graph.append(f"{music},apad,atrim=duration={total:.4f}[music]")
        graph.append(f"{voice_part}asplit=2[vmix][vkey]")
        if timeline.duck_db > 0:
            graph.append(f"[music][vkey]{duck_filter(timeline.duck_db)}[ducked]")
        else:
            graph.append("[vkey]anullsink;[music]anull[ducked]")
        audio_parts = ["[ducked][vmix]amix=inputs=2:normalize=0:duration=first"]
    elif voice_part:
        audio_parts = [voice_part]
    if audio_parts:
        if audio_parts[0].endswith("duration=first"):
            mix = audio_parts[0] + ","
        else:
            mix = f"{''.join(audio_parts)}amix=inputs={len(audio_parts)}:normalize=0:duration=longest," if len(audio_parts) > 1 else f"{audio_parts[0]}anull,"
        norm = "loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000," if preset.loudnorm else ""
        graph.append(f"{mix}apad,atrim=duration={total:.4f},{norm}aformat=sample_rates=48000:channel_layouts=stereo[aout]")
    else:
        graph.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={total:.4f}[aout]")

    return music_infos


def duck_filter(duck_db: float) -> str:
    """Music under speech drops by `duck_db`: a hard compressor keyed by the voice pulls the
    music to near silence, and `mix` keeps 10^(-duck_db/20) of the dry music, so the drop
    is the set amount rather than a function of how loud the voice is."""
    keep = 10 ** (-duck_db / 20)
    return (f"sidechaincompress=threshold=0.003:ratio=20:attack=20:release=300:knee=1:detection=peak:"
            f"mix={1 - keep:.4f}")


def voice_graph(timeline: Timeline, graph: list[str], args: list[str], n_in: int, total: float,
                clip_starts: list[float], infos: list[MediaInfo]) -> tuple[str, int]:
    """The voice track: each clip delayed to its place and scaled by its and the timeline's
    volume, mixed and padded to the cut's length. Returns ("[voice]" or "", next input)."""
    parts = []
    for k, vc in enumerate(timeline.voice):
        info = check_audio(vc.source, f"voice {k + 1}")
        infos.append(info)
        start = vc.start_s
        if vc.shot is not None:
            if vc.shot >= len(clip_starts):
                raise ValueError(f"voice {k + 1} shot {vc.shot} is not accepted; a clip number from 0 to {len(clip_starts) - 1}.")
            start += clip_starts[vc.shot]
        if start >= total:
            continue
        args += ["-protocol_whitelist", "file", "-i", input_url(Path(vc.source))]
        delay = round(start * 1000)
        graph.append(f"[{n_in}:a]aformat=sample_rates=48000:channel_layouts=stereo,asetpts=PTS-STARTPTS,"
                     f"volume={vc.volume * timeline.voice_volume:.3f},adelay={delay}|{delay}[vo{k}]")
        parts.append(f"[vo{k}]")
        n_in += 1
    if not parts:
        return "", n_in
    mix = f"{''.join(parts)}amix=inputs={len(parts)}:normalize=0:duration=longest" if len(parts) > 1 else f"{parts[0]}anull"
    graph.append(f"{mix},apad,atrim=duration={total:.4f}[voice]")
    return "[voice]", n_in
