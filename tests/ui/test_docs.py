"""docs/ui.md documents `shotline studio`, `shotline users` and every setting app.py reads."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from studio.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_studio_commands_and_settings_are_documented() -> None:
    text = (ROOT / "docs" / "ui.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert "shotline studio" in text and "shotline users add NAME" in text and "shotline users list" in text
    for action in sub.choices["studio"]._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in text, f"studio {flag} is not in docs/ui.md"
    source = (ROOT / "app.py").read_text(encoding="utf-8") + (ROOT / "studio/accounts/auth.py").read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r"SHOTLINE_[A-Z_]+", source))):
        assert f"`{name}`" in text, f"{name} is not in docs/ui.md's settings table"
