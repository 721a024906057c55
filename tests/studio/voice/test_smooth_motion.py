"""Smooth motion: a 16 fps clip exported at 32 fps with `smooth_motion` has twice the frames
and, unlike frame repetition, no repeated frames (only the very last one, past the clip's
last source frame, where there is nothing to interpolate towards)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from studio.cli import main
from studio.export.run import render
from studio.timeline.model import Clip, Timeline
from tests.studio.export import media

FRAMES = 24


def _frames(path: Path) -> np.ndarray:
    raw = subprocess.run([media.FF, "-v", "error", "-i", str(path), "-vf", "scale=320:180", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, 180, 320).astype(np.int16)


def _repeats(frames: np.ndarray) -> list[int]:
    return [i for i in range(len(frames) - 1) if np.abs(frames[i + 1] - frames[i]).mean() < 0.5]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.clip(tmp_path_factory.mktemp("smooth") / "c.mp4", size="128x72", frames=FRAMES)


def test_smooth_motion_doubles_the_frames_with_no_repeats(source: Path, tmp_path: Path) -> None:
    smooth = _frames(render(Timeline(clips=[Clip(str(source))], smooth_motion=True), tmp_path / "s.mp4", fps=32).output)
    assert len(smooth) == 2 * FRAMES
    assert _repeats(smooth) in ([], [2 * FRAMES - 2])


def test_frame_repetition_is_what_smooth_motion_replaces(source: Path, tmp_path: Path) -> None:
    plain = _frames(render(Timeline(clips=[Clip(str(source))]), tmp_path / "p.mp4", fps=32).output)
    assert len(plain) == 2 * FRAMES and len(_repeats(plain)) >= FRAMES - 1


def test_cut_takes_smooth_motion_from_the_command_line(source: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli.mp4"
    assert main(["cut", str(source), "--smooth-motion", "--fps", "30", "--quiet", "--out", str(out)]) == 0
    frames = _frames(out)
    assert len(frames) == round(FRAMES / 16 * 30) and len(_repeats(frames)) <= 1
