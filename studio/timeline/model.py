"""studio.timeline: the timeline as plain, validated, JSON-serialisable data.

A timeline is a video track of clips (with transitions between neighbours), optional
title and end cards, music tracks, a logo overlay, subtitles and the AI-generated label
(always on). Every dataclass validates itself on construction and round-trips through
`to_dict()` / `from_dict()`; `Timeline.from_dict` names the field that is wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

TRANSITIONS = ("cut", "crossfade", "fade-black", "fade-white", "wipe", "slide")
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SUB_POSITIONS = ("bottom", "middle", "top")
LABEL_LANGUAGES = ("zh", "en", "zh+en")
LABEL_WORDING = {"zh": "本视频由AI生成", "en": "AI-generated", "zh+en": "本视频由AI生成 · AI-generated"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TEXT = 2000
MAX_TIME_S = 4 * 3600.0  # every time on a timeline (in, out, offsets, subtitle times) is within four hours
MAX_CLIPS = 500  # clips in one timeline
MAX_SUBTITLES = 5000  # subtitle lines in one timeline


def _bad(field_name: str, value: Any, accepted: str) -> ValueError:
    return ValueError(f"{field_name} {value!r} is not accepted; {accepted}.")


def _num(name: str, value: Any, lo: float = 0.0, hi: float = MAX_TIME_S, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
        raise _bad(name, value, f"a number from {lo:g} to {hi:g}")


def _colour(name: str, value: Any) -> None:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise _bad(name, value, "a colour like '#ffffff'")


def _text(name: str, value: Any, allow_empty: bool = True) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT or (not allow_empty and not value.strip()):
        raise _bad(name, value if not isinstance(value, str) else value[:40], f"text of 1 to {MAX_TEXT} characters")


def _choice(name: str, value: Any, options: tuple[str, ...]) -> None:
    if value not in options:
        raise _bad(name, value, "one of " + ", ".join(options))


def _path(name: str, value: Any) -> None:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise _bad(name, value, "a file path")


class _Data:
    """Shared (de)serialisation: unknown keys are refused with their name."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = ""):  # noqa: ANN206
        if not isinstance(data, dict):
            raise _bad(where or cls.__name__, data, "an object")
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise _bad(f"{where or cls.__name__} key", unknown[0], "one of " + ", ".join(sorted(names)))
        return cls(**data)


@dataclass
class Subtitle(_Data):
    """One subtitle line; times in seconds (clip-relative inside a clip, else timeline time)."""

    start_s: float
    end_s: float
    text: str

    def __post_init__(self) -> None:
        _num("subtitle start_s", self.start_s)
        _num("subtitle end_s", self.end_s)
        if self.end_s <= self.start_s:
            raise _bad("subtitle end_s", self.end_s, f"a time after its start_s {self.start_s:g}")
        _text("subtitle text", self.text)


@dataclass
class SubtitleStyle(_Data):
    font: str = "Noto Sans CJK SC"
    size: int = 48  # pixels at 1080 lines; scaled with the output height
    colour: str = "#ffffff"
    outline_colour: str = "#000000"
    outline: float = 3.0
    position: str = "bottom"

    def __post_init__(self) -> None:
        if not isinstance(self.font, str) or not re.fullmatch(r"[\w .-]{1,64}", self.font):
            raise _bad("subtitle font", self.font, "a font family name of letters, digits, spaces, dots or dashes")
        _num("subtitle size", self.size, 8, 300)
        _colour("subtitle colour", self.colour)
        _colour("subtitle outline_colour", self.outline_colour)
        _num("subtitle outline", self.outline, 0, 20)
        _choice("subtitle position", self.position, SUB_POSITIONS)


@dataclass
class Clip(_Data):
    """A piece of a source video: `in_s` to `out_s` (None = to its end), played at `speed`."""

    source: str
    in_s: float = 0.0
    out_s: float | None = None
    speed: float = 1.0
    subtitles: list[Subtitle] = field(default_factory=list)

    def __post_init__(self) -> None:
        _path("clip source", self.source)
        _num("clip in_s", self.in_s)
        _num("clip out_s", self.out_s, allow_none=True)
        if self.out_s is not None and self.out_s <= self.in_s:
            raise _bad("clip out_s", self.out_s, f"a time after in_s {self.in_s:g}")
        _num("clip speed", self.speed, 0.25, 4.0)
        self.subtitles = [s if isinstance(s, Subtitle) else Subtitle.from_dict(s, "subtitle") for s in self.subtitles]

    def length(self, source_duration: float) -> float:
        """Seconds this clip lasts on the timeline, given its source's duration."""
        end = source_duration if self.out_s is None else min(self.out_s, source_duration)
        if end <= self.in_s:
            raise _bad("clip in_s", self.in_s, f"a time before the end of {self.source} ({source_duration:.2f} s)")
        return (end - self.in_s) / self.speed


