"""Storyboard-level edits (studio.storyboard.edit): merge adds durations and keeps both
shots' subtitles, split keeps every line of dialogue, camera and style changes recompose
the prompt, a delete can be undone; the input board is never changed."""

from __future__ import annotations

import pytest

from studio.storyboard import build, edit

MODEL = "wan2.1-t2v-1.3b"
SCRIPT = ("镜头1（远景，4秒）：清晨的城市，李明骑自行车穿过街道。\n旁白：每一天都是新的开始。\n"
          "镜头2（特写，2秒）：李明停下来，笑着说：“早上好！”\n"
          "镜头3（3秒）：咖啡店门口，李明推门进去。他点了一杯拿铁。\n台词：李明：一杯拿铁，谢谢。\n")


def board():
    return build(SCRIPT, model=MODEL, style="cinematic").shots


def test_merge_adds_durations_and_keeps_both_subtitles() -> None:
    shots = board()
    before = [s.to_dict() for s in shots]
    merged = edit.merge(shots, 1, model=MODEL)
    assert [s.to_dict() for s in shots] == before  # pure: the input is untouched
    assert len(merged) == 2 and [s.index for s in merged] == [1, 2]
    one = merged[0]
    assert one.duration_s == 6.0 and one.stated_duration == 6.0
    assert [d["text"] for d in one.dialogue] == ["每一天都是新的开始。", "早上好！"]
    assert "早上好" not in one.prompt and "每一天" not in one.prompt and one.prompt != shots[0].prompt
    with pytest.raises(ValueError, match="last shot"):
        edit.merge(shots, 3)


def test_split_keeps_every_line_of_dialogue() -> None:
    shots = board()
    parts = edit.split(shots, 3, model=MODEL)
    assert len(parts) == 4
    a, b = parts[2], parts[3]
    assert a.text == "咖啡店门口，李明推门进去。" and b.text == "他点了一杯拿铁。"
    said = [d["text"] for d in a.dialogue + b.dialogue]
    assert said == [d["text"] for d in shots[2].dialogue]
    assert round(a.duration_s + b.duration_s, 2) == shots[2].duration_s
    assert all("拿铁，谢谢" not in p.prompt for p in (a, b))
    with pytest.raises(ValueError, match="one sentence"):
        edit.split(shots, 2)


def test_camera_and_style_changes_recompose_the_prompt() -> None:
    shots = board()
    orbit = edit.set_camera(shots, 1, MODEL, size="close-up", movement="orbit")[0]
    assert (orbit.camera.size, orbit.camera.movement) == ("close-up", "orbit") and orbit.prompt != shots[0].prompt
    assert "特写" in orbit.prompt
    inked = edit.set_style(shots, None, MODEL, "ink-wash")
    assert all(s.style == "ink-wash" and s.prompt != old.prompt for s, old in zip(inked, shots, strict=True))
    with pytest.raises(ValueError, match="not known"):
        edit.set_camera(shots, 1, MODEL, size="gigantic")
    with pytest.raises(ValueError, match="Shot 9 is not on this storyboard"):
        edit.set_camera(shots, 9, MODEL, size="wide")


def test_new_text_is_analysed_and_keeps_the_speech() -> None:
    shots = board()
    changed = edit.set_text(shots, 2, "特写，一杯拿铁冒着热气", MODEL)[1]
    assert changed.text == "特写，一杯拿铁冒着热气" and changed.dialogue == shots[1].dialogue
    assert "拿铁" in changed.prompt and changed.duration_s == 2.0


def test_delete_can_be_undone() -> None:
    shots = board()
    left, token = edit.delete(shots, 2)
    assert [s.text for s in left] == [shots[0].text, shots[2].text] and [s.index for s in left] == [1, 2]
    back = edit.undo(left, token)
    assert [s.to_dict() for s in back] == [s.to_dict() for s in shots]
