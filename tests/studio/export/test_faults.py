"""Export faults with real ffmpeg: the renderer or the encoder killed mid-export, either
one stalled (SIGSTOP), the deadline passed, a read-only output folder, a work folder that
stops accepting writes. Each ends in ExportError with one sentence, promptly, with no
work folder left, no ffmpeg left running, and the next export in the same process works
(the lane is free). Plus the bounds: a clip limit per timeline and finite times."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from studio.export.run import ExportError, render
from studio.timeline.model import MAX_CLIPS, Clip, Timeline
from tests.studio.export import media

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.clip(tmp_path_factory.mktemp("faults") / "long.mp4", size="320x240", rate=16, frames=160)


def _children() -> dict[int, str]:
    """Our ffmpeg child processes: pid -> role (renderer reads the timeline, encoder reads a pipe)."""
    out = {}
    me = os.getpid()
    for task in Path(f"/proc/{me}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmd and b"ffmpeg" in Path(cmd[0].decode()).name.encode():
                out[int(pid)] = "encoder" if b"pipe:0" in cmd else "renderer"
    return out


def _fault(role: str, sig: int):
    """An on_progress callback that sends `sig` to the `role` process once it runs."""
    done: list[int] = []

    def on_progress(_pct: float) -> None:
        if done:
            return
        for pid, r in _children().items():
            if r == role:
                os.kill(pid, sig)
                done.append(pid)
                return

    return on_progress, done


def _check_aftermath(out: Path, err: ExportError) -> None:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text and text.endswith("."), text
    assert not out.exists()
    assert not list(out.parent.glob(".shotline-*")), "the work folder was left behind"
    assert not _children(), "an ffmpeg process was left running"


def _lane_is_free(clip: Path, folder: Path) -> None:
    result = render(Timeline(clips=[Clip(source=str(clip), out_s=1.0)]), folder / "after.mp4")
    assert result.output.is_file()


@pytest.mark.parametrize(("role", "words"), [("encoder", "could not encode the frames"),
                                             ("renderer", "could not render the timeline")])
def test_a_killed_process_fails_the_export(long_clip, tmp_path, role, words):
    on_progress, hit = _fault(role, signal.SIGKILL)
    out = tmp_path / "cut.mp4"
    with pytest.raises(ExportError, match=words) as err:
        render(Timeline(clips=[Clip(source=str(long_clip))]), out, on_progress=on_progress)
    assert hit, f"the {role} was never seen running"
    _check_aftermath(out, err.value)
    _lane_is_free(long_clip, tmp_path)


@pytest.mark.parametrize("role", ["encoder", "renderer"])
def test_a_stalled_process_is_stopped_after_the_stall_limit(long_clip, tmp_path, role):
    on_progress, hit = _fault(role, signal.SIGSTOP)
    out = tmp_path / "cut.mp4"
    with pytest.raises(ExportError, match="made no progress for 3 s") as err:
        render(Timeline(clips=[Clip(source=str(long_clip))]), out, on_progress=on_progress, stall_s=3)
    assert hit
    _check_aftermath(out, err.value)
    _lane_is_free(long_clip, tmp_path)


def test_the_deadline_stops_a_slow_export(long_clip, tmp_path):
    out = tmp_path / "cut.mp4"
    with pytest.raises(ExportError, match="ran longer than its limit of 1 s for a 10.0 s cut") as err:
        render(Timeline(clips=[Clip(source=str(long_clip))]), out, deadline_s=1)
    _check_aftermath(out, err.value)


def test_the_default_deadline_grows_with_the_cut():
    from studio.export.run import export_deadline_s

    assert export_deadline_s(60) > export_deadline_s(10) > export_deadline_s(0) >= 300


@pytest.fixture
def immutable():
    """chattr +i on folders (a read-only folder even for root); undone at the end."""
    folders: list[Path] = []

    def make(folder: Path) -> None:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        folders.append(folder)

    yield make
    for folder in folders:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_read_only_output_folder_gives_one_sentence(long_clip, tmp_path, immutable):
    folder = tmp_path / "ro"
    folder.mkdir()
    immutable(folder)
    with pytest.raises(ExportError, match="could not write its files") as err:
        render(Timeline(clips=[Clip(source=str(long_clip), out_s=1.0)]), folder / "cut.mp4")
    _check_aftermath(folder / "cut.mp4", err.value)
    _lane_is_free(long_clip, tmp_path)


def test_a_work_folder_that_stops_taking_writes_fails_the_export(long_clip, tmp_path, immutable):
    out = tmp_path / "cut.mp4"
    done: list[Path] = []

    def on_progress(_pct: float) -> None:
        if not done:
            for work in tmp_path.glob(".shotline-*"):
                immutable(work)
                done.append(work)

    with pytest.raises(ExportError) as err:
        render(Timeline(clips=[Clip(source=str(long_clip))]), out, on_progress=on_progress)
    assert done
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text and text.endswith("."), text
    assert not out.exists() and not _children()
    _lane_is_free(long_clip, tmp_path)


def test_a_timeline_has_a_clip_limit_stated_in_the_error(long_clip):
    with pytest.raises(ValueError, match=f"at most {MAX_CLIPS} clips"):
        Timeline(clips=[Clip(source=str(long_clip), out_s=1.0)] * (MAX_CLIPS + 1))


@pytest.mark.parametrize("value", [1e308, float("inf"), float("nan"), 14400.5])
def test_timeline_times_are_finite_and_bounded(long_clip, value):
    with pytest.raises(ValueError, match="clip out_s .* a number from 0 to 14400"):
        Clip(source=str(long_clip), out_s=value)
