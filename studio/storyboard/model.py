"""studio.storyboard: the Shot and Storyboard data. Plain, JSON-serialisable dataclasses
with `to_dict` / `from_dict`; what the splitter fills and the prompt composer reads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Camera:
    """Shot size and movement, each with its English and Chinese name, and the camera
    language the prompt gets."""

    size: str = "medium"  # preset id, e.g. "close-up"
    size_en: str = "medium shot"
    size_zh: str = "中景"
    movement: str = "static"
    movement_en: str = "static"
    movement_zh: str = "固定"
    explicit: bool = False  # the script named the size or move itself
    speed: str = ""  # "slow-motion" when the script asks for it
    angle: str = ""  # "aerial", "pov" or "ots" when the script names it
    named: list[str] = field(default_factory=list)  # every camera id the script named for this shot

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Camera:  # old boards without speed / angle / named load too
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Shot:
    """One clip of the storyboard."""

    index: int
    text: str  # what this shot says, cleaned of list markers and duration marks
    source: str = ""  # the verbatim slice of the script this shot came from
    scene: int = 1
    heading: str = ""  # the scene heading this shot belongs to, if any
    language: str = "en"  # "zh" | "en"
    subject: str = ""
    action: str = ""
    setting: str = ""
    time_of_day: str = ""
    lighting: str = ""
    mood: str = ""
    camera: Camera = field(default_factory=Camera)
    characters: list[str] = field(default_factory=list)
    # speech only: [{"speaker": "", "text": "", "kind": "dialogue" | "voiceover" | "subtitle"}]
    dialogue: list[dict[str, str]] = field(default_factory=list)
    duration_s: float = 0.0
    explicit_duration: bool = False
    num_frames: int = 0
    part: int = 1  # kept for old boards: a shot is always one shot now (part 1 of 1)
    parts: int = 1
    stated_duration: float | None = None  # seconds the script states for this shot, if it does
    source_format: str = ""  # "fountain", "fdx", "csv", "tsv", "xlsx", "json", "markdown", "text"
    products: list[str] = field(default_factory=list)  # quoted brand / product names in the picture (品牌“…”)
    sound: list[str] = field(default_factory=list)  # music and sound-effect notes (音乐, SFX): never in the prompt
    style: str = ""
    seed: int = 0
    prompt: str = ""
    negative_prompt: str = ""
    warnings: list[str] = field(default_factory=list)
    safety: dict[str, Any] | None = None
    # studio.prompts: the rule-based prompt, kept when a language model rewrites `prompt`
    # so the user can go back; and where `prompt` came from ("rules", "planner:<model>")
    rule_prompt: str = ""
    prompt_source: str = ""
    # studio.projects.cards: the shot's own start / end image (uploads), whether it starts from
    # the previous shot's last frame, and its tier ("" = the project's, else "draft" | "final")
    image: str = ""
    last_image: str = ""
    continues: bool = False
    tier: str = ""

    @property
    def subtitle(self) -> str:
        """The dialogue as one subtitle line (speakers are not shown)."""
        return " ".join(d["text"] for d in self.dialogue if d.get("text"))

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["camera"] = self.camera.to_dict()
        data["subtitle"] = self.subtitle
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shot:
        data = dict(data)
        data.pop("subtitle", None)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Shot got unknown field(s) {unknown}; accepted: {sorted(known)}.")
        data["camera"] = Camera.from_dict(data.get("camera") or {})
        return cls(**data)


@dataclass
class Storyboard:
    """The shots of one script, for one model and style."""

    shots: list[Shot]
    model: str = ""
    style: str = ""
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    source_format: str = ""  # the script's format, as read
    encoding: str = ""  # the text encoding the script was read in ("" when it came as text)
    metadata: dict[str, str] = field(default_factory=dict)  # a Fountain title page, front matter
    characters: list[str] = field(default_factory=list)  # every named character, in order of appearance

    @property
    def duration_s(self) -> float:
        return round(sum(s.duration_s for s in self.shots), 2)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "style": self.style, "title": self.title, "warnings": list(self.warnings),
                "source_format": self.source_format, "encoding": self.encoding, "metadata": dict(self.metadata),
                "characters": list(self.characters),
                "duration_s": self.duration_s, "shots": [s.to_dict() for s in self.shots]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Storyboard:
        return cls(shots=[Shot.from_dict(s) for s in data.get("shots", [])], model=data.get("model", ""),
                   style=data.get("style", ""), title=data.get("title", ""), warnings=list(data.get("warnings", [])),
                   source_format=data.get("source_format", ""), encoding=data.get("encoding", ""),
                   metadata=dict(data.get("metadata") or {}), characters=list(data.get("characters") or []))
