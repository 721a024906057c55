"""Property tests for the file formats: any bytes under any name, and format-like text
(Fountain, CSV, JSON, FDX, AV columns, time codes), give a storyboard or one sentence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.storyboard import build, read_bytes

NAMES = st.sampled_from(["s.txt", "s.md", "s.fountain", "s.fdx", "s.csv", "s.tsv", "s.json", "s.xlsx", "s", "s.pdf"])
PIECES = st.lists(st.sampled_from([
    "Title: T\n", "Author: A\n", "\n\n", "INT. ROOM - DAY\n", "内景. 公寓 - 日\n", "ANNA\n", "李明\n", "(softly)\n",
    "Hello.\n", "BEN ^\n", "> CUT TO:\n", "[[note]]", "/* bone", "*/", "# Act\n", "= syn\n", ".FLASH\n", "===\n",
    "镜号,画面,台词,时长\n", "1,女孩微笑,你好,3秒\n", "Shot\tDescription\tVO\n", "[x],,,\n", '{"shots": [', '{"visual": "a"}',
    "]}", '{"t": "0-4s", "act": "turns"}', "<?xml version='1.0'?><FinalDraft><Content>", "</Content></FinalDraft>",
    "<Paragraph Type=\"Action\"><Text>x</Text></Paragraph>", "VIDEO          AUDIO\n", "CU: Mom.       VO: Hi.\n",
    "镜头1（远景，航拍，4秒）：", "0-3秒：", "[00:05-00:08] ", "First 2 seconds: ", "**画面**: ", "【动作】", "### 镜头1\n",
    "- [ ] ", "![x](a.png)", "---\ntitle: x\n---\n", "> ", "```\n", "😀", "\x00", "旁白：", "VO: ", "| 画面 | 台词 |\n|---|---|\n",
]), max_size=30).map("".join)


def _check(data: bytes, name: str) -> None:
    try:
        board = build(read_bytes(data, name), model="tiny")
    except ValueError as err:
        message = str(err)
        assert message and "\n" not in message and message.endswith("."), message
        return
    assert board.shots and board.source_format
    for shot in board.shots:
        assert shot.prompt and shot.duration_s > 0 and (shot.num_frames - 1) % 4 == 0
        for line in shot.dialogue:
            assert line["kind"] in ("dialogue", "voiceover", "offscreen", "subtitle")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), NAMES)
def test_any_bytes_under_any_name_give_a_storyboard_or_one_sentence(data: bytes, name: str) -> None:
    _check(data, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PIECES, NAMES, st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_format_like_text_gives_a_storyboard_or_one_sentence(text: str, name: str, encoding: str) -> None:
    _check(text.encode(encoding, errors="replace"), name)
