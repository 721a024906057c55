"""Weights: the tiny model's cache, tokenizer, the offline error for real models, and
the byte-progress plumbing of downloads."""

from __future__ import annotations

import time

import pytest

from engine import (
    GenerationRequest,
    LoadingEvent,
    WeightsUnavailable,
    generate,
    load_tokenizer,
    models_dir,
    resolve_weights,
    weights_status,
)


def test_models_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOTLINE_MODELS_DIR", str(tmp_path / "m"))
    assert models_dir() == tmp_path / "m"
    monkeypatch.delenv("SHOTLINE_MODELS_DIR")
    monkeypatch.setenv("SHOTLINE_HOME", str(tmp_path / "home"))
    assert models_dir() == tmp_path / "home" / "models"


def test_tiny_is_built_once_in_diffusers_format(tiny_model_dir):
    assert (tiny_model_dir / "model_index.json").is_file()
    for part in ("transformer", "vae", "text_encoder", "tokenizer", "scheduler"):
        assert (tiny_model_dir / part).is_dir()
    mtime = (tiny_model_dir / "model_index.json").stat().st_mtime_ns
    assert resolve_weights("tiny") == tiny_model_dir
    assert (tiny_model_dir / "model_index.json").stat().st_mtime_ns == mtime
    assert weights_status("tiny") == "local"


def test_tiny_build_is_deterministic():
    import torch

    from engine.tiny import build_pipeline

    a, b = build_pipeline(), build_pipeline()
    for name in ("transformer", "vae", "text_encoder"):
        sa, sb = getattr(a, name).state_dict(), getattr(b, name).state_dict()
        assert sa.keys() == sb.keys()
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert a.tokenizer.get_vocab() == b.tokenizer.get_vocab()


def test_tiny_tokenizer_is_a_transformers_tokenizer(tiny_model_dir):
    tok = load_tokenizer("tiny")
    ids = tok("a red car drives at night")["input_ids"]
    assert ids[-1] == tok.eos_token_id and len(ids) > 2
    assert tok.decode(ids, skip_special_tokens=True).strip() == "a red car drives at night"
    padded = tok("a cat", padding="max_length", max_length=512, truncation=True)["input_ids"]
    assert len(padded) == 512 and padded[-1] == tok.pad_token_id


def test_real_model_missing_offline_fails_fast_with_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert weights_status("wan2.1-t2v-1.3b") == "missing"
    assert load_tokenizer("wan2.1-t2v-1.3b") is None
    events = []
    start = time.monotonic()
    with pytest.raises(WeightsUnavailable) as info:
        generate(GenerationRequest(prompt="a cat", model="wan2.1-t2v-1.3b"), on_event=events.append)
    assert time.monotonic() - start < 20  # generous on a shared machine; typically well under a second
    message = str(info.value)
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in message
    assert "`shotline models download wan2.1-t2v-1.3b`" in message
    assert message.endswith(".") and "\n" not in message
    assert events[-1].type == "failed" and events[-1].message == message


def test_download_progress_class_reports_bytes():
    """The tqdm class handed to snapshot_download, driven as huggingface_hub drives its
    byte bars (total grows per file, update(n) per chunk)."""
    from engine.weights import make_progress_class

    events = []
    cls = make_progress_class("wan2.1-t2v-1.3b", events.append, min_interval_s=0.0)
    bar = cls(total=0, initial=0, unit="B", unit_scale=True, desc="Downloading bytes")
    bar.total = 3000
    for _ in range(3):
        bar.update(1000)
    bar.close()
    files = cls(total=5, desc="Fetching 5 files")  # a file-count bar: not bytes, no events
    files.update(5)
    files.close()
    assert all(isinstance(e, LoadingEvent) for e in events)
    assert [e.downloaded_bytes for e in events][:3] == [1000, 2000, 3000]
    assert events[-1].downloaded_bytes == events[-1].total_bytes == 3000
    assert events[-1].message.startswith("downloading wan2.1-t2v-1.3b:") and events[-1].message.endswith("MB")
