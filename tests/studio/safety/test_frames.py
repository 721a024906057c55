"""The frame checker interface: sampling, reports, reading a real video, and the optional
NudeNet backend's clear message when it is not installed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from studio.safety.frames import (
    FrameChecker,
    FrameCheckerUnavailable,
    FrameFinding,
    NudeNetChecker,
    check_frames,
    check_video,
    sample_indices,
)


class WhiteFrameChecker(FrameChecker):
    """A small real checker for the tests: flags frames that are almost all white."""

    name = "white-frame"

    def check_frame(self, frame: np.ndarray, index: int) -> list[FrameFinding]:
        return [FrameFinding(index, "WHITE", float(frame.mean() / 255))] if frame.mean() > 240 else []


def test_sampling_spreads_over_the_clip() -> None:
    assert sample_indices(81, 5) == [0, 20, 40, 60, 80]
    assert sample_indices(3, 8) == [0, 1, 2] and sample_indices(0) == []


def test_a_flagged_frame_blocks_with_one_sentence() -> None:
    frames = [np.zeros((16, 16, 3), np.uint8) for _ in range(9)]
    frames[8] = np.full((16, 16, 3), 255, np.uint8)
    report = check_frames(frames, WhiteFrameChecker(), samples=3)
    assert report.frames_checked == [0, 4, 8] and report.blocked
    assert report.message == "Blocked by the white-frame frame check: frame 8 shows WHITE (score 1.00)."
    assert not check_frames(frames[:8], WhiteFrameChecker()).blocked


def test_check_video_reads_frames_with_ffmpeg(tmp_path) -> None:
    import imageio_ffmpeg

    path = tmp_path / "clip.mp4"
    writer = imageio_ffmpeg.write_frames(str(path), (32, 32), fps=8, macro_block_size=16)
    writer.send(None)
    for value in (0, 0, 255, 255):
        writer.send(np.full((32, 32, 3), value, np.uint8).tobytes())
    writer.close()
    report = check_video(path, WhiteFrameChecker(), samples=4)
    assert report.frames_checked == [0, 1, 2, 3] and {f.frame for f in report.findings} == {2, 3}


@pytest.mark.skipif(importlib.util.find_spec("nudenet") is not None, reason="nudenet is installed here")
def test_nudenet_missing_is_one_clear_sentence() -> None:
    with pytest.raises(FrameCheckerUnavailable, match=r"pip install 'shotline\[nudenet\]'"):
        NudeNetChecker()
