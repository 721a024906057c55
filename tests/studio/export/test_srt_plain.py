"""The SRT sidecar is plain text: players read `{\\an8}`-style override blocks and HTML-ish
tags in SRT, so user text cannot carry them; nor can it forge the next subtitle block."""

from __future__ import annotations

from studio.export.subtitles import build_srt, srt_text
from studio.timeline.model import Subtitle


def test_override_blocks_and_tags_are_inert():
    text = srt_text("{\\an8}{\\p1}m 0 0 l 100 0{\\p0} <font color=red>hi</font> <i>x</i>")
    assert "{" not in text and "}" not in text and "<" not in text and ">" not in text
    assert "an8" in text and "hi" in text  # the words stay, as text


def test_a_blank_line_cannot_forge_a_block():
    srt = build_srt([Subtitle(start_s=0, end_s=1, text="one\n\n2\n00:00:00,000 --> 01:00:00,000\nforged"),
                     Subtitle(start_s=1, end_s=2, text="two")])
    blocks = srt.strip().split("\n\n")
    assert len(blocks) == 2 and blocks[1].startswith("2\n00:00:01,000 --> 00:00:02,000\ntwo")
    assert "-->" not in blocks[0].split("\n", 2)[2]


def test_control_characters_go_and_empty_lines_are_skipped():
    srt = build_srt([Subtitle(start_s=0, end_s=1, text="a\x1b[31mb\x07"), Subtitle(start_s=1, end_s=2, text=" \n ")])
    assert srt == "1\n00:00:00,000 --> 00:00:01,000\na[31mb\n"
