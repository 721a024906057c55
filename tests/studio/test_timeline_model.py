"""studio.timeline.model: validation names the field; JSON round-trip; built from a storyboard."""

from __future__ import annotations

import json

import pytest

from studio.timeline import AILabel, Clip, Logo, MusicTrack, Subtitle, Timeline, Transition


def test_round_trip_through_json() -> None:
    tl = Timeline(clips=[Clip("a.mp4", 0.5, 2.0, 1.5, [Subtitle(0, 1, "你好")]), Clip("b.mp4")],
                  transitions=[Transition("wipe", 0.4)], music=[MusicTrack("m.mp3", 1, 0.5, 3, 0.8, 1, 1, True)],
                  logo=Logo("l.png", x=10, y=20), subtitles=[Subtitle(0.2, 1.2, 'say "hi": %{pts}\\n')],
                  label=AILabel(position="bottom-right", language="en"), model="tiny")
    again = Timeline.from_dict(json.loads(json.dumps(tl.to_dict())))
    assert again == tl
    assert again.logo.corner is None and again.label.wording == "AI-generated"


@pytest.mark.parametrize("change, field", [
    ({"clips": []}, "timeline clips"),
    ({"clips": [{"source": "a.mp4", "in_s": -1}]}, "clip in_s"),
    ({"clips": [{"source": "a.mp4", "in_s": 2, "out_s": 1}]}, "clip out_s"),
    ({"clips": [{"source": "a.mp4", "speed": 0}]}, "clip speed"),
    ({"transitions": [{"kind": "spin", "duration_s": 1}]}, "transition kind"),
    ({"transitions": [{"kind": "crossfade", "duration_s": 0}]}, "transition duration_s"),
    ({"music": [{"source": "m.mp3", "trim_in_s": -0.5}]}, "music trim_in_s"),
    ({"logo": {"source": "l.png", "corner": "middle"}}, "logo corner"),
    ({"subtitles": [{"start_s": 2, "end_s": 1, "text": "x"}]}, "subtitle end_s"),
    ({"label": {"position": "centre"}}, "label position"),
    ({"subtitle_style": {"colour": "red"}}, "subtitle colour"),
    ({"bogus": 1}, "Timeline key"),
])
def test_bad_values_name_the_field(change: dict, field: str) -> None:
    data = {"clips": [{"source": "a.mp4"}, {"source": "b.mp4"}]} | change
    with pytest.raises(ValueError) as err:
        Timeline.from_dict(data)
    assert str(err.value).startswith(field) and "accepted" in str(err.value)


def test_label_cannot_be_switched_off() -> None:
    tl = Timeline.from_dict({"clips": [{"source": "a.mp4"}], "label": None})
    assert tl.label.wording == "本视频由AI生成 · AI-generated"


def test_transitions_longer_than_clips_are_refused() -> None:
    tl = Timeline(clips=[Clip("a.mp4"), Clip("b.mp4"), Clip("c.mp4")],
                  transitions=[Transition("crossfade", 0.5), Transition("crossfade", 0.5)])
    tl.check_lengths([2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="transition 1 duration_s"):
        tl.check_lengths([0.4, 2.0, 2.0])
    with pytest.raises(ValueError, match="clip 2 lasts 0.56"):
        tl.check_lengths([2.0, 0.5625, 2.0])


def test_from_storyboard_orders_shots_and_turns_dialogue_into_subtitles() -> None:
    board = {"shots": [
        {"index": 2, "text": "街道", "dialogue": [{"speaker": "小明", "line": "走吧"}, "好"], "duration_s": 4},
        {"index": 1, "text": "咖啡馆", "dialogue": "欢迎光临", "duration_s": 3},
        {"index": 3, "text": "夜景", "dialogue": "", "duration_s": 2},
    ]}
    tl = Timeline.from_storyboard(board, ["s1.mp4", "s2.mp4", "s3.mp4"], model="tiny")
    assert [c.source for c in tl.clips] == ["s1.mp4", "s2.mp4", "s3.mp4"]
    assert [c.out_s for c in tl.clips] == [3.0, 4.0, 2.0]
    assert [s.text for s in tl.clips[0].subtitles] == ["欢迎光临"]
    assert [(s.start_s, s.end_s, s.text) for s in tl.clips[1].subtitles] == [(0.0, 2.0, "小明：走吧"), (2.0, 4.0, "好")]
    assert tl.clips[2].subtitles == [] and tl.model == "tiny"
    with pytest.raises(ValueError, match="clip_paths"):
        Timeline.from_storyboard(board, ["s1.mp4"])
