"""Memory modes and speed options: auto selection from the card, dtypes, and the caches
running for real on the tiny model (and leaving the pipeline clean afterwards)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import SPEED_OPTIONS, GenerationRequest, SpeedOptions, get_card, read_frames
from engine.memory import component_dtypes, pick_memory_mode, resolve_memory_mode
from engine.speed import load_mag_ratios, parse_calibration


@pytest.mark.parametrize("free_gb,mode", [(80, "gpu"), (10, "model_offload"), (6, "group_offload"), (2, "sequential_offload")])
def test_auto_picks_the_fastest_mode_that_fits(free_gb, mode):
    assert pick_memory_mode(get_card("wan2.1-t2v-1.3b"), free_gb) == mode


def test_cpu_device_ignores_memory_modes():
    card = get_card("wan2.1-t2v-1.3b")
    assert {resolve_memory_mode(card, m, "cpu") for m in ("auto", "gpu", "model_offload")} == {"cpu"}


def test_dtypes_per_component_from_the_card():
    dtypes = component_dtypes(get_card("wan2.1-t2v-1.3b"), "cuda")
    assert dtypes["transformer"] == torch.bfloat16 and dtypes["vae"] == torch.float32
    assert dtypes["text_encoder"] == torch.bfloat16
    assert component_dtypes(get_card("wan2.1-t2v-1.3b"), "cpu") == {"default": torch.float32}


def test_speed_table_labels_every_lossy_option():
    for option in SPEED_OPTIONS:
        assert option["label"] and option["effect"] and option["quality"]
        if not option["exact"]:
            assert "trades quality for speed" in option["label"]
    assert {o.get("value") for o in SPEED_OPTIONS if o["key"] == "cache"} == {"first_block", "mag", "taylorseer"}


@pytest.fixture(scope="module")
def base(warm_engine, tmp_path_factory):
    """The uncached clip every speed option is compared with."""
    return _frames(warm_engine, tmp_path_factory.mktemp("base"), "base")


def _frames(engine, tmp_path, name, **kw):
    req = GenerationRequest(prompt="a lighthouse", seed=3, steps=5, preview_every=0, output_path=str(tmp_path / f"{name}.mp4"), **kw)
    return read_frames(engine.generate(req).video_path)


def test_first_block_cache_changes_output_and_is_removed_after(warm_engine, tmp_path, base):
    fbc = _frames(warm_engine, tmp_path, "fbc", speed=SpeedOptions(cache="first_block", cache_threshold=1.0))
    assert not np.array_equal(base, fbc)  # blocks were skipped: a different (approximate) clip
    assert np.array_equal(base, _frames(warm_engine, tmp_path, "again"))  # no cache left behind


def test_taylorseer_runs_and_is_removed_after(warm_engine, tmp_path, base):
    ts = _frames(warm_engine, tmp_path, "ts", speed=SpeedOptions(cache="taylorseer"))
    assert ts.shape == base.shape
    assert np.array_equal(base, _frames(warm_engine, tmp_path, "again"))


def test_magcache_calibrates_once_then_uses_the_ratios(warm_engine, tmp_path, capsys):
    events = []
    req = GenerationRequest(prompt="a lighthouse", seed=3, steps=5, preview_every=0,
                            output_path=str(tmp_path / "mag1.mp4"), speed=SpeedOptions(cache="mag"))
    warm_engine.generate(req, on_event=events.append)
    assert any("calibrating" in getattr(e, "message", "") for e in events)
    assert "MagCache" not in capsys.readouterr().out  # diffusers' print kept off stdout
    ratios = load_mag_ratios("tiny")
    assert ratios and len(ratios) == 5
    events.clear()
    warm_engine.generate(req, on_event=events.append)
    assert not any("calibrating" in getattr(e, "message", "") for e in events)


def test_parse_calibration_output():
    text = "\n[MagCache] Calibration Complete. Copy these values to MagCacheConfig(mag_ratios=...):\n[1.0, 0.98, 1.02]\n\n"
    assert parse_calibration(text) == [1.0, 0.98, 1.02]
    assert parse_calibration("nothing here") is None


def test_attention_backend_exact_kernel_gives_the_same_clip(warm_engine, tmp_path, base):
    math = _frames(warm_engine, tmp_path, "math", speed=SpeedOptions(attention_backend="_native_math"))
    # same maths, another kernel: only float rounding differs (the random tiny model and
    # guidance amplify it a little), so the clips agree closely; a cache would not
    mse = np.mean((base.astype(float) - math.astype(float)) ** 2)
    psnr = 10 * np.log10(255**2 / max(mse, 1e-9))
    assert psnr > 35, psnr
    assert warm_engine._pipe.transformer._shotline_attention == "_native_math"
