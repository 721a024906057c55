"""The storyboard's measuring stick: runs `shotline storyboard FILE --json` on every real
script in scripts/ (written by other people, sources in manifest.json) and compares the
storyboard with the hand-checked ground truth beside each script (NAME.truth.json).

It measures, per format and overall (see README.md for the conventions):
  - shot lists with the right number of shots (within ±15 %, at least ±1);
  - dialogue kept as dialogue (a ground-truth line found among the shots' speech);
  - speakers right (of the lines kept, those attributed to the right speaker);
  - dialogue leaked into prompts (a line, or a substantial run of it, inside a prompt);
  - characters, settings, stated durations and named cameras found.

The scorer reads the storyboard through the command line's JSON, so it does not depend
on the storyboard's Python API, and it reads speech from every field shape the Shot model
has had or may get: `dialogue` / `subtitles` / `speech` / `lines` as lists of
{"speaker"|"character"|"who", "text"|"line", "kind"} or of strings, and `subtitle` as a
string (a line whose kind is voiceover counts as the narrator's).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
MANIFEST = HERE / "manifest.json"
TRUTH_SUFFIX = ".truth.json"

# Where the Shot model keeps speech, old and new shapes (lists of dicts or of strings).
SPEECH_KEYS = ("dialogue", "subtitles", "speech", "lines", "voiceover", "narration")
SPEAKER_KEYS = ("speaker", "character", "who", "name")
TEXT_KEYS = ("text", "line", "content", "words")
NARRATOR = {"vo", "voiceover", "narrator", "narration", "旁白", "画外音", "解说", "配音", "口播"}

# A named camera in the ground truth (canonical id) is recognised when a storyboard shot's
# camera carries one of these values (ids or names, English or Chinese), case-insensitive.
CAMERA_SYNONYMS: dict[str, set[str]] = {
    "extreme-wide": {"extreme-wide", "extreme wide", "extreme wide shot", "extreme-long", "extreme long shot",
                     "els", "ews", "大远景"},
    "wide": {"wide", "wide shot", "long shot", "long", "establishing", "establishing shot", "远景", "ws", "ls"},
    "full": {"full", "full shot", "全景", "fs"},
    "medium": {"medium", "medium shot", "mid shot", "中景", "ms"},
    "medium-close-up": {"medium-close-up", "medium close-up", "mcu", "近景", "中近景"},
    "close-up": {"close-up", "close up", "closeup", "特写", "cu"},
    "extreme-close-up": {"extreme-close-up", "extreme close-up", "ecu", "大特写"},
    "aerial": {"aerial", "aerial shot", "drone", "drone shot", "航拍", "鸟瞰", "俯瞰"},
    "pov": {"pov", "point-of-view", "point of view", "主观", "主观镜头", "第一人称"},
    "ots": {"ots", "over-the-shoulder", "over the shoulder", "过肩", "过肩镜头"},
    "static": {"static", "固定", "locked-off", "固定镜头"},
    "push-in": {"push-in", "push in", "推", "推镜头", "dolly-in", "dolly in"},
    "pull-out": {"pull-out", "pull out", "pull-back", "pull back", "拉", "拉镜头", "dolly-out", "dolly out"},
    "zoom": {"zoom", "zoom-in", "zoom in", "zoom-out", "zoom out", "变焦", "push-in", "pull-out"},
    "pan": {"pan", "摇", "摇镜头", "whip-pan", "whip pan", "甩镜"},
    "tilt": {"tilt", "俯仰", "tilt-up", "tilt-down"},
    "tracking": {"tracking", "track", "follow", "跟", "跟拍", "跟镜头", "dolly", "移", "移镜头", "truck"},
    "orbit": {"orbit", "环绕", "arc", "环拍"},
    "crane": {"crane", "升降", "jib", "摇臂"},
    "handheld": {"handheld", "hand-held", "手持"},
    "slow-motion": {"slow-motion", "slow motion", "slowmo", "慢动作", "慢镜头", "升格"},
}


def normalise(text: str) -> str:
    """Case-folded letters and digits only (CJK kept): whitespace, punctuation, emphasis
    marks and emoji removed, full-width forms folded."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def is_cjk(text: str) -> bool:
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    return cjk * 2 >= len(text) and cjk > 0


