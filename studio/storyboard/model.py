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

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Camera:
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
    dialogue: list[dict[str, str]] = field(default_factory=list)  # [{"speaker": "", "text": ""}]
    duration_s: float = 0.0
    explicit_duration: bool = False
    num_frames: int = 0
    part: int = 1  # a long beat becomes several shots: part i of parts
    parts: int = 1
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

    @property
    def duration_s(self) -> float:
        return round(sum(s.duration_s for s in self.shots), 2)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "style": self.style, "title": self.title, "warnings": list(self.warnings),
                "duration_s": self.duration_s, "shots": [s.to_dict() for s in self.shots]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Storyboard:
        return cls(shots=[Shot.from_dict(s) for s in data.get("shots", [])], model=data.get("model", ""),
                   style=data.get("style", ""), title=data.get("title", ""), warnings=list(data.get("warnings", [])))