@dataclass
class Transition(_Data):
    kind: str = "cut"
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        _choice("transition kind", self.kind, TRANSITIONS)
        _num("transition duration_s", self.duration_s, 0, 10)
        if self.kind == "cut":
            self.duration_s = 0.0
        elif self.duration_s <= 0:
            raise _bad("transition duration_s", self.duration_s, f"more than 0 seconds for a {self.kind}")


@dataclass
class Card(_Data):
    """A title or end card: text on a plain background."""

    text: str
    duration_s: float = 2.0
    background: str = "#000000"
    colour: str = "#ffffff"
    size: int = 72

    def __post_init__(self) -> None:
        _text("card text", self.text, allow_empty=False)
        _num("card duration_s", self.duration_s, 0.5, 30)
        _colour("card background", self.background)
        _colour("card colour", self.colour)
        _num("card size", self.size, 8, 300)


@dataclass
class MusicTrack(_Data):
    """Music placed at `offset_s` on the timeline, from `trim_in_s` to `trim_out_s` of the file."""

    source: str
    offset_s: float = 0.0
    trim_in_s: float = 0.0
    trim_out_s: float | None = None
    volume: float = 1.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    loop: bool = False

    def __post_init__(self) -> None:
        _path("music source", self.source)
        _num("music offset_s", self.offset_s)
        _num("music trim_in_s", self.trim_in_s)
        _num("music trim_out_s", self.trim_out_s, allow_none=True)
        if self.trim_out_s is not None and self.trim_out_s <= self.trim_in_s:
            raise _bad("music trim_out_s", self.trim_out_s, f"a time after trim_in_s {self.trim_in_s:g}")
        _num("music volume", self.volume, 0, 4)
        _num("music fade_in_s", self.fade_in_s, 0, 60)
        _num("music fade_out_s", self.fade_out_s, 0, 60)
        if not isinstance(self.loop, bool):
            raise _bad("music loop", self.loop, "true or false")


@dataclass
class Logo(_Data):
    """An image over the video: at a corner, or at x/y (pixels from the top-left)."""

    source: str
    corner: str | None = "top-right"
    x: int | None = None
    y: int | None = None
    scale: float = 0.12  # logo width as a fraction of the output width
    opacity: float = 0.9
    margin: int = 24
    start_s: float = 0.0
    end_s: float | None = None

    def __post_init__(self) -> None:
        _path("logo source", self.source)
        if self.x is not None or self.y is not None:
            _num("logo x", self.x, 0, 10000)
            _num("logo y", self.y, 0, 10000)
            self.corner = None
        else:
            _choice("logo corner", self.corner, CORNERS)
        _num("logo scale", self.scale, 0.01, 1.0)
        _num("logo opacity", self.opacity, 0, 1)
        _num("logo margin", self.margin, 0, 1000)
        _num("logo start_s", self.start_s)
        _num("logo end_s", self.end_s, allow_none=True)
        if self.end_s is not None and self.end_s <= self.start_s:
            raise _bad("logo end_s", self.end_s, f"a time after start_s {self.start_s:g}")


@dataclass
class AILabel(_Data):
    """The visible AI-generated label; always burned in. `text` overrides the wording."""

    position: str = "top-left"
    language: str = "zh+en"
    text: str | None = None
    size: int = 32

    def __post_init__(self) -> None:
        _choice("label position", self.position, CORNERS)
        _choice("label language", self.language, LABEL_LANGUAGES)
        if self.text is not None:
            _text("label text", self.text, allow_empty=False)
            if len(self.text) > 80:
                raise _bad("label text", self.text[:40], "a label of at most 80 characters")
        _num("label size", self.size, 12, 200)

    @property
    def wording(self) -> str:
        return self.text or LABEL_WORDING[self.language]


