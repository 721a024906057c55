"""studio.storyboard: script text -> a Storyboard of shots (subject, action, setting,
time and lighting, mood, camera, characters, dialogue, duration), in Chinese, English
or both. `split()` analyses; `build()` also composes prompts and checks safety."""

from __future__ import annotations

from studio.storyboard.model import Camera, Shot, Storyboard
from studio.storyboard.storyboard import DEFAULT_MODEL, MAX_SCRIPT_CHARS, build, split

__all__ = ["DEFAULT_MODEL", "MAX_SCRIPT_CHARS", "Camera", "Shot", "Storyboard", "build", "split"]
