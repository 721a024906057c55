"""studio.timeline: the timeline as plain, validated, JSON-serialisable data.

A timeline is a video track of clips (with transitions between neighbours), optional
title and end cards, music tracks, a logo overlay, subtitles and the AI-generated label
(always on). Every part is a pydantic model that validates itself on construction and
round-trips through `to_dict()` / `from_dict()`; an error is one sentence that names the
field, the value and what is accepted.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

TRANSITIONS = ("cut", "crossfade", "fade-black", "fade-white", "wipe", "slide")
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SUB_POSITIONS = ("bottom", "middle", "top")
LABEL_LANGUAGES = ("zh", "en", "zh+en")
LABEL_WORDING = {"zh": "本视频由AI生成", "en": "AI-generated", "zh+en": "本视频由AI生成 · AI-generated"}
COLOUR = r"^#[0-9a-fA-F]{6}$"
MAX_TEXT = 2000
Number = int | float
MAX_TIME_S = 4 * 3600.0  # every time on a timeline (in, out, offsets, subtitle times) is within four hours
MAX_CLIPS = 500  # clips in one timeline
MAX_SUBTITLES = 5000  # subtitle lines in one timeline


def _bad(field_name: str, value: Any, accepted: str) -> ValueError:
    return ValueError(f"{field_name} {value!r} is not accepted; {accepted}.")


def _num(lo: float = 0.0, hi: float = MAX_TIME_S, default: Any = ..., **kw: Any) -> Any:
    return Field(default, ge=lo, le=hi, json_schema_extra={"accepted": f"a number from {lo:g} to {hi:g}"}, **kw)


def _choice(options: tuple[str, ...], default: Any = ...) -> Any:
    return Field(default, json_schema_extra={"accepted": "one of " + ", ".join(options)})


def _text(default: Any = ..., min_length: int = 0) -> Any:
    return Field(default, min_length=min_length, max_length=MAX_TEXT,
                 json_schema_extra={"accepted": f"text of 1 to {MAX_TEXT} characters"})


def _colour(default: str) -> Any:
    return Field(default, pattern=COLOUR, json_schema_extra={"accepted": "a colour like '#ffffff'"})


def _path() -> Any:
    return Field(min_length=1, pattern=r"^[^\x00]+$", json_schema_extra={"accepted": "a file path"})


_OBJECT = ("model_type", "dict_type", "model_attributes_type")
_TYPES = {"bool_type": "true or false", "list_type": "a list", "string_type": "text", "float_type": "a number",
          "int_type": "a whole number"}


class _Data(BaseModel):
    """Shared behaviour: positional arguments in field order (as the parts were always built),
    strict types, unknown keys refused with their name, and one sentence for any bad value."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, revalidate_instances="never")
    LABEL: ClassVar[str] = ""  # how this part's fields are named in a sentence: "clip in_s"

    def __init__(self, *args: Any, **data: Any):
        for name, value in zip(type(self).model_fields, args, strict=False):
            data[name] = value
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise _sentence(err, type(self), "") from None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = ""):  # noqa: ANN206
        if not isinstance(data, dict):
            raise _bad(where or cls.__name__, data, "an object")
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise _sentence(err, cls, where) from None


def _sentence(err: ValidationError, model: type[_Data], where: str) -> ValueError:
    """The first problem in `err` as "<part> <field> <value> is not accepted; <what is>."."""
    first = err.errors(include_url=False)[0]
    kind, loc, value, ctx = first["type"], tuple(first["loc"]), first.get("input"), first.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        return ctx["error"]  # a validator's own sentence
    part: type[_Data] = model
    label, name = where or model.__name__, ""
    for i, step in enumerate(loc):
        if isinstance(step, int):
            label = f"{label} {step}"
            continue
        field = part.model_fields.get(step)
        inner = _part_of(field.annotation) if field is not None else None
        if inner is not None and i < len(loc) - 1:
            part, label = inner, inner.LABEL
        else:
            name = step
            break
    if kind == "extra_forbidden":
        return _bad(f"{label} key", name, "one of " + ", ".join(sorted(part.model_fields)))
    if kind in _OBJECT:
        return _bad(f"{label} {name}".strip(), value, "an object")
    field = part.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    accepted = extra.get("accepted") if isinstance(extra, dict) else None
    shown = value[:40] if isinstance(value, str) and len(value) > 40 else value
    return _bad(f"{part.LABEL} {name}", shown, accepted or _TYPES.get(kind, first["msg"].lower()))


def _part_of(annotation: Any) -> type[_Data] | None:
    """The _Data class inside an annotation such as `Clip`, `list[Clip]` or `Card | None`."""
    if isinstance(annotation, type) and issubclass(annotation, _Data):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _part_of(arg)
        if found is not None:
            return found
    return None


