"""studio.export: export presets, loaded from presets/export/*.json and validated
(a bad file is reported by its name and key)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shotline.data import preset_path

FITS = ("pad", "crop", "blur")
CONTAINERS = {"mp4": ("libx264", "libx265"), "webm": ("libvpx-vp9",), "gif": ("gif",)}
FPS_CHOICES = (12, 24, 25, 30)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    width: int
    height: int
    fps: int
    fit: str
    container: str
    video_codec: str
    crf: int
    encoder_preset: str
    audio_codec: str
    audio_bitrate: str
    loudnorm: bool
    srt: bool
    poster: bool

    @property
    def suffix(self) -> str:
        return "." + self.container


def _check(data: dict, source: str) -> Preset:
    def bad(key: str, accepted: str) -> ValueError:
        return ValueError(f"export preset {source}: key {key!r} has {data.get(key)!r}; expected {accepted}.")

    for key in ("width", "height"):
        if not isinstance(data.get(key), int) or not 64 <= data[key] <= 4096 or data[key] % 2:
            raise bad(key, "an even number of pixels from 64 to 4096")
    if data.get("fps") not in FPS_CHOICES:
        raise bad("fps", "one of " + ", ".join(map(str, FPS_CHOICES)))
    if data.get("fit") not in FITS:
        raise bad("fit", "one of " + ", ".join(FITS))
    if data.get("container") not in CONTAINERS:
        raise bad("container", "one of " + ", ".join(CONTAINERS))
    if data.get("video_codec") not in CONTAINERS[data["container"]]:
        raise bad("video_codec", "one of " + ", ".join(CONTAINERS[data["container"]]))
    if not isinstance(data.get("crf"), int) or not 0 <= data["crf"] <= 63:
        raise bad("crf", "a whole number from 0 to 63")
    try:
        return Preset(**{k: data[k] for k in Preset.__dataclass_fields__})
    except KeyError as err:
        raise ValueError(f"export preset {source}: key {err.args[0]!r} is missing.") from None


def list_presets() -> list[Preset]:
    return [_check(json.loads(p.read_text(encoding="utf-8")), p.name) for p in sorted(preset_path("export").glob("*.json"))]


def get_preset(name: str) -> Preset:
    presets = {p.name: p for p in list_presets()}
    if name not in presets:
        raise ValueError(f"export preset {name!r} is not known; accepted: {', '.join(sorted(presets))}.")
    return presets[name]
