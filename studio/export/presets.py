"""studio.export: export presets, loaded from presets/export/*.json (SHOTLINE_PRESETS laid
over them) into a pydantic model; a bad file is one sentence naming the file, the key
and what is accepted."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from engine.schema import FileModel, Refused, file_sentence
from shotline.data import preset_path

FITS = ("pad", "crop", "blur")
CONTAINERS = {"mp4": ("libx264", "libx265"), "webm": ("libvpx-vp9",), "gif": ("gif",)}
FPS_CHOICES = (12, 24, 25, 30)
_EVEN = {"accepted": "an even number of pixels from 64 to 4096"}


class Preset(FileModel):
    name: str = Field(min_length=1, max_length=40)
    description: str
    width: int = Field(ge=64, le=4096, json_schema_extra=_EVEN)
    height: int = Field(ge=64, le=4096, json_schema_extra=_EVEN)
    fps: Literal[12, 24, 25, 30]
    fit: Literal["pad", "crop", "blur"]
    container: Literal["mp4", "webm", "gif"]
    video_codec: str
    crf: int = Field(ge=0, le=63, json_schema_extra={"accepted": "a whole number from 0 to 63"})
    encoder_preset: str
    audio_codec: str
    audio_bitrate: str
    loudnorm: bool
    srt: bool
    poster: bool

    @model_validator(mode="after")
    def _fits_together(self) -> Preset:
        for key in ("width", "height"):
            if getattr(self, key) % 2:
                raise Refused(key, getattr(self, key), "accepted: an even number of pixels from 64 to 4096")
        if self.video_codec not in CONTAINERS[self.container]:
            raise Refused("video_codec", self.video_codec, "accepted: " + ", ".join(CONTAINERS[self.container]))
        return self

    @property
    def suffix(self) -> str:
        return "." + self.container


def _check(data: Any, source: str) -> Preset:
    if not isinstance(data, dict):
        raise ValueError(f"export preset {source}: the top level must be a JSON object, not {type(data).__name__}.")
    try:
        return Preset.model_validate(data)
    except ValidationError as err:
        raise ValueError(file_sentence(err, f"export preset {source}", Preset)) from None


def list_presets() -> list[Preset]:
    return [_check(json.loads(p.read_text(encoding="utf-8")), p.name) for p in sorted(preset_path("export").glob("*.json"))]


def get_preset(name: str) -> Preset:
    presets = {p.name: p for p in list_presets()}
    if name not in presets:
        raise ValueError(f"export preset {name!r} is not known; accepted: {', '.join(sorted(presets))}.")
    return presets[name]
