"""MP4 output: atomic writes and metadata tags that survive any prompt text (read back
through ffmpeg's own ffmetadata export)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.video import parse_ffmetadata, read_frames, read_metadata, write_mp4

FRAMES = np.full((1, 16, 16, 3), 0.5, dtype=np.float32)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80))
def test_any_prompt_round_trips_through_the_container_tags(tmp_path, prompt):
    meta = {"prompt": prompt, "negative_prompt": "色调艳丽 = ; # \\ \n", "seed": 7}
    path = write_mp4(FRAMES, tmp_path / "clip.mp4", 16, meta)
    assert read_metadata(path) == meta


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "clip.mp4"
    write_mp4(np.zeros((5, 32, 32, 3)), target, 16, {"prompt": "x"})
    assert read_frames(target).shape == (5, 32, 32, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]
    with pytest.raises(ValueError):
        write_mp4(np.zeros((5, 32, 32)), tmp_path / "bad.mp4", 16)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_failed_encode_keeps_the_old_file(tmp_path):
    target = tmp_path / "clip.mp4"
    write_mp4(np.zeros((5, 32, 32, 3)), target, 16, {"prompt": "old"})
    with pytest.raises(RuntimeError):
        write_mp4(np.zeros((5, 31, 31, 3)), target, 16, {"prompt": "new"})  # odd size: x264 refuses yuv420p
    assert read_metadata(target)["prompt"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_parse_ffmetadata_escapes_and_sections():
    text = ";FFMETADATA1\nshotline={\"a\"\\=1}\ncomment=line1\\\nline2\\\\\n[STREAM]\nx=y\n"
    assert parse_ffmetadata(text) == {"shotline": '{"a"=1}', "comment": "line1\nline2\\"}