class Subtitle(_Data):
    """One subtitle line; times in seconds (clip-relative inside a clip, else timeline time)."""

    LABEL: ClassVar[str] = "subtitle"
    start_s: float = _num()
    end_s: float = _num()
    text: str = _text()

    @model_validator(mode="after")
    def _ends_after_start(self) -> Subtitle:
        if self.end_s <= self.start_s:
            raise _bad("subtitle end_s", self.end_s, f"a time after its start_s {self.start_s:g}")
        return self


class SubtitleStyle(_Data):
    LABEL: ClassVar[str] = "subtitle"
    font: str = Field("Noto Sans CJK SC", pattern=r"^[\w .-]{1,64}$", json_schema_extra={
        "accepted": "a font family name of letters, digits, spaces, dots or dashes"})
    size: Number = _num(8, 300, 48)  # pixels at 1080 lines; scaled with the output height
    colour: str = _colour("#ffffff")
    outline_colour: str = _colour("#000000")
    outline: float = _num(0, 20, 3.0)
    position: Literal["bottom", "middle", "top"] = _choice(SUB_POSITIONS, "bottom")


class Clip(_Data):
    """A piece of a source video: `in_s` to `out_s` (None = to its end), played at `speed`."""

    LABEL: ClassVar[str] = "clip"
    source: str = _path()
    in_s: float = _num(default=0.0)
    out_s: float | None = _num(default=None)
    speed: float = _num(0.25, 4.0, 1.0)
    subtitles: list[Subtitle] = Field(default_factory=list)

    @model_validator(mode="after")
    def _out_after_in(self) -> Clip:
        if self.out_s is not None and self.out_s <= self.in_s:
            raise _bad("clip out_s", self.out_s, f"a time after in_s {self.in_s:g}")
        return self

    def length(self, source_duration: float) -> float:
        """Seconds this clip lasts on the timeline, given its source's duration."""
        end = source_duration if self.out_s is None else min(self.out_s, source_duration)
        if end <= self.in_s:
            raise _bad("clip in_s", self.in_s, f"a time before the end of {self.source} ({source_duration:.2f} s)")
        return (end - self.in_s) / self.speed


class Transition(_Data):
    LABEL: ClassVar[str] = "transition"
    kind: Literal["cut", "crossfade", "fade-black", "fade-white", "wipe", "slide"] = _choice(TRANSITIONS, "cut")
    duration_s: float = _num(0, 10, 0.0)

    @model_validator(mode="after")
    def _length_fits_kind(self) -> Transition:
        if self.kind == "cut":
            self.duration_s = 0.0
        elif self.duration_s <= 0:
            raise _bad("transition duration_s", self.duration_s, f"more than 0 seconds for a {self.kind}")
        return self


class Card(_Data):
    """A title or end card: text on a plain background."""

    LABEL: ClassVar[str] = "card"
    text: str = _text(min_length=1)
    duration_s: float = _num(0.5, 30, 2.0)
    background: str = _colour("#000000")
    colour: str = _colour("#ffffff")
    size: Number = _num(8, 300, 72)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise _bad("card text", text, f"text of 1 to {MAX_TEXT} characters")
        return text


class MusicTrack(_Data):
    """Music placed at `offset_s` on the timeline, from `trim_in_s` to `trim_out_s` of the file."""

    LABEL: ClassVar[str] = "music"
    source: str = _path()
    offset_s: float = _num(default=0.0)
    trim_in_s: float = _num(default=0.0)
    trim_out_s: float | None = _num(default=None)
    volume: float = _num(0, 4, 1.0)
    fade_in_s: float = _num(0, 60, 0.0)
    fade_out_s: float = _num(0, 60, 0.0)
    loop: bool = False

    @model_validator(mode="after")
    def _trim_out_after_in(self) -> MusicTrack:
        if self.trim_out_s is not None and self.trim_out_s <= self.trim_in_s:
            raise _bad("music trim_out_s", self.trim_out_s, f"a time after trim_in_s {self.trim_in_s:g}")
        return self


class VoiceClip(_Data):
    """A spoken line on the voice track: `source` (WAV/MP3) starts at `start_s` of the timeline
    (of clip `shot`, 0-based, when given). `engine`/`voice` name the synthetic voice (empty for
    a recorded one), for provenance."""

    LABEL: ClassVar[str] = "voice"
    source: str = _path()
    start_s: float = _num(default=0.0)
    volume: float = _num(0, 4, 1.0)
    text: str = Field("", max_length=MAX_TEXT, json_schema_extra={"accepted": f"text of at most {MAX_TEXT} characters"})
    engine: str = Field("", max_length=100, json_schema_extra={"accepted": "an engine name of at most 100 characters"})
    voice: str = Field("", max_length=100, json_schema_extra={"accepted": "a voice name of at most 100 characters"})
    duration_s: float | None = _num(default=None)
    shot: int | None = Field(None, ge=0, json_schema_extra={"accepted": "a clip number from 0"})


