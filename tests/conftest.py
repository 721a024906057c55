"""Shared test fixtures: every test gets its own SHOTLINE_HOME, so nothing touches ~/.shotline."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def shotline_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("shotline-home")
    monkeypatch.setenv("SHOTLINE_HOME", str(home))
    return home
