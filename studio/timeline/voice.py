"""studio.timeline: from a storyboard's speech to the voice track.

Each voice-over (旁白, VO, narrator) or dialogue line of a shot is spoken by engine.voice
(or taken from an uploaded recording), saved as a WAV in the data folder, and placed on
the timeline's `voice` track at its shot; the shot's subtitles are re-timed to the spoken
audio, and a shot whose lines run longer than it is flagged with the numbers
("shot 3: voice 4.2 s, shot 3.0 s"). Reads both storyboard shapes: dialogue as strings,
[{"speaker", "line"}], or [{"speaker", "text", "kind"}] (kind "subtitle" is shown, not spoken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.timeline.model import Subtitle, Timeline, VoiceClip

NARRATOR_NAMES = {"旁白", "画外音", "解说", "独白", "narrator", "vo", "v.o.", "voice-over", "voiceover", "voice over", "narration"}
LEAD_IN_S = 0.2  # silence before a shot's first line
GAP_S = 0.25  # between two lines of one shot
_CJK = re.compile(r"[\u3400-\u9fff]")
_PREFIX = re.compile(r"^\s*([^:：]{1,20})[:：]\s*(.+)$", re.S)


@dataclass
class Line:
    shot: int  # 0-based position of the shot in order
    number: int  # 1-based line number within the shot
    text: str
    speaker: str
    kind: str  # "voiceover" | "dialogue" | "subtitle"
    lang: str


@dataclass
class VoiceResult:
    clips: list[VoiceClip] = field(default_factory=list)
    subtitles: dict[int, list[Subtitle]] = field(default_factory=dict)  # per shot, clip-relative
    flags: list[str] = field(default_factory=list)  # "shot 3: voice 4.2 s, shot 3.0 s"
    engines: list[str] = field(default_factory=list)  # engine/voice pairs used, for provenance


def is_narrator(speaker: str) -> bool:
    return speaker.strip().lower().strip("()（）") in NARRATOR_NAMES


def line_language(text: str, fallback: str = "en") -> str:
    return "zh" if _CJK.search(text) else ("en" if re.search(r"[A-Za-z]", text) else fallback)


def speech_lines(shots: list[dict[str, Any]]) -> list[Line]:
    """The spoken lines of every shot, in shot order."""
    out = []
    for pos, shot in enumerate(sorted(shots, key=lambda s: s.get("index", 0))):
        dialogue = shot.get("dialogue") or []
        if isinstance(dialogue, str):
            dialogue = [dialogue]
        fallback = shot.get("language") if shot.get("language") in ("zh", "en") else "en"
        number = 0
        for d in dialogue if isinstance(dialogue, list) else []:
            if isinstance(d, dict):
                speaker = str(d.get("speaker") or "")
                text = str(d.get("text") or d.get("line") or "").strip()
                kind = str(d.get("kind") or "")
            elif isinstance(d, str):
                m = _PREFIX.match(d)
                speaker, text = (m.group(1).strip(), m.group(2).strip()) if m else ("", d.strip())
                kind = ""
            else:
                continue
            if not text:
                continue
            if not kind:
                kind = "voiceover" if not speaker or is_narrator(speaker) else "dialogue"
            number += 1
            out.append(Line(pos, number, text, speaker, kind, line_language(text, fallback)))
    return out


def check_recording(path: Path | str, where: str) -> float:
    """The duration of an uploaded recording; one sentence when it is not playable audio."""
    from studio.export.probe import check_audio

    p = Path(path)
    if p.suffix.lower() not in (".wav", ".mp3", ".m4a", ".flac", ".ogg"):
        raise ValueError(f"{where} recording {p.name!r} is not accepted; give a WAV, MP3, M4A, FLAC or OGG file.")
    if not p.is_file():
        raise ValueError(f"{where} recording {str(p)!r} does not exist; give the path of a WAV or MP3 file.")
    try:
        return check_audio(p, f"{where} recording").duration_s
    except ValueError:
        raise ValueError(f"{where} recording {p.name!r} is damaged or not audio (ffmpeg cannot play it); "
                         "upload the recording again as a WAV or MP3 file.") from None


def voice_storyboard(storyboard: dict[str, Any], out_dir: Path, *, narrator: dict[str, str] | None = None,
                     voices: dict[str, str] | None = None, speed: float = 1.0,
                     recordings: dict[str, str] | None = None,
                     lines: dict[str, dict[str, Any]] | None = None) -> VoiceResult:
    """Speak every line. `narrator`: lang -> voice for voice-over lines (one per project);
    `voices`: speaker -> voice (from the character cards); `recordings`: "SHOT:LINE" (1-based)
    -> an uploaded file used instead of a synthetic voice; `lines`: "SHOT:LINE" ->
    {"voice": NAME, "speed": X} for one line re-spoken with another voice or speed."""
    from engine.voice import speak, write_wav

    shots = sorted(storyboard.get("shots") or [], key=lambda s: s.get("index", 0))
    out_dir.mkdir(parents=True, exist_ok=True)
    result = VoiceResult()
    cursor: dict[int, float] = {}
    for line in speech_lines(shots):
        if line.kind == "subtitle":
            continue
        key = f"{line.shot + 1}:{line.number}"
        start = cursor.get(line.shot, LEAD_IN_S)
        if recordings and key in recordings:
            path = Path(recordings[key])
            duration = check_recording(path, f"shot {line.shot + 1} line {line.number}")
            engine_name, voice_name = "", ""
        else:
            wanted = (voices or {}).get(line.speaker) if line.kind == "dialogue" else (narrator or {}).get(line.lang)
            own = (lines or {}).get(key) or {}
            speech = speak(line.text, line.lang, own.get("voice") or wanted, own.get("speed", speed))
            path = write_wav(speech, out_dir / f"shot{line.shot + 1:03d}-line{line.number:02d}.wav")
            duration, engine_name, voice_name = speech.duration_s, speech.engine, speech.voice
            if f"{engine_name}/{voice_name}" not in result.engines:
                result.engines.append(f"{engine_name}/{voice_name}")
        result.clips.append(VoiceClip(source=str(path), start_s=round(start, 3), text=line.text, engine=engine_name,
                                      voice=voice_name, duration_s=round(duration, 3), shot=line.shot))
        result.subtitles.setdefault(line.shot, []).append(Subtitle(round(start, 3), round(start + duration, 3), line.text))
        cursor[line.shot] = start + duration + GAP_S
    for pos, end in sorted(cursor.items()):
        spoken = end - GAP_S
        length = shots[pos].get("duration_s") or 0
        if length and spoken > length + 1e-6:
            result.flags.append(f"shot {pos + 1}: voice {spoken:.1f} s, shot {float(length):.1f} s")
    return result


def lengthened_shots(storyboard: dict[str, Any], result: VoiceResult) -> dict[int, float]:
    """The one-click fix for flagged shots: shot index -> a duration that holds its lines
    (the spoken time plus a 0.3 s tail, rounded up to a tenth of a second)."""
    import math

    shots = sorted(storyboard.get("shots") or [], key=lambda s: s.get("index", 0))
    ends: dict[int, float] = {}
    for clip in result.clips:
        if clip.shot is not None and clip.duration_s is not None:
            ends[clip.shot] = max(ends.get(clip.shot, 0.0), clip.start_s + clip.duration_s)
    out = {}
    for pos, end in ends.items():
        length = float(shots[pos].get("duration_s") or 0)
        if end > length:
            out[shots[pos].get("index", pos + 1)] = math.ceil((end + 0.3) * 10) / 10
    return out


def apply_voice(timeline: Timeline, result: VoiceResult) -> Timeline:
    """Put the voice clips on the timeline and re-time each voiced shot's subtitles to them."""
    timeline.voice = [*timeline.voice, *result.clips]
    for pos, subs in result.subtitles.items():
        if pos < len(timeline.clips):
            timeline.clips[pos].subtitles = subs
    return timeline


def voice_project(timeline: Timeline, shots: list[dict[str, Any]], options: dict[str, Any],
                  folder: Path | None = None) -> VoiceResult:
    """The one-click path: speak the storyboard shots' own speech (never the caption fallback)
    onto `timeline`, with the project's options `voice` ("auto" | "off"), `narrator`
    ({lang: voice}), `voices` ({speaker: voice}, from the character cards) and `voice_speed`.
    The WAVs go into `folder` (default: a fresh folder among the data folder's assets)."""
    import uuid

    from studio import paths

    if options.get("voice", "auto") == "off":
        return VoiceResult()
    board = {"shots": [{"index": i, "dialogue": shot.get("dialogue") or [], "language": shot.get("language"),
                        "duration_s": shot.get("duration_s")} for i, shot in enumerate(shots, start=1)]}
    if not any(line.kind != "subtitle" for line in speech_lines(board["shots"])):
        return VoiceResult()
    result = voice_storyboard(board, folder or paths.media_dir("assets") / f"voice-{uuid.uuid4().hex}",
                              narrator=options.get("narrator") or {}, voices=options.get("voices") or {},
                              speed=float(options.get("voice_speed", 1.0)))
    apply_voice(timeline, result)
    return result
