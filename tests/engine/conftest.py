"""Engine test fixtures: the tiny model, built once per session into the session's
SHOTLINE_MODELS_DIR (set by tests/conftest.py), and a clip generated once and shared."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(_model_caches):
    import torch

    from engine import resolve_weights

    # the tiny model's ops are too small for intra-op threads to pay off, and on a busy
    # machine their spinning makes them several times slower
    torch.set_num_threads(1)

    return resolve_weights("tiny")


@pytest.fixture(scope="session")
def warm_engine(tiny_model_dir):
    from engine import Engine

    return Engine()


@pytest.fixture(scope="session")
def seed7_clip(warm_engine, tmp_path_factory):
    """One 64x64x9 seed-7 clip with its events and preview files."""
    from engine import GenerationRequest

    folder = tmp_path_factory.mktemp("seed7")
    events = []
    request = GenerationRequest(prompt="a red car drives through a city", seed=7, output_path=str(folder / "clip.mp4"))
    result = warm_engine.generate(request, on_event=events.append, preview_dir=folder / "previews")
    return result, events, folder
