"""Bad input from the issue, through the CLI: each gets one sentence (exit 2) or a correct
render; never a traceback, never a file left outside the output (or in it, on failure)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from studio.cli import main
from tests.studio.export import media


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("good")
    return {"clip": media.clip(d / "a.mp4"), "clip2": media.clip(d / "b.mp4", seed=1), "music": media.music(d / "m.mp3"),
            "logo": media.logo(d / "l.png"), "dir": d}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    return code, err


def expect_sentence(capsys: pytest.CaptureFixture, argv: list[str], out_dir: Path, *words: str) -> None:
    code, err = run_cli(argv, capsys)
    assert code == 2, err
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("rendering")]
    assert len(lines) == 1 and lines[0].startswith("shotline: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], lines[0]
    assert not out_dir.exists() or list(out_dir.iterdir()) == [], "a failed export left files behind"


def fake(path: Path, text: bytes = b"this is not media, just text pretending\n" * 20) -> Path:
    path.write_bytes(text)
    return path


def test_non_media_clip_renamed_mp4(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(fake(tmp_path / "x.mp4")), "--out", str(out / "f.mp4")], out, "clip 1", "x.mp4", "not usable media")


def test_missing_clip(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(tmp_path / "nope.mp4"), "--out", str(out / "f.mp4")], out, "does not exist")


def test_non_media_music_and_logo(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(good["clip"]), "--music", str(fake(tmp_path / "x.mp3")), "--out", str(out / "f.mp4")],
                    out, "music 1", "x.mp3")
    expect_sentence(capsys, ["cut", str(good["clip"]), "--logo", str(fake(tmp_path / "x.png")), "--out", str(out / "f.mp4")],
                    out, "logo", "x.png", "not an image")


def test_zero_length_audio(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    silent = tmp_path / "empty.m4a"
    media.ff("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "0", "-c:a", "aac", str(silent))
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(good["clip"]), "--music", str(silent), "--out", str(out / "f.mp4")], out, "music 1", "empty.m4a")


def test_decompression_bomb_logo_is_refused_before_decoding(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    bomb = media.png_bomb(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 1000
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(good["clip"]), "--logo", str(bomb), "--out", str(out / "f.mp4")], out, "logo", "bomb.png", "megapixels")


def test_corrupted_mp4(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    data = bytearray(good["clip"].read_bytes())
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data[: len(data) // 2]))  # truncated: the index (moov) is gone
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(broken), "--out", str(out / "f.mp4")], out, "broken.mp4", "damaged")
    scrambled = tmp_path / "scrambled.mp4"
    data[32:] = bytes(len(data) - 32)
    scrambled.write_bytes(bytes(data))
    expect_sentence(capsys, ["cut", str(scrambled), "--out", str(out / "f.mp4")], out, "scrambled.mp4")


def test_transition_longer_than_clips(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(good["clip"]), str(good["clip2"]), "--transition", "crossfade:2", "--out", str(out / "f.mp4")],
                    out, "transition 1 duration_s", "lasts 0.56 s")


def test_negative_trim_in_a_timeline_file(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    tl = tmp_path / "t.json"
    tl.write_text(json.dumps({"clips": [{"source": str(good["clip"]), "in_s": -1}]}), encoding="utf-8")
    out = tmp_path / "out"
    expect_sentence(capsys, ["render", str(tl), "--out", str(out / "f.mp4")], out, "clip in_s", "-1")
    tl.write_text(json.dumps({"clips": [{"source": str(good["clip"])}], "music": [{"source": str(good["music"]), "trim_in_s": 60}]}))
    expect_sentence(capsys, ["render", str(tl), "--out", str(out / "f.mp4")], out, "music 1 trim_in_s 60")
    tl.write_text("{not json")
    expect_sentence(capsys, ["render", str(tl), "--out", str(out / "f.mp4")], out, "not valid JSON")


def test_wrong_suffix_and_unknown_preset(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    expect_sentence(capsys, ["cut", str(good["clip"]), "--out", str(out / "f.webm")], out, "f.webm", ".mp4")
    expect_sentence(capsys, ["cut", str(good["clip"]), "--preset", "8k", "--out", str(out / "f.mp4")], out, "preset '8k'")


def test_hostile_subtitles_and_file_names_render_as_text(tmp_path: Path, good: dict, capsys: pytest.CaptureFixture) -> None:
    """Quotes, colons, backslashes, %{...}, newlines, ASS override braces, and a source file
    whose name is full of filtergraph syntax: the text reaches ffmpeg only through the ASS file."""
    odd = tmp_path / "we'ird [x]; name:1,%{pts}.mp4"
    shutil.copyfile(good["clip"], odd)
    srt = media.srt(tmp_path / "s.srt", [(0.0, 0.5, 'He said "hi": C:\\path\\N %{pts} {\\b1}bold{\\b0}\nline two, 第二行')])
    out = tmp_path / "o'u:t [1]"
    code, err = run_cli(["cut", str(odd), "--subtitles", str(srt), "--label-text", "AI: %{n} \\N 'x'",
                         "--out", str(out / "f.mp4"), "--quiet"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["f.jpg", "f.mp4", "f.srt"]
    sidecar = (out / "f.srt").read_text(encoding="utf-8")
    assert "%\uff5bpts\uff5d" in sidecar and "{" not in sidecar  # plain text: no override block survives in SRT
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".shotline")] == []