@dataclass
class Timeline(_Data):
    clips: list[Clip]
    transitions: list[Transition] = field(default_factory=list)
    title: Card | None = None
    end_card: Card | None = None
    music: list[MusicTrack] = field(default_factory=list)
    logo: Logo | None = None
    subtitles: list[Subtitle] = field(default_factory=list)
    subtitle_style: SubtitleStyle = field(default_factory=SubtitleStyle)
    label: AILabel = field(default_factory=AILabel)
    preset: str = "720p"
    model: str = ""  # the generator model id, for provenance
    version: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.clips, list) or not self.clips:
            raise _bad("timeline clips", self.clips, "a list with at least one clip")
        if len(self.clips) > MAX_CLIPS:
            raise ValueError(f"The timeline has {len(self.clips)} clips; at most {MAX_CLIPS} clips are accepted in one "
                             "timeline.")
        if isinstance(self.subtitles, list) and len(self.subtitles) > MAX_SUBTITLES:
            raise ValueError(f"The timeline has {len(self.subtitles)} subtitle lines; at most {MAX_SUBTITLES} are "
                             "accepted in one timeline.")
        self.clips = [c if isinstance(c, Clip) else Clip.from_dict(c, f"clip {i}") for i, c in enumerate(self.clips)]
        self.transitions = [t if isinstance(t, Transition) else Transition.from_dict(t, "transition") for t in self.transitions]
        if not self.transitions:
            self.transitions = [Transition() for _ in self.clips[1:]]
        if len(self.transitions) != len(self.clips) - 1:
            raise _bad("timeline transitions", len(self.transitions), f"one per pair of neighbours ({len(self.clips) - 1})")
        self.title = _maybe(Card, self.title, "title")
        self.end_card = _maybe(Card, self.end_card, "end_card")
        self.music = [m if isinstance(m, MusicTrack) else MusicTrack.from_dict(m, "music") for m in self.music]
        self.logo = _maybe(Logo, self.logo, "logo")
        self.subtitles = [s if isinstance(s, Subtitle) else Subtitle.from_dict(s, "subtitle") for s in self.subtitles]
        self.subtitle_style = _maybe(SubtitleStyle, self.subtitle_style, "subtitle_style") or SubtitleStyle()
        if self.label is None:  # the label cannot be switched off; None means the default wording
            self.label = AILabel()
        self.label = _maybe(AILabel, self.label, "label")
        if not isinstance(self.preset, str) or not re.fullmatch(r"[\w.-]{1,40}", self.preset):
            raise _bad("timeline preset", self.preset, "a preset name (see `shotline export-presets`)")
        if not isinstance(self.model, str) or len(self.model) > 100:
            raise _bad("timeline model", self.model, "a model id of at most 100 characters")

    def check_lengths(self, lengths: list[float]) -> None:
        """Check transitions against the clips' real lengths (seconds on the timeline)."""
        for i, t in enumerate(self.transitions):
            a_used = (self.transitions[i - 1].duration_s if i > 0 else 0.0) + t.duration_s
            if a_used > lengths[i] + 1e-6 or t.duration_s > lengths[i + 1] + 1e-6:
                raise _bad(f"transition {i + 1} duration_s", t.duration_s,
                           f"at most the clips it joins allow (clip {i + 1} lasts {lengths[i]:.2f} s, "
                           f"clip {i + 2} lasts {lengths[i + 1]:.2f} s)")
        if len(self.transitions) > 1:
            for i in range(1, len(self.clips) - 1):
                need = self.transitions[i - 1].duration_s + self.transitions[i].duration_s
                if need > lengths[i] + 1e-6:
                    raise _bad(f"transitions around clip {i + 1}", need, f"at most its length {lengths[i]:.2f} s")

    @classmethod
    def from_storyboard(cls, storyboard: dict[str, Any], clip_paths: list[str], **options: Any) -> Timeline:
        """Clips in shot order with the storyboard's durations and dialogue as subtitles."""
        shots = storyboard.get("shots") if isinstance(storyboard, dict) else None
        if not isinstance(shots, list) or not shots:
            raise _bad("storyboard shots", shots, "a list of shots with index, text, dialogue and duration_s")
        ordered = sorted(shots, key=lambda s: s.get("index", 0))
        if len(clip_paths) != len(ordered):
            raise _bad("clip_paths", len(clip_paths), f"one clip per shot ({len(ordered)})")
        clips = []
        for shot, path in zip(ordered, clip_paths, strict=False):
            duration = shot.get("duration_s")
            out = float(duration) if isinstance(duration, (int, float)) and duration > 0 else None
            lines = [d for d in _dialogue_lines(shot.get("dialogue"))]
            subs = []
            if lines and out:
                step = out / len(lines)
                subs = [Subtitle(round(k * step, 3), round((k + 1) * step, 3), text) for k, text in enumerate(lines)]
            clips.append(Clip(source=str(path), in_s=0.0, out_s=out, subtitles=subs))
        return cls(clips=clips, **options)


def _dialogue_lines(dialogue: Any) -> list[str]:
    if not dialogue:
        return []
    if isinstance(dialogue, str):
        return [dialogue.strip()] if dialogue.strip() else []
    if isinstance(dialogue, list):
        out = []
        for d in dialogue:
            if isinstance(d, dict):
                speaker, line = d.get("speaker"), d.get("line") or d.get("text") or ""
                d = f"{speaker}：{line}" if speaker and line else line
            if isinstance(d, str) and d.strip():
                out.append(d.strip())
        return out
    return []


def _maybe(kind: type, value: Any, where: str):  # noqa: ANN202
    if value is None or isinstance(value, kind):
        return value
    return kind.from_dict(value, where)
