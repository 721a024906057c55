"""The README's commands are what CI runs and what exists: docs that cannot rot."""

from __future__ import annotations

import os
import re
from pathlib import Path

from studio.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


def test_quickstart_is_two_scripts_and_ci_runs_the_test_one():
    quick = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["./studio.sh", "./test.sh"]
    for script in commands:
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^\./test\.sh\b", ci, re.M), ".ci/run must call the README's test command"


def test_every_shotline_command_in_the_readme_exists():
    named = set(re.findall(r"\bshotline ([a-z][a-z-]+)", README))
    known = _subcommands()
    unknown = sorted(n for n in named if n not in known)
    assert not unknown, f"README names shotline commands that do not exist: {unknown}"


def test_every_command_is_documented_in_the_readme_or_docs():
    docs = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    missing = sorted(n for n in _subcommands() if not re.search(rf"shotline {re.escape(n)}\b", docs))
    assert not missing, f"commands without documentation: {missing}"


def test_every_settings_variable_in_the_readme_is_read_by_the_code():
    names = set(re.findall(r"`((?:SHOTLINE|GRADIO_SERVER)_[A-Z0-9_]+)`", README))
    code = "".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("shotline/*.py"), *ROOT.glob("engine/**/*.py"),
                                                            *ROOT.glob("studio/**/*.py"), *ROOT.glob("scripts/*.sh")])
    unread = sorted(n for n in names if n not in code)
    assert not unread, f"README documents settings the code never reads: {unread}"
