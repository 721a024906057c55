"""Shared test fixtures: every test gets its own SHOTLINE_HOME, so nothing touches ~/.shotline."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def shotline_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("shotline-home")
    monkeypatch.setenv("SHOTLINE_HOME", str(home))
    return home


@pytest.fixture(autouse=True, scope="session")
def _model_caches(tmp_path_factory):
    """Model caches for the whole session in tmp dirs: the tiny model is built once into
    SHOTLINE_MODELS_DIR and reused by every test; the HF cache is empty, so no test
    ever sees (or downloads) real weights."""
    import os

    mp = pytest.MonkeyPatch()
    mp.setenv("SHOTLINE_MODELS_DIR", str(tmp_path_factory.mktemp("models")))
    mp.setenv("HF_HOME", str(tmp_path_factory.mktemp("hf-home")))
    mp.delenv("HF_HUB_CACHE", raising=False)
    mp.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "HF_HUB_OFFLINE" not in os.environ:
        mp.setenv("HF_HUB_OFFLINE", "1")
    yield
    mp.undo()