class Logo(_Data):
    """An image over the video: at a corner, or at x/y (pixels from the top-left)."""

    LABEL: ClassVar[str] = "logo"
    source: str = _path()
    corner: Literal["top-left", "top-right", "bottom-left", "bottom-right"] | None = _choice(CORNERS, "top-right")
    x: Number | None = _num(0, 10000, None)
    y: Number | None = _num(0, 10000, None)
    scale: float = _num(0.01, 1.0, 0.12)  # logo width as a fraction of the output width
    opacity: float = _num(0, 1, 0.9)
    margin: Number = _num(0, 1000, 24)
    start_s: float = _num(default=0.0)
    end_s: float | None = _num(default=None)

    @model_validator(mode="after")
    def _placed_once(self) -> Logo:
        if self.x is not None or self.y is not None:
            for axis in ("x", "y"):
                if getattr(self, axis) is None:
                    raise _bad(f"logo {axis}", None, "a number from 0 to 10000")
            self.corner = None
        elif self.corner is None:
            raise _bad("logo corner", None, "one of " + ", ".join(CORNERS))
        if self.end_s is not None and self.end_s <= self.start_s:
            raise _bad("logo end_s", self.end_s, f"a time after start_s {self.start_s:g}")
        return self


class AILabel(_Data):
    """The visible AI-generated label; always burned in. `text` overrides the wording."""

    LABEL: ClassVar[str] = "label"
    position: Literal["top-left", "top-right", "bottom-left", "bottom-right"] = _choice(CORNERS, "top-left")
    language: Literal["zh", "en", "zh+en"] = _choice(LABEL_LANGUAGES, "zh+en")
    text: str | None = Field(None, min_length=1, max_length=80,
                             json_schema_extra={"accepted": "a label of at most 80 characters"})
    size: Number = _num(12, 200, 32)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            raise _bad("label text", text, f"text of 1 to {MAX_TEXT} characters")
        return text

    @property
    def wording(self) -> str:
        return self.text or LABEL_WORDING[self.language]


class Timeline(_Data):
    LABEL: ClassVar[str] = "timeline"
    clips: list[Clip] = Field(min_length=1, json_schema_extra={"accepted": "a list with at least one clip"})
    transitions: list[Transition] = Field(default_factory=list)
    title: Card | None = None
    end_card: Card | None = None
    music: list[MusicTrack] = Field(default_factory=list)
    logo: Logo | None = None
    subtitles: list[Subtitle] = Field(default_factory=list)
    subtitle_style: SubtitleStyle | None = Field(default_factory=SubtitleStyle)
    label: AILabel | None = Field(default_factory=AILabel)  # None reads as the default: the label cannot be off
    preset: str = Field("720p", pattern=r"^[\w.-]{1,40}$",
                        json_schema_extra={"accepted": "a preset name (see `shotline export-presets`)"})
    model: str = Field("", max_length=100, json_schema_extra={"accepted": "a model id of at most 100 characters"})
    voice: list[VoiceClip] = Field(default_factory=list)
    voice_volume: float = _num(0, 4, 1.0)  # the voice track's gain
    music_volume: float = _num(0, 4, 1.0)  # every music track's gain, on top of its own volume
    duck_db: float = _num(0, 40, 12.0)  # how far music drops under speech (0: no ducking)
    smooth_motion: bool = False  # interpolate clips to the export rate (minterpolate) instead of repeating frames
    version: int = 1

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        """The size limits of one timeline, said before any clip is checked."""
        if isinstance(data, dict):
            clips, subs = data.get("clips"), data.get("subtitles")
            if isinstance(clips, list) and len(clips) > MAX_CLIPS:
                raise ValueError(f"The timeline has {len(clips)} clips; at most {MAX_CLIPS} clips are accepted in one "
                                 "timeline.")
            if isinstance(subs, list) and len(subs) > MAX_SUBTITLES:
                raise ValueError(f"The timeline has {len(subs)} subtitle lines; at most {MAX_SUBTITLES} are "
                                 "accepted in one timeline.")
        return data

    @model_validator(mode="after")
    def _complete(self) -> Timeline:
        if not self.transitions:
            self.transitions = [Transition() for _ in self.clips[1:]]
        if len(self.transitions) != len(self.clips) - 1:
            raise _bad("timeline transitions", len(self.transitions), f"one per pair of neighbours ({len(self.clips) - 1})")
        if self.subtitle_style is None:
            self.subtitle_style = SubtitleStyle()
        if self.label is None:
            self.label = AILabel()
        return self

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
