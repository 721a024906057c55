"""studio.storyboard: script text -> a Storyboard of shots (subject, action, setting,
time and lighting, mood, camera, characters, dialogue, duration), in Chinese, English
or both, from text, Markdown, Fountain, Final Draft, CSV/TSV/XLSX/JSON shot lists.
`read_file()` decodes a file; `split()` analyses; `build()` also composes prompts and
checks safety; studio.storyboard.edit holds the storyboard-level edits."""

from __future__ import annotations

from studio.storyboard.model import Camera, Shot, Storyboard
from studio.storyboard.source import ACCEPTED, FormatRefused, Script, read_bytes
from studio.storyboard.storyboard import DEFAULT_MODEL, MAX_SCRIPT_CHARS, build, read_file, split

__all__ = ["ACCEPTED", "DEFAULT_MODEL", "MAX_SCRIPT_CHARS", "Camera", "FormatRefused", "Script", "Shot", "Storyboard",
           "build", "read_bytes", "read_file", "split"]
