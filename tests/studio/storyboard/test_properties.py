"""Property tests: any text gives a storyboard or one clear error, never a crash, and the
shots' sources together cover every non-whitespace character of the script."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.models import get_card
from studio.storyboard import build, split
from studio.storyboard.split import normalise

NON_WS = re.compile(r"\s")
SCRIPTY = st.lists(st.sampled_from([
    "场景一：", "INT. KITCHEN - NIGHT", "Scene 2", "镜头1（3秒）：", "# 标题", "## Scene", "- ", "1. ", "\n", "\n\n",
    "“", "”", "「", "」", '"', "：", ": ", "。", "！", "？", "；", "…", ". ", "(3s)", "3秒", "ANNA\n", "旁白：", "VO: ",
    "| 画面 | 台词 | 时长 |\n", "|---|---|---|\n", "| 女孩微笑 | 你好 | 3 |\n", "| - | | x |\n", "|", "地点：", "人物：",
    "【场景一】", "【画面】", "[Scene 2]", "【",
    "夕阳下", "女人走过小巷", "A woman walks along the beach", "😀", "\x00", "\x1b", "\t", "李明", "she smiles",
]), max_size=40).map("".join)


def _covered(script: str, board) -> None:
    expected = NON_WS.sub("", normalise(script))
    got = NON_WS.sub("", "".join(s.source for s in board.shots))
    assert got == expected


def _check(script: str) -> None:
    try:
        board = build(script, style="cinematic")
    except ValueError as err:
        message = str(err)
        assert message and "\n" not in message and message.endswith(".")
        return
    assert board.shots
    _covered(script, board)
    card = get_card(board.model)
    for shot in board.shots:
        assert shot.prompt and shot.safety is not None
        assert 0 < shot.duration_s and shot.parts == 1  # never split by the model's clip length
        assert (shot.num_frames - 1) % 4 == 0 and abs(shot.num_frames - shot.duration_s * card.fps) <= 4


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_a_storyboard_or_one_sentence(script: str) -> None:
    _check(script)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTY)
def test_script_like_text_is_covered(script: str) -> None:
    _check(script)


@pytest.mark.parametrize("script", ["", "   \n\t ", "。。。！！", "😀🎉", "\x00\x01\x02"])
def test_wordless_scripts_are_one_clear_error(script: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        split(script)


def test_unbalanced_quotes_do_not_crash() -> None:
    for script in ["她说：“你好。我走了", "He said \"wait. no", "」突然停下。「", "”结束了。"]:
        _check(script)


def test_text_read_as_a_shot_list_still_covers_the_script() -> None:
    _check("旁白：\t旁白：\n\x00场景一：")  # sniffed as TSV: its rows' sources are the normalised text


def test_a_100000_character_script() -> None:
    script = ("夕阳下，穿旗袍的女人撑着油纸伞走过青石板巷。A man walks his dog in the park. " * 1600)[:100_000]
    board = split(script)
    _covered(script, board)
    assert len(board.shots) >= 3000


def test_a_long_script_without_any_punctuation_stays_one_shot() -> None:
    script = "街" * 5000  # one beat: a long shot is generated as chained clips, not cut into shots
    board = split(script)
    _covered(script, board)
    assert len(board.shots) == 1 and board.shots[0].duration_s > 100


def test_emoji_and_control_characters_compose() -> None:
    board = build("🎉 新品上市！\x07 Big sale 😀 today.\x1b")
    assert board.shots and all(s.prompt for s in board.shots)


def test_too_long_script_is_one_sentence() -> None:
    with pytest.raises(ValueError, match="at most 200,000"):
        split("a" * 200_001)
