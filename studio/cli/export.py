"""studio.cli: the export commands — `shotline cut`, `shotline render`, `shotline verify`,
`shotline export-presets` — the one-click path from clips to a labelled, signed cut."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studio.cli import UserError

TRANSITION_HELP = "KIND[:SECONDS] between every pair of clips, or a comma list, one per pair (KIND: cut, crossfade, fade-black, fade-white, wipe, slide)"


def _progress(percent: float) -> None:
    print(f"\rrendering {percent:5.1f}%", end="" if percent < 100 else "\n", file=sys.stderr, flush=True)


def parse_transitions(spec: str, pairs: int) -> list[dict]:
    from studio.timeline.model import TRANSITIONS

    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if len(parts) == 1:
        parts = parts * pairs
    if len(parts) != pairs:
        raise UserError(f"--transition {spec!r} is not accepted; give one transition for all pairs or {pairs} separated by commas.")
    out = []
    for part in parts:
        kind, _, secs = part.partition(":")
        if kind not in TRANSITIONS:
            raise UserError(f"--transition kind {kind!r} is not accepted; one of {', '.join(TRANSITIONS)}.")
        try:
            duration = float(secs) if secs else (0.0 if kind == "cut" else 0.5)
        except ValueError:
            raise UserError(f"--transition duration {secs!r} is not accepted; a number of seconds like 0.5.") from None
        out.append({"kind": kind, "duration_s": duration})
    return out


def _render(timeline, args: argparse.Namespace, extra_subtitles=None) -> int:  # noqa: ANN001
    from studio.export.run import ExportError, render

    out = Path(args.out)
    if getattr(args, "smooth_motion", False):
        timeline.smooth_motion = True
    try:
        result = render(timeline, out, preset=args.preset, fps=args.fps, on_progress=None if args.quiet else _progress,
                        extra_subtitles=extra_subtitles)
    except ExportError as err:
        raise UserError(str(err)) from None
    if getattr(args, "otio", None):
        from studio.timeline.otio import write_otio

        write_otio(timeline, Path(args.otio))
    if getattr(args, "save_timeline", None):
        Path(args.save_timeline).write_text(json.dumps(timeline.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{result.output}  ({result.duration_s:.2f} s, preset {result.preset}, content id {result.content_id})")
    for kind, path in result.sidecars.items():
        print(f"  {kind}: {path}")
    return 0


def cmd_cut(args: argparse.Namespace) -> int:
    from studio.export.subtitles import read_srt
    from studio.timeline.model import Timeline

    clips = [{"source": c} for c in args.clips]
    data: dict = {"clips": clips, "preset": args.preset or "720p", "model": args.model or ""}
    if len(clips) > 1 and args.transition:
        data["transitions"] = parse_transitions(args.transition, len(clips) - 1)
    if args.music:
        data["music"] = [{"source": args.music, "volume": args.music_volume, "fade_in_s": args.music_fade,
                          "fade_out_s": args.music_fade, "loop": True}]
    if args.logo:
        data["logo"] = {"source": args.logo, "corner": args.logo_corner}
    if args.title:
        data["title"] = {"text": args.title}
    if args.end_card:
        data["end_card"] = {"text": args.end_card}
    data["label"] = {"position": args.label_position, "language": args.label_language, "text": args.label_text}
    timeline = Timeline.from_dict(data)
    subs = read_srt(args.subtitles) if args.subtitles else []
    timeline.subtitles = subs
    if args.storyboard:
        from studio.cli.voice import voice_from_storyboard

        timeline = voice_from_storyboard(timeline, args)
    return _render(timeline, args)


def cmd_render(args: argparse.Namespace) -> int:
    from studio.timeline.model import Timeline

    path = Path(args.timeline)
    if not path.is_file():
        raise UserError(f"timeline {str(path)!r} does not exist; give a .json (or .otio) timeline file.")
    if path.suffix.lower() == ".otio":
        from studio.timeline.otio import read_otio

        timeline = read_otio(path)
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise UserError(f"timeline {path.name!r} is not valid JSON ({err}); see docs/export.md for the format.") from None
        timeline = Timeline.from_dict(data)
    if args.preset is None:
        args.preset = timeline.preset
    return _render(timeline, args)


def cmd_verify(args: argparse.Namespace) -> int:
    from studio.provenance.verify import verify

    report = verify(Path(args.file))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report.summary()))
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from studio.export.presets import list_presets

    for p in list_presets():
        print(f"{p.name:<14} {p.width}x{p.height} {p.fps} fps {p.container:<5} {p.video_codec:<11} {p.description}")
    return 0


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="the file to write (its folder also receives the .srt and poster .jpg)")
    p.add_argument("--preset", default=None, help="export preset (see `shotline export-presets`; default 720p)")
    p.add_argument("--fps", type=int, choices=(24, 25, 30, 32), default=None, help="output frame rate (default: the preset's)")
    p.add_argument("--smooth-motion", action="store_true",
                   help="interpolate 16 fps clips to the output rate (ffmpeg minterpolate) instead of repeating frames")
    p.add_argument("--otio", default=None, help="also write the timeline as OpenTimelineIO to this .otio file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def register(sub: argparse._SubParsersAction) -> None:
    from studio.timeline.model import CORNERS, LABEL_LANGUAGES

    p = sub.add_parser("cut", help="cut clips into a finished, labelled, signed video")
    p.add_argument("clips", nargs="+", help="video clips, in order")
    p.add_argument("--transition", default="cut", help=TRANSITION_HELP)
    p.add_argument("--music", help="music file (looped to fill, faded in and out, loudness-normalised)")
    p.add_argument("--music-volume", type=float, default=1.0)
    p.add_argument("--music-fade", type=float, default=1.0, help="fade in/out seconds (default 1)")
    p.add_argument("--logo", help="logo image (PNG/JPEG/WebP)")
    p.add_argument("--logo-corner", default="top-right", choices=CORNERS)
    p.add_argument("--subtitles", help="an .srt file (UTF-8), timed on the finished cut")
    p.add_argument("--title", help="title card text")
    p.add_argument("--end-card", help="end card text")
    p.add_argument("--label-text", default=None, help="wording of the AI-generated label (it is always shown)")
    p.add_argument("--label-position", default="top-left", choices=CORNERS)
    p.add_argument("--label-language", default="zh+en", choices=LABEL_LANGUAGES)
    p.add_argument("--model", default="", help="the model that generated the clips (recorded in the provenance)")
    p.add_argument("--save-timeline", default=None, help="also write the timeline JSON here (for `shotline render`)")
    from studio.cli.voice import add_voice_options

    add_voice_options(p)
    _output_options(p)
    p.set_defaults(func=cmd_cut)

    p = sub.add_parser("render", help="render a timeline .json (or .otio) file")
    p.add_argument("timeline")
    _output_options(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("verify", help="report a file's C2PA manifest, AI label, watermark and library match")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("export-presets", help="list the export presets")
    p.set_defaults(func=cmd_presets)
