"""docs/storyboard.md documents every option of `shotline storyboard` and `shotline styles`."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.cli import build_parser

DOC = Path(__file__).resolve().parents[3] / "docs" / "storyboard.md"


def test_every_storyboard_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("storyboard", "styles"):
        assert f"shotline {command}" in text
        for action in sub.choices[command]._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in text, f"{command} {flag} is not in docs/storyboard.md"