def _speaker_key(name: str) -> str:
    name = re.sub(r"[(（][^)）]*[)）]", "", name or "")  # drop (V.O.), (CONT'D), （画外音）
    key = normalise(name.replace("^", ""))
    return "vo" if key in NARRATOR else key


# ---------------------------------------------------------------- reading a storyboard
def speech_of(shot: dict[str, Any]) -> list[dict[str, str]]:
    """Every spoken line of one shot, as [{"speaker", "text"}], from whatever fields carry it."""
    out: list[dict[str, str]] = []
    for key in SPEECH_KEYS:
        value = shot.get(key)
        if isinstance(value, str) and value.strip():
            out.append({"speaker": "", "text": value})
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    out.append({"speaker": "", "text": item})
                elif isinstance(item, dict):
                    text = next((str(item[k]) for k in TEXT_KEYS if item.get(k)), "")
                    who = next((str(item[k]) for k in SPEAKER_KEYS if item.get(k)), "")
                    if not who and str(item.get("kind", "")).casefold() in ("voiceover", "narration", "vo"):
                        who = "VO"  # a voice-over line marked by its kind rather than a speaker
                    if text:
                        out.append({"speaker": who, "text": text})
    if not out and isinstance(shot.get("subtitle"), str) and shot["subtitle"].strip():
        out.append({"speaker": "", "text": shot["subtitle"]})
    return out


def prompts_of(shot: dict[str, Any]) -> list[str]:
    """The visual prompts of a shot (any key holding 'prompt' except the negative one)."""
    return [str(v) for k, v in shot.items() if "prompt" in k and "negative" not in k and isinstance(v, str)]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def camera_terms(shot: dict[str, Any]) -> set[str]:
    """What the storyboard says the script named for this shot's camera. A camera dict with
    `explicit: false` was chosen by the splitter, not read from the script."""
    camera = shot.get("camera")
    if isinstance(camera, dict) and camera.get("explicit") is False:
        camera = {k: v for k, v in camera.items() if k in ("speed", "moves", "named")}
    terms = {s.strip().casefold() for s in _strings(camera)}
    for key in ("speed", "slow_motion"):
        if shot.get(key) in (True, "slow-motion", "slow motion"):
            terms.add("slow-motion")
    return terms


