"""studio.cli: the voice commands — `shotline speak` speaks one line to a WAV (or takes a
recorded line instead) and says which engine and voice it used; `shotline voices` lists
the voices of every engine card with the state of their weights."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from studio.cli import UserError

ROBOTIC_NOTE = "eSpeak NG is the robotic offline fallback; a Kokoro voice sounds natural once its weights are in the hub cache."


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("speak", help="speak one line of text to a WAV file",
                       description="Speak one line (Chinese or English) with a voice engine and write a WAV file.")
    p.add_argument("text", help="the line to speak (1 to 2000 characters)")
    p.add_argument("--lang", required=True, choices=("zh", "en"), help="the line's language")
    p.add_argument("--voice", default=None, help="a voice name from `shotline voices` (default: the offline voice for --lang)")
    p.add_argument("--speed", type=float, default=1.0, help="speaking speed, 0.5 to 2 (default 1)")
    p.add_argument("--recording", default=None, help="a recorded line (WAV/MP3/M4A/FLAC/OGG) to use instead of a synthetic voice")
    p.add_argument("--out", required=True, help="the .wav file to write")
    p.set_defaults(func=cmd_speak)

    p = sub.add_parser("voices", help="list the voices and their engines")
    p.set_defaults(func=cmd_voices)


def cmd_speak(args: argparse.Namespace) -> int:
    from engine.voice import check_text, speak, write_wav

    out = Path(args.out)
    if out.suffix.lower() != ".wav":
        raise UserError(f"--out {args.out!r} is not accepted; give a file name ending in .wav.")
    if not out.parent.is_dir():
        raise UserError(f"--out folder {str(out.parent)!r} does not exist; give a path in an existing folder.")
    check_text(args.text)
    if args.recording:
        import subprocess

        from studio.export.probe import ffmpeg_exe, input_url
        from studio.timeline.voice import check_recording

        duration = check_recording(Path(args.recording), "--recording")
        tmp = out.with_name(f".{out.name}.part.wav")
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                               "-protocol_whitelist", "file", "-i", input_url(Path(args.recording)),
                               "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", str(tmp)], capture_output=True)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise UserError(f"--recording {Path(args.recording).name!r} cannot be decoded; upload the recording again.")
        shutil.move(tmp, out)
        print(f"{out}  ({duration:.2f} s, recorded voice, no engine)")
        return 0
    speech = speak(args.text, args.lang, args.voice, args.speed)
    write_wav(speech, out)
    print(f"{out}  ({speech.duration_s:.2f} s, engine {speech.engine}, voice {speech.voice})")
    if speech.robotic:
        print(f"note: {ROBOTIC_NOTE}")
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    from engine.voice import list_voice_cards, weights_state

    rows = [("VOICE", "LANG", "ENGINE", "STATE", "LICENCE", "DESCRIPTION")]
    for card in list_voice_cards():
        state = weights_state(card)
        for v in card.voices:
            rows.append((v.name, v.lang, card.id + (" (robotic fallback)" if card.robotic else ""), state, card.licence, v.description))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"note: {ROBOTIC_NOTE}")
    return 0


def add_voice_options(p: argparse.ArgumentParser) -> None:
    """The voice-over options of `shotline cut`."""
    p.add_argument("--storyboard", default=None,
                   help="a storyboard .json: its voice-over and dialogue lines are spoken at their shots (one clip per shot) "
                        "and the subtitles follow the voice")
    p.add_argument("--narrator-voice", action="append", default=[], metavar="VOICE",
                   help="the voice of 旁白/VO lines (repeat for Chinese and English; default: the offline voice)")
    p.add_argument("--speaker-voice", action="append", default=[], metavar="NAME=VOICE", help="a character's voice, e.g. Anna=espeak-en-gb")
    p.add_argument("--voice-speed", type=float, default=1.0, help="speaking speed, 0.5 to 2 (default 1)")
    p.add_argument("--voice-volume", type=float, default=1.0, help="the voice track's volume (default 1)")
    p.add_argument("--duck-db", type=float, default=12.0, help="how many dB the music drops under speech (default 12; 0: off)")


def voice_from_storyboard(timeline, args: argparse.Namespace):  # noqa: ANN001, ANN201
    """`timeline` with the storyboard's lines spoken onto it (voice track, subtitles, mix settings)."""
    import json
    import sys
    import uuid

    from engine.voice import list_voices
    from studio import paths
    from studio.timeline.voice import apply_voice, voice_storyboard

    path = Path(args.storyboard)
    if not path.is_file():
        raise UserError(f"--storyboard {str(path)!r} does not exist; give a storyboard .json from `shotline storyboard`.")
    try:
        board = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise UserError(f"--storyboard {path.name!r} is not valid JSON; give a storyboard .json from `shotline storyboard`.") from None
    shots = board.get("shots") if isinstance(board, dict) else None
    if not isinstance(shots, list) or len(shots) != len(timeline.clips):
        count = len(shots) if isinstance(shots, list) else 0
        raise UserError(f"--storyboard {path.name!r} has {count} shots for {len(timeline.clips)} clips; give one clip per shot, in order.")
    langs = {v.name: v.lang for _, v in list_voices()}
    narrator = {}
    for name in args.narrator_voice:
        if name not in langs:
            raise UserError(f"--narrator-voice {name!r} is not accepted; one of the voices of `shotline voices`.")
        narrator[langs[name]] = name
    speakers = {}
    for spec in args.speaker_voice:
        who, _, name = spec.partition("=")
        if not who.strip() or name not in langs:
            raise UserError(f"--speaker-voice {spec!r} is not accepted; give NAME=VOICE with a voice of `shotline voices`.")
        speakers[who.strip()] = name
    # rebuilt through from_dict: the volume and ducking ranges are checked with their one sentence
    timeline = type(timeline).from_dict({**timeline.to_dict(), "voice_volume": args.voice_volume, "duck_db": args.duck_db})
    result = voice_storyboard(board, paths.media_dir("assets") / f"voice-{uuid.uuid4().hex}", narrator=narrator,
                              voices=speakers, speed=args.voice_speed)
    apply_voice(timeline, result)
    if result.engines:
        print(f"voice: {len(result.clips)} line(s) spoken by {', '.join(result.engines)}", file=sys.stderr)
        if any(e.startswith("espeak-ng/") for e in result.engines):
            print(f"note: {ROBOTIC_NOTE}", file=sys.stderr)
    for flag in result.flags:
        print(f"warning: longer than its shot: {flag}", file=sys.stderr)
    return timeline
