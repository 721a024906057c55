"""The issue's export tests with the offline engine: a storyboard with a 旁白 and an English
line exports a cut whose audio has speech where the lines are (voice-band energy at the
shots' times, silence elsewhere), the music drops by the ducking amount under speech, the
subtitles follow the voice clips, and a line longer than its shot is flagged with numbers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from studio.export.run import render
from studio.timeline.model import MusicTrack, Timeline
from studio.timeline.voice import apply_voice, speech_lines, voice_storyboard
from tests.studio.export import media
from tests.studio.voice.audio import band_db, decode, tone

SHOT_S = 3.0
MUSIC_HZ = 12000  # above anything eSpeak NG makes (22.05 kHz output), so the music is measured alone
VOICE_BAND = (300, 3400)

STORYBOARD = {"shots": [
    # the new shape (speaker, text, kind) ...
    {"index": 1, "duration_s": SHOT_S, "language": "zh", "dialogue": [{"speaker": "旁白", "text": "春天来了，城市醒了。", "kind": "voiceover"}]},
    {"index": 2, "duration_s": SHOT_S, "dialogue": []},
    # ... and an old one (a "Speaker: line" string)
    {"index": 3, "duration_s": SHOT_S, "language": "en", "dialogue": ["Anna: Coffee is ready."]},
]}


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("voicecut")
    clips = [str(media.clip(d / f"c{i}.mp4", frames=int(SHOT_S * 16), seed=i)) for i in range(3)]
    music = tone(d / "music.m4a", MUSIC_HZ, 12)
    timeline = Timeline.from_storyboard(STORYBOARD, clips, music=[MusicTrack(str(music), volume=0.3)], duck_db=12.0)
    voiced = voice_storyboard(STORYBOARD, d / "voice")
    apply_voice(timeline, voiced)
    result = render(timeline, d / "cut.mp4")
    return {"result": result, "voiced": voiced, "audio": decode(result.output), "timeline": timeline}


def _spans(voiced) -> list[tuple[float, float]]:  # noqa: ANN001
    return [(c.shot * SHOT_S + c.start_s, c.shot * SHOT_S + c.start_s + c.duration_s) for c in voiced.clips]


def test_each_line_becomes_a_voice_clip_at_its_shot(cut: dict) -> None:
    clips = cut["voiced"].clips
    assert [(c.shot, c.engine, c.voice) for c in clips] == [(0, "espeak-ng", "espeak-zh"), (2, "espeak-ng", "espeak-en")]
    assert clips[1].text == "Coffee is ready."  # the speaker's name is not spoken
    assert all(0.5 < c.duration_s < SHOT_S for c in clips) and cut["voiced"].flags == []


def test_the_cut_has_speech_where_the_lines_are_and_silence_elsewhere(cut: dict) -> None:
    audio = cut["audio"]
    spans = _spans(cut["voiced"])
    for a, b in spans:
        assert band_db(audio, a + 0.1, b - 0.1, *VOICE_BAND) > band_db(audio, 3.5, 5.5, *VOICE_BAND) + 60
    # shot 2 has no line; the gaps before and after each line are silent in the voice band
    quiet = [(spans[0][1] + 0.15, spans[1][0] - 0.15), (spans[1][1] + 0.15, 3 * SHOT_S - 0.1)]
    loud = min(band_db(audio, a + 0.1, b - 0.1, *VOICE_BAND) for a, b in spans)
    for a, b in quiet:
        assert band_db(audio, a, b, *VOICE_BAND) < loud - 60


def test_music_drops_by_the_ducking_amount_under_speech(cut: dict) -> None:
    audio = cut["audio"]
    (a, b), _ = _spans(cut["voiced"])
    under = band_db(audio, a + 0.3, b - 0.1, MUSIC_HZ - 300, MUSIC_HZ + 300)
    clear = band_db(audio, 3.5, 5.5, MUSIC_HZ - 300, MUSIC_HZ + 300)
    assert clear - under == pytest.approx(cut["timeline"].duck_db, abs=3.0)


def test_loudness_stays_at_minus_14_lufs(cut: dict) -> None:
    err = subprocess.run([media.FF, "-hide_banner", "-i", str(cut["result"].output), "-map", "0:a", "-af", "ebur128",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    assert float(re.findall(r"I:\s+(-?\d+\.\d) LUFS", err)[-1]) == pytest.approx(-14, abs=2.5)


def test_subtitle_times_match_the_voice_clips(cut: dict) -> None:
    srt = Path(cut["result"].sidecars["srt"]).read_text(encoding="utf-8")
    times = re.findall(r"(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})\n(.+)", srt)

    def secs(h: str, m: str, s: str, ms: str) -> float:
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    got = [(secs(*t[0:4]), secs(*t[4:8]), t[8]) for t in times]
    want = [(a, b, c.text) for (a, b), c in zip(_spans(cut["voiced"]), cut["voiced"].clips, strict=True)]
    assert len(got) == len(want)
    for (ga, gb, gt), (wa, wb, wt) in zip(got, want, strict=True):
        assert gt == wt and ga == pytest.approx(wa, abs=0.01) and gb == pytest.approx(wb, abs=0.01)


def test_a_line_longer_than_its_shot_is_flagged_with_the_numbers(tmp_path: Path) -> None:
    board = {"shots": [{"index": 1, "duration_s": 1.0, "dialogue": [{"speaker": "VO", "text": "This line is far too long for one short shot."}]}]}
    voiced = voice_storyboard(board, tmp_path)
    spoken = voiced.clips[0].start_s + voiced.clips[0].duration_s
    assert voiced.flags == [f"shot 1: voice {spoken:.1f} s, shot 1.0 s"]


def test_lines_are_read_from_old_and_new_storyboard_shapes() -> None:
    shots = [{"index": 2, "dialogue": [{"speaker": "Li", "line": "你好"}, {"speaker": "", "text": "SALE", "kind": "subtitle"}]},
             {"index": 1, "dialogue": "旁白：欢迎", "language": "zh"}]
    lines = speech_lines(shots)
    assert [(x.shot, x.text, x.speaker, x.kind, x.lang) for x in lines] == [
        (0, "欢迎", "旁白", "voiceover", "zh"), (1, "你好", "Li", "dialogue", "zh"), (1, "SALE", "", "subtitle", "en")]


def test_a_corrupt_recording_gets_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "take.wav"
    bad.write_bytes(b"RIFF\x24\x00\x00\x00WAVEnot really audio")
    board = {"shots": [{"index": 1, "duration_s": 3.0, "dialogue": [{"speaker": "旁白", "text": "你好"}]}]}
    with pytest.raises(ValueError) as err:
        voice_storyboard(board, tmp_path / "v", recordings={"1:1": str(bad)})
    assert str(err.value) == ("shot 1 line 1 recording 'take.wav' is damaged or not audio (ffmpeg cannot play it); "
                              "upload the recording again as a WAV or MP3 file.")


def test_label_and_c2pa_say_the_voice_is_synthetic_and_name_its_engine(cut: dict) -> None:
    import json

    import c2pa

    from studio.provenance.c2pa_sign import read
    from studio.provenance.label import read_label

    out = cut["result"].output
    tags = read_label(out)
    assert tags["synthetic_voice"] == "espeak-ng/espeak-zh, espeak-ng/espeak-en"
    assert "synthetic voice by espeak-ng/espeak-zh" in tags["comment"]
    assert json.loads(tags["AIGC"])["ReservedCode2"] == "synthetic voice by espeak-ng/espeak-zh, espeak-ng/espeak-en"
    report = read(out)  # the signature holds (trust is per data folder, and this one is the fixture's)
    assert report.state in ("Valid", "Trusted") and report.content_id == cut["result"].content_id
    with c2pa.Reader(str(out)) as reader:
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    export = next(a["data"] for a in active["assertions"] if a["label"] == "org.shotline.export")
    assert export["synthetic_voice"] == "espeak-ng/espeak-zh, espeak-ng/espeak-en"
    assert "synthetic voice by espeak-ng" in json.dumps(active["assertions"], ensure_ascii=False)


def test_one_line_can_be_re_spoken_with_another_voice_and_speed_and_long_shots_lengthened(tmp_path: Path) -> None:
    from studio.timeline.voice import lengthened_shots

    board = {"shots": [{"index": 4, "duration_s": 1.0, "dialogue": [{"speaker": "VO", "text": "A long line for a short shot, spoken slowly."}]},
                       {"index": 5, "duration_s": 5.0, "dialogue": ["Anna: Hi."]}]}
    plain = voice_storyboard(board, tmp_path / "a")
    again = voice_storyboard(board, tmp_path / "b", lines={"1:1": {"voice": "espeak-en-gb", "speed": 0.6}})
    assert (again.clips[0].voice, again.clips[1].voice) == ("espeak-en-gb", "espeak-en")
    assert again.clips[0].duration_s > plain.clips[0].duration_s * 1.4 and again.clips[1].duration_s == pytest.approx(plain.clips[1].duration_s, abs=0.02)
    fix = lengthened_shots(board, again)
    assert list(fix) == [4] and fix[4] >= again.clips[0].start_s + again.clips[0].duration_s
    board["shots"][0]["duration_s"] = fix[4]
    assert voice_storyboard(board, tmp_path / "c", lines={"1:1": {"voice": "espeak-en-gb", "speed": 0.6}}).flags == []


def test_the_one_click_path_speaks_the_shots_own_lines_only(tmp_path: Path) -> None:
    from studio.timeline.voice import voice_project

    clips = [str(media.clip(tmp_path / f"c{i}.mp4", frames=32, seed=i)) for i in range(2)]
    shots = [{"text": "清晨的城市街道", "language": "zh", "duration_s": 2.0,
              "dialogue": [{"speaker": "旁白", "text": "每一天，从一杯好咖啡开始。", "kind": "voiceover"}]},
             {"text": "A barista smiles", "duration_s": 2.0, "dialogue": []}]
    timeline = Timeline.from_storyboard({"shots": [{"index": 1, "duration_s": 2.0, "dialogue": [{"text": "每一天，从一杯好咖啡开始。"}]},
                                                   {"index": 2, "duration_s": 2.0, "dialogue": [{"text": "A barista smiles"}]}]}, clips)
    result = voice_project(timeline, shots, {"narrator": {"zh": "espeak-yue"}})
    assert [(v.shot, v.voice, v.text) for v in timeline.voice] == [(0, "espeak-yue", "每一天，从一杯好咖啡开始。")]
    assert timeline.clips[0].subtitles[0].end_s == pytest.approx(0.2 + result.clips[0].duration_s, abs=0.001)
    assert timeline.clips[1].subtitles[0].text == "A barista smiles"  # the caption fallback stays a caption, unspoken
    from studio import paths

    assert Path(timeline.voice[0].source).is_relative_to(paths.home())  # written inside the data folder
    off = Timeline.from_storyboard({"shots": [{"index": 1, "duration_s": 2.0}, {"index": 2, "duration_s": 2.0}]}, clips)
    assert voice_project(off, shots, {"voice": "off"}).clips == [] and off.voice == []