def character_names(board: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    sources = [board.get("characters")] + [s.get("characters") for s in board.get("shots", [])]
    for value in sources:
        for item in value or []:
            if isinstance(item, str):
                names.add(normalise(item))
            elif isinstance(item, dict):
                names.update(normalise(str(item[k])) for k in ("name", "id") if item.get(k))
                names.update(normalise(a) for a in item.get("aliases", []) if isinstance(a, str))
    names.discard("")
    return names


def beats(shots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shots with the parts of one split beat (part 2..n of n) merged back, durations added."""
    out: list[dict[str, Any]] = []
    for shot in shots:
        if out and int(shot.get("part", 1) or 1) > 1:
            out[-1]["duration_s"] = float(out[-1].get("duration_s") or 0) + float(shot.get("duration_s") or 0)
        else:
            out.append(dict(shot))
    return out


# ---------------------------------------------------------------- running the code under test
@dataclass
class Outcome:
    board: dict[str, Any] | None = None
    sentence: str = ""  # the one-sentence refusal, when there is no storyboard
    crash: str = ""  # an exception that is not a user sentence (a traceback for a user)


def run_storyboard(path: Path) -> Outcome:
    """`shotline storyboard PATH --json` in-process, exceptions let through (SHOTLINE_DEBUG)
    so that a crash is told apart from a refusal in one sentence."""
    from studio.cli import UserError, main

    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("SHOTLINE_DEBUG")
    os.environ["SHOTLINE_DEBUG"] = "1"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["storyboard", str(path), "--json"])
    except UserError as exc:
        return Outcome(sentence=str(exc))
    except Exception as exc:  # noqa: BLE001 - sorting crashes from sentences is the point
        from engine import EngineError

        text = str(exc)
        if isinstance(exc, EngineError) or (isinstance(exc, ValueError) and text and "\n" not in text):
            return Outcome(sentence=text)
        return Outcome(crash=f"{type(exc).__name__}: {text}")
    finally:
        if old is None:
            os.environ.pop("SHOTLINE_DEBUG", None)
        else:
            os.environ["SHOTLINE_DEBUG"] = old
    if code != 0:
        return Outcome(sentence=err.getvalue().strip() or f"exit code {code}")
    try:
        data = json.loads(out.getvalue())
    except json.JSONDecodeError:
        return Outcome(crash="the command printed no JSON storyboard")
    if "storyboards" in data:  # one storyboard per row: not what a plain file gives
        data = data["storyboards"][0]
    return Outcome(board=data)


# ---------------------------------------------------------------- scoring one script
def _window(line: str) -> int:
    return 8 if is_cjk(line) else 24


def leaked(line: str, prompts: list[str]) -> bool:
    """A line, or a run of it long enough to be unmistakable (8 CJK characters or 24
    letters and digits, about five words), appears inside a prompt. Lines shorter than the run are judged
    whole, and only from 4 CJK / 8 Latin characters up (shorter ones are ambiguous)."""
    norm = normalise(line)
    if not norm:
        return False
    size = _window(norm)
    hay = [normalise(p) for p in prompts]
    if len(norm) <= size:
        if len(norm) < (4 if is_cjk(norm) else 8):
            return False
        return any(norm in h for h in hay)
    return any(norm[i:i + size] in h for i in range(len(norm) - size + 1) for h in hay)


@dataclass
class Score:
    name: str
    format: str
    language: str
    outcome: str  # "storyboard" | "sentence" | "crash"
    message: str = ""
    shots_expected: int = 0
    shots_got: int = 0
    shots_right: bool = False
    dialogue: int = 0
    kept: int = 0
    speakers_right: int = 0
    leaked: int = 0
    leaked_lines: list[str] = field(default_factory=list)
    characters: int = 0
    characters_found: int = 0
    settings: int = 0
    settings_found: int = 0
    durations: int = 0
    durations_found: int = 0
    cameras: int = 0
    cameras_found: int = 0
    missed: dict[str, list[str]] = field(default_factory=dict)


def shots_within(got: int, expected: int) -> bool:
    return abs(got - expected) <= max(1.0, 0.15 * expected)


def score(path: Path, truth: dict[str, Any], outcome: Outcome) -> Score:
    dialogue = truth.get("dialogue", [])
    characters = truth.get("characters", [])
    settings = truth.get("settings", [])
    durations = [float(d) for d in truth.get("durations", [])]
    cameras = truth.get("cameras", [])
    s = Score(name=path.name, format=truth["format"], language=truth.get("language", ""),
              outcome="storyboard" if outcome.board is not None else ("crash" if outcome.crash else "sentence"),
              message=outcome.crash or outcome.sentence, shots_expected=int(truth["shots"]),
              dialogue=len(dialogue), characters=len(characters), settings=len(settings),
              durations=len(durations), cameras=len(cameras))
    if outcome.board is None:
        return s
    shots = list(outcome.board.get("shots", []))
    s.shots_got = len(shots)
    s.shots_right = shots_within(s.shots_got, s.shots_expected)

    spoken = [line for shot in shots for line in speech_of(shot)]
    said = normalise(" ".join(line["text"] for line in spoken))
    prompts = [p for shot in shots for p in prompts_of(shot)]
    missed = s.missed
    for want in dialogue:
        norm = normalise(want["text"])
        if norm and norm in said:
            s.kept += 1
            who = _speaker_key(want.get("speaker", ""))
            owners = {_speaker_key(line["speaker"]) for line in spoken
                      if normalise(line["text"]) and (normalise(line["text"]) in norm or norm in normalise(line["text"]))}
            if who and who in owners:
                s.speakers_right += 1
        else:
            missed.setdefault("dialogue", []).append(want["text"])
        if leaked(want["text"], prompts):
            s.leaked += 1
            s.leaked_lines.append(want["text"])

    found = character_names(outcome.board)
    for want in characters:
        names = [want] if isinstance(want, str) else list(want)
        if any(normalise(n) in found for n in names):
            s.characters_found += 1
        else:
            missed.setdefault("characters", []).append(names[0])

    places = normalise(" ".join(str(shot.get(k, "")) for shot in shots for k in ("setting", "heading")))
    for want in settings:
        if normalise(want) and normalise(want) in places:
            s.settings_found += 1
        else:
            missed.setdefault("settings", []).append(want)

    merged = beats(shots)
    i = 0
    for want in durations:
        for j in range(i, len(merged)):
            shot = merged[j]
            if shot.get("explicit_duration") is False:
                continue
            if abs(float(shot.get("duration_s") or 0) - want) <= max(0.25, 0.05 * want):
                s.durations_found += 1
                i = j + 1
                break
        else:
            missed.setdefault("durations", []).append(f"{want:g}s")

    terms = [camera_terms(shot) for shot in merged]
    i = 0
    for want in cameras:
        accepted = CAMERA_SYNONYMS.get(want["canonical"], {want["canonical"]})
        for j in range(i, len(merged)):
            if terms[j] & accepted:
                s.cameras_found += 1
                i = j
                break
        else:
            missed.setdefault("cameras", []).append(want["term"])
    return s


# ---------------------------------------------------------------- the whole corpus
def corpus() -> list[tuple[Path, dict[str, Any]]]:
    """(script path, ground truth) for every script listed in the manifest."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    out = []
    for entry in manifest["scripts"]:
        path = SCRIPTS / entry["file"]
        truth_path = path.parent / (path.stem + TRUTH_SUFFIX)
        out.append((path, json.loads(truth_path.read_text(encoding="utf-8"))))
    return out


def score_corpus() -> list[Score]:
    return [score(path, truth, run_storyboard(path)) for path, truth in corpus()]


FIGURES = ("shots", "dialogue kept", "speakers", "leaked", "characters", "settings", "durations", "cameras")


def summarise(scores: list[Score]) -> dict[str, dict[str, Any]]:
    """Per format and overall: each figure as [hits, total]; `leaked` as [lines, dialogue]."""
    groups: dict[str, list[Score]] = {}
    for s in scores:
        groups.setdefault(s.format, []).append(s)
    for s in scores:
        groups.setdefault(f"lang:{s.language}", []).append(s)
    groups["overall"] = list(scores)
    out: dict[str, dict[str, Any]] = {}
    for name, group in groups.items():
        out[name] = {
            "scripts": len(group),
            "storyboards": sum(s.outcome == "storyboard" for s in group),
            "crashes": sum(s.outcome == "crash" for s in group),
            "shots": [sum(s.shots_right for s in group), len(group)],
            "dialogue kept": [sum(s.kept for s in group), sum(s.dialogue for s in group)],
            "speakers": [sum(s.speakers_right for s in group), sum(s.kept for s in group)],
            "leaked": [sum(s.leaked for s in group), sum(s.dialogue for s in group)],
            "characters": [sum(s.characters_found for s in group), sum(s.characters for s in group)],
            "settings": [sum(s.settings_found for s in group), sum(s.settings for s in group)],
            "durations": [sum(s.durations_found for s in group), sum(s.durations for s in group)],
            "cameras": [sum(s.cameras_found for s in group), sum(s.cameras for s in group)],
        }
    return out


def ratio(pair: list[int]) -> float | None:
    return None if not pair[1] else pair[0] / pair[1]


def table(summary: dict[str, dict[str, Any]]) -> str:
    """The figures as a plain-text table, one row per format and one overall."""
    head = ["format", "scripts", "boards"] + list(FIGURES)
    rows = [head]
    for name, fig in sorted(summary.items(), key=lambda kv: (kv[0] == "overall", kv[0].startswith("lang:"), kv[0])):
        cells = [name, str(fig["scripts"]), f"{fig['storyboards']}" + (f" ({fig['crashes']} crash)" if fig["crashes"] else "")]
        for key in FIGURES:
            hit, total = fig[key]
            cells.append("-" if not total else f"{hit}/{total} {100 * hit / total:.0f}%")
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)
