"""`shotline speak` and `shotline voices` (engine and voice printed, the robotic fallback
named, one sentence per bad input)."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest

from studio.cli import main


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_speak_writes_a_wav_and_names_engine_and_voice(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    out = tmp_path / "line.wav"
    code, text, _ = run(capsys, "speak", "旁白：欢迎来到上海。", "--lang", "zh", "--speed", "1.2", "--out", str(out))
    assert code == 0 and "engine espeak-ng, voice espeak-zh" in text and "robotic offline fallback" in text
    with wave.open(str(out)) as w:
        assert w.getnframes() / w.getframerate() > 0.5


def test_voices_lists_every_voice_with_its_engine(capsys: pytest.CaptureFixture) -> None:
    code, text, _ = run(capsys, "voices")
    assert code == 0
    assert any(line.startswith("espeak-zh") and "robotic fallback" in line and "built-in" in line for line in text.splitlines())
    assert any(line.startswith("af_heart") and "kokoro" in line and "Apache-2.0" in line for line in text.splitlines())


@pytest.mark.parametrize("argv, sentence", [
    (["", "--lang", "en"], "shotline: text '' is not accepted: a line of 1 to 2000 characters.\n"),
    (["x" * 10_000, "--lang", "en"], "shotline: text 'xxxxxxxxxxxxxxxxxxxx… (10000 characters)' is not accepted: "
                                      "a line of 1 to 2000 characters; split longer text into lines.\n"),
    (["hi", "--lang", "en", "--voice", "robot9"], "shotline: voice 'robot9' is not accepted: one of the English voices: "
                                                  "espeak-en, espeak-en-gb, af_heart, am_michael, bf_emma, bm_george.\n"),
])
def test_bad_input_gets_one_sentence(capsys: pytest.CaptureFixture, tmp_path: Path, argv: list, sentence: str) -> None:
    code, _, err = run(capsys, "speak", *argv, "--out", str(tmp_path / "x.wav"))
    assert code == 2 and err == sentence and not (tmp_path / "x.wav").exists()


def test_a_corrupt_recording_gets_one_sentence_and_a_good_one_is_used(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    bad = tmp_path / "take.mp3"
    bad.write_bytes(bytes(range(256)) * 20)
    code, _, err = run(capsys, "speak", "你好", "--lang", "zh", "--recording", str(bad), "--out", str(tmp_path / "x.wav"))
    assert code == 2 and err == ("shotline: --recording recording 'take.mp3' is damaged or not audio (ffmpeg cannot play it); "
                                 "upload the recording again as a WAV or MP3 file.\n")
    good = tmp_path / "good.wav"
    run(capsys, "speak", "hello", "--lang", "en", "--out", str(good))
    code, text, _ = run(capsys, "speak", "hello", "--lang", "en", "--recording", str(good), "--out", str(tmp_path / "y.wav"))
    assert code == 0 and "recorded voice" in text and (tmp_path / "y.wav").stat().st_size > 1000



def test_cut_speaks_a_storyboard_and_flags_a_long_line(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    import json

    from studio.provenance.label import read_label
    from tests.studio.export import media

    clips = [str(media.clip(tmp_path / f"c{i}.mp4", frames=32, seed=i)) for i in range(2)]
    board = tmp_path / "board.json"
    board.write_text(json.dumps({"shots": [
        {"index": 1, "duration_s": 2.0, "dialogue": [{"speaker": "旁白", "text": "春天来了，城市醒了，我们一起出发吧。", "kind": "voiceover"}]},
        {"index": 2, "duration_s": 2.0, "dialogue": [{"speaker": "Anna", "text": "Coffee is ready.", "kind": "dialogue"}]}]},
        ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "cut.mp4"
    code, text, err = run(capsys, "cut", *clips, "--storyboard", str(board), "--speaker-voice", "Anna=espeak-en-gb",
                          "--quiet", "--out", str(out))
    assert code == 0, err
    assert "spoken by espeak-ng/espeak-zh, espeak-ng/espeak-en-gb" in err and "robotic offline fallback" in err
    assert re.search(r"warning: longer than its shot: shot 1: voice \d\.\d s, shot 2\.0 s", err)
    assert read_label(out)["synthetic_voice"] == "espeak-ng/espeak-zh, espeak-ng/espeak-en-gb"
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    assert "00:00:02,200 --> " in srt and "Coffee is ready." in srt  # the second line starts at its shot + lead-in
    code, _, err = run(capsys, "cut", clips[0], "--storyboard", str(board), "--out", str(tmp_path / "x.mp4"))
    assert code == 2 and err == "shotline: --storyboard 'board.json' has 2 shots for 1 clips; give one clip per shot, in order.\n"

