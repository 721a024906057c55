"""studio.export.compile: one argument list, one -filter_complex, no user text in it, every
input a `file:` URL under -protocol_whitelist file; ASS text is inert; presets load."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.export.compile import compile_timeline
from studio.export.presets import get_preset, list_presets
from studio.export.subtitles import ass_text, read_srt
from studio.timeline import Card, Clip, Logo, MusicTrack, Subtitle, Timeline, Transition
from tests.studio.export import media

HOSTILE = "it's: \"x\" \\N %{pts} [v]; ,{\\b1}"


def test_user_text_never_reaches_the_filter_string(tmp_path: Path) -> None:
    src = media.clip(tmp_path / "a'b:c[1];d.mp4")
    tl = Timeline(clips=[Clip(str(src), subtitles=[Subtitle(0, 0.3, HOSTILE)]), Clip(str(src))],
                  transitions=[Transition("slide", 0.2)], title=Card(HOSTILE), end_card=Card("end " + HOSTILE),
                  music=[MusicTrack(str(media.music(tmp_path / "m;x.mp3")), loop=True, fade_in_s=0.5)],
                  logo=Logo(str(media.logo(tmp_path / "l'o.png")), corner="bottom-left"), subtitles=[Subtitle(0, 1, HOSTILE)])
    tl.label.text = HOSTILE
    plan = compile_timeline(tl, get_preset("720p"), video_out=["-f", "null"], audio_out=["-f", "null", "-"])
    assert plan.args.count("-filter_complex") == 1
    graph = plan.args[plan.args.index("-filter_complex") + 1]
    for piece in ("it's", "%{pts}", "a'b", "m;x", "l'o", "\\N"):
        assert piece not in graph
    inputs = [plan.args[i + 1] for i, a in enumerate(plan.args) if a == "-i"]
    assert len(inputs) == 4 and all(u.startswith("file:/") for u in inputs)
    assert plan.args.count("-protocol_whitelist") == 4
    assert all(plan.args[plan.args.index(u) - 1] == "-i" for u in inputs)
    assert "subtitles=filename=text.ass:fontsdir=fonts" in graph
    assert plan.ass_text.count("%\uff5bpts}") == 5 and "{\\b1}" not in plan.ass_text  # braces drawn full-width
    assert plan.duration_s == pytest.approx(2.0 + 2 * 9 / 16 - 0.2 + 2.0, abs=0.02)  # ffmpeg -i reports centiseconds


def test_ass_text_is_inert() -> None:
    assert ass_text("a{\\b1}b") == "a\uff5b\\\u2060b1}b"
    assert ass_text("one\ntwo\r\nthree") == "one\\Ntwo\\Nthree"
    assert ass_text("C:\\N") == "C:\\\u2060N"


def test_srt_reader(tmp_path: Path) -> None:
    p = media.srt(tmp_path / "s.srt", [(0.5, 1.25, "你好\n第二行")])
    assert read_srt(p) == [Subtitle(0.5, 1.25, "你好\n第二行")]
    p.write_text("1\n00:00:02,000 --> 00:00:01,000\nbackwards\n", encoding="utf-8")
    with pytest.raises(ValueError, match="block 1 ends"):
        read_srt(p)
    p.write_bytes("1\n00:00:00,000 --> 00:00:01,000\n简体\n".encode("gb18030"))
    assert read_srt(p)[0].text == "简体"


def test_presets_cover_the_issue() -> None:
    names = {p.name: p for p in list_presets()}
    assert {(p.width, p.height) for p in names.values()} >= {(1920, 1080), (1280, 720), (1080, 1920), (1080, 1080)}
    assert {p.fit for p in names.values() if p.height == 1920} == {"crop", "pad", "blur"}
    assert {p.video_codec for p in names.values()} == {"libx264", "libx265", "libvpx-vp9", "gif"}
    assert all(p.loudnorm and p.srt and p.poster for p in names.values() if p.container == "mp4")
    with pytest.raises(ValueError, match="not known"):
        get_preset("nope")
