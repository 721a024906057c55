"""`shotline generate` and `shotline models` on the real tiny model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import read_frames, read_metadata
from studio.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """The tiny model's ops are too small for torch's intra-op threads to pay off."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _generate(tmp_path: Path, name: str, seed: int, *extra: str) -> tuple[int, Path, Path]:
    out, events = tmp_path / f"{name}.mp4", tmp_path / f"{name}.jsonl"
    code = main(["generate", "--model", "tiny", "--prompt", "a lighthouse at dusk", "--width", "64", "--height", "64",
                 "--frames", "9", "--steps", "4", "--seed", str(seed), "--out", str(out), "--events", str(events),
                 *extra])
    return code, out, events


def test_generate_writes_clip_events_and_previews(tmp_path, capsys):
    code, out, events = _generate(tmp_path, "clip", 7)
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "step 4/4" in captured.err and "Traceback" not in captured.err
    assert read_frames(out).shape == (9, 64, 64, 3)
    assert read_metadata(out)["fps"] == 16
    lines = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    assert {line["type"] for line in lines} <= {"loading", "step", "decoding", "finished", "cancelled", "failed"}
    steps = [line for line in lines if line["type"] == "step"]
    assert len(steps) >= 4 and [s["step"] for s in steps] == [1, 2, 3, 4] and all(s["total"] == 4 for s in steps)
    for s in steps:
        assert Path(s["preview"]).parent == tmp_path / "clip-previews"
        with Image.open(s["preview"]) as img:
            assert img.format == "PNG"
    assert lines[-1]["type"] == "finished" and lines[-1]["result"]["video_path"] == str(out)


def test_seed_7_twice_identical_seed_8_differs(tmp_path):
    assert _generate(tmp_path, "a", 7)[0] == 0
    assert _generate(tmp_path, "b", 7)[0] == 0
    assert _generate(tmp_path, "c", 8)[0] == 0
    a, b, c = (read_frames(tmp_path / f"{n}.mp4") for n in "abc")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_bad_input_is_one_sentence_exit_2(tmp_path, capsys):
    code, out, events = _generate(tmp_path, "bad", 7, "--frames", "10")
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["shotline: num_frames 10 is not accepted: 4k+1 frames from 1 to 33 for tiny, such as 9, 17 or 33."]
    assert not out.exists()
    assert [json.loads(x)["type"] for x in events.read_text().splitlines()] == ["failed"]


def test_models_list_shows_status(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["ID", "STATUS"]
    assert any(line.startswith("wan2.1-t2v-1.3b") and " missing " in line for line in out.splitlines())


def test_offline_real_model_fails_fast_with_the_fetch_command(tmp_path):
    """The real `shotline` entry point in a fresh process: one sentence, no traceback."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "studio.cli", "generate", "--model", "wan2.1-t2v-1.3b",
                           "--prompt", "a cat", "--out", str(tmp_path / "x.mp4"), "--events", str(tmp_path / "ev.jsonl")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in lines[0]
    assert "`shotline models download wan2.1-t2v-1.3b`" in lines[0]
    assert elapsed < 60  # process start included; weights are checked before diffusers is imported
    events = [json.loads(line) for line in (tmp_path / "ev.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["type"] for e in events] == ["failed"] and events[0]["message"] == lines[0].removeprefix("shotline: ")
    assert not (tmp_path / "x.mp4").exists()
    assert main(["models", "download", "wan2.1-t2v-1.3b"]) == 2  # in-process too (HF_HUB_OFFLINE=1 from conftest)


def _photo(path: Path, colour: str) -> str:
    Image.new("RGB", (64, 64), colour).save(path)
    return str(path)


def test_generate_from_a_photo_with_tiny_i2v(tmp_path, capsys):
    photo = _photo(tmp_path / "photo.png", "orange")
    out = tmp_path / "i2v.mp4"
    code = main(["generate", "--model", "tiny-i2v", "--image", photo, "--prompt", "the bottle turns slowly",
                 "--steps", "2", "--out", str(out), "--preview-every", "0"])
    assert code == 0 and capsys.readouterr().out.strip() == str(out)
    assert read_frames(out).shape == (9, 64, 64, 3)
    import hashlib

    digest = hashlib.sha256(Path(photo).read_bytes()).hexdigest()
    assert read_metadata(out)["images"] == [{"role": "start", "name": "photo.png", "sha256": digest}]


def test_generate_with_two_references_on_tiny_vace(tmp_path, capsys):
    face, bottle = _photo(tmp_path / "face.png", "tan"), _photo(tmp_path / "bottle.jpg", "green")
    out = tmp_path / "vace.mp4"
    code = main(["generate", "--model", "tiny-vace", "--reference", face, "--reference", bottle, "--prompt",
                 "a woman holds a bottle", "--steps", "2", "--out", str(out), "--preview-every", "0"])
    assert code == 0, capsys.readouterr().err
    assert [i["role"] for i in read_metadata(out)["images"]] == ["reference", "reference"]


def test_an_image_on_a_text_only_model_is_one_sentence(tmp_path, capsys):
    code = main(["generate", "--model", "tiny", "--image", _photo(tmp_path / "p.png", "red"), "--prompt", "x",
                 "--out", str(tmp_path / "x.mp4")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("shotline: image ") and "tiny-i2v" in err[0]


def test_an_8_s_shot_on_a_5_s_model_is_one_clip_of_two_chained_parts(tmp_path, capsys):
    photo = _photo(tmp_path / "start.png", "navy")
    out, events = tmp_path / "long.mp4", tmp_path / "long.jsonl"
    code = main(["generate", "--model", "tiny-vace", "--image", photo, "--duration", "8", "--prompt", "waves roll in",
                 "--steps", "1", "--out", str(out), "--events", str(events)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "8 s on tiny-vace: 2 chained clips, each starting from the last frame" in captured.err
    assert "clip 2 of 2" in captured.err and captured.out.strip() == str(out)
    frames = read_frames(out)
    assert frames.shape == (129, 64, 64, 3)  # 65 + 65 - the repeated frame: 8.06 s at 16 fps
    meta = read_metadata(out)
    assert meta["num_frames"] == 129 and len(meta["chain"]["parts"]) == 2 and meta["chain"]["continuous"]
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    assert [x["result"]["video_path"] for x in lines if x["type"] == "finished"] == [str(out)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.jsonl", "long.mp4", "start.png"]  # parts removed


def test_duration_and_frames_together_is_one_sentence(tmp_path, capsys):
    code = main(["generate", "--duration", "3", "--frames", "9", "--prompt", "x", "--out", str(tmp_path / "x.mp4")])
    assert code == 2
    assert capsys.readouterr().err.strip() == ("shotline: --duration and --frames are not accepted together: give "
                                               "the shot's length in one of them.")
