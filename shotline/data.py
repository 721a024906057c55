"""shotline: where the shipped data lives. `presets/` and `assets/` at the top of the
repository are the source of truth; a wheel carries them as package data inside
`shotline/` (pyproject maps them there), and `importlib.resources` finds them in both
an installed wheel and a checkout (editable install or PYTHONPATH).

`SHOTLINE_PRESETS` names a folder laid out like presets/: each entry it has
(models/, styles/, templates/, camera.json, lexicon/, export/, safety/) replaces the
shipped one of the same name; what it lacks comes from the shipped presets."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PRESETS_ENV = "SHOTLINE_PRESETS"


def shipped(name: str) -> Path:
    """The shipped data folder `name` ("presets" or "assets") as a real path on disk."""
    inside = resources.files("shotline") / name  # a wheel: the data sits inside the package
    if inside.is_dir():
        return Path(str(inside))
    checkout = Path(str(resources.files("shotline"))).parent / name  # a checkout: beside the package
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"Shotline's {name} folder is missing from this installation ({inside}); reinstall Shotline.")


def presets_override() -> Path | None:
    """The SHOTLINE_PRESETS folder, or None when unset; a value that is not a folder is one sentence."""
    value = os.environ.get(PRESETS_ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"{PRESETS_ENV} {value!r} is not accepted: a folder laid out like Shotline's presets/.")
    return path


def preset_path(name: str) -> Path:
    """presets/`name` (a folder or a file such as camera.json): SHOTLINE_PRESETS's if it has one, else the shipped one."""
    override = presets_override()
    if override is not None and (override / name).exists():
        return override / name
    return shipped("presets") / name


def asset_path(name: str = "") -> Path:
    """assets/`name` (or the assets folder itself)."""
    root = shipped("assets")
    return root / name if name else root
