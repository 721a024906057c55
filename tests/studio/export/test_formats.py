"""studio.export.run: presets render what they promise (size, fps, codec, fit), clips of
different sizes and rates are normalised, loudness lands near -14 LUFS, and cancel leaves
nothing behind."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from engine.cancel import CancelToken
from studio.export.probe import probe
from studio.export.run import ExportCancelled, render
from studio.timeline import Clip, MusicTrack, Timeline, Transition
from tests.studio.export import media


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("fmt")
    return {"tiny": media.clip(d / "tiny.mp4"), "wide24": media.clip(d / "wide.mp4", "320x180", 24, 12, seed=2),
            "tall": media.clip(d / "tall.mp4", "144x256", 16, 9, seed=3), "music": media.music(d / "m.m4a", 2.0)}


@pytest.mark.parametrize("preset, fps, size, codec", [
    ("vertical-blur", 30, (1080, 1920), "h264"),
    ("square", 25, (1080, 1080), "h264"),
    ("webm-720p", 24, (1280, 720), "vp9"),
    ("720p-h265", 24, (1280, 720), "hevc"),
    ("gif-preview", None, (480, 270), "gif"),
])
def test_presets_normalise_mixed_clips(clips: dict, tmp_path: Path, preset: str, fps: int | None, size: tuple, codec: str) -> None:
    tl = Timeline(clips=[Clip(str(clips["tiny"])), Clip(str(clips["wide24"])), Clip(str(clips["tall"]))],
                  transitions=[Transition("fade-black", 0.2), Transition("slide", 0.2)], model="tiny")
    suffix = {"webm-720p": ".webm", "gif-preview": ".gif"}.get(preset, ".mp4")
    seen: list[float] = []
    result = render(tl, tmp_path / f"out{suffix}", preset=preset, fps=fps, on_progress=seen.append)
    assert seen[-1] == 100.0 and all(0 <= p <= 100 for p in seen)
    info = probe(result.output)
    assert (info.width, info.height) == size and info.video_codec == codec
    if fps:
        assert info.fps == fps
    assert result.duration_s == pytest.approx(9 / 16 + 12 / 24 + 9 / 16 - 0.4, abs=0.03)
    assert result.c2pa_signed == (suffix in (".mp4", ".gif"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"out{suffix}", "out.jpg"])


def test_loudness_is_normalised_to_minus_14_lufs(clips: dict, tmp_path: Path) -> None:
    tl = Timeline(clips=[Clip(str(clips["wide24"]), speed=0.25)],
                  music=[MusicTrack(str(clips["music"]), volume=0.1, loop=True)])
    out = render(tl, tmp_path / "loud.mp4").output
    err = subprocess.run([media.FF, "-hide_banner", "-i", str(out), "-map", "0:a", "-af", "ebur128", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    integrated = float(re.findall(r"I:\s+(-?\d+\.\d) LUFS", err)[-1])
    assert probe(out).duration_s == pytest.approx(2.0, abs=0.1)  # 0.5 s at quarter speed
    assert integrated == pytest.approx(-14, abs=2.5)


def test_cancel_leaves_nothing(clips: dict, tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[float] = []

    def progress(p: float) -> None:
        seen.append(p)
        token.cancel()

    tl = Timeline(clips=[Clip(str(clips["wide24"]), speed=0.25)] * 3)
    with pytest.raises(ExportCancelled):
        render(tl, tmp_path / "c.mp4", on_progress=progress, cancel=token)
    assert seen and seen[0] < 100
    assert list(tmp_path.iterdir()) == []
