"""Test helper: launch the whole studio in-process (mirror, one real CPU worker with the
tiny model, the one-click pipeline, Gradio on a free loopback port) under its own SHOTLINE_HOME,
with two users (alice, bob) from a users file; generation uses 2 steps and 9 frames."""

from __future__ import annotations

import socket
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
USERS = {"alice": "alice-password-1", "bob": "bob-password-22", "carol": "carol-password-333"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_studio(home: Path, *, users: bool = True):
    """Yield the running app.Studio; everything is stopped on exit."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SHOTLINE_HOME", str(home))
    mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    mp.delenv("SHOTLINE_USERS", raising=False)
    mp.setenv("SHOTLINE_USERS_FILE", str(home / "users.json"))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from studio.accounts.auth import add_user

    if users:
        for name, password in USERS.items():
            add_user(name, password)
    import app

    studio = app.Studio(app.Settings(port=free_port(), devices=["cpu"], defaults={"steps": 2, "max_frames": 9},
                                     max_upload_mb=2))
    try:
        studio.launch(block=False)
        yield studio
    finally:
        studio.close()
        mp.undo()
