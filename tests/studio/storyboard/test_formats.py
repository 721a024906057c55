"""Issue 9: each format read properly, encodings named, other formats refused in one
sentence, shots kept as the script's own shots, speech kept out of the prompts."""

from __future__ import annotations

import json

import pytest

from studio.storyboard import build, read_bytes, split

MODEL = "wan2.1-t2v-1.3b"


def board_of(data: bytes | str, name: str = "script.txt"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return build(read_bytes(raw, name), model=MODEL, style="cinematic")


def speech(board) -> list[tuple[str, str]]:
    return [(d["speaker"], d["text"]) for s in board.shots for d in s.dialogue]


def no_speech_in_prompts(board) -> None:
    for shot in board.shots:
        for line in shot.dialogue:
            assert line["text"] not in shot.prompt, (line, shot.prompt)


FOUNTAIN = """Title: **The Last Call**
Credit: written by
Author: Someone Else
Draft date: 1/2/2026

# ACT ONE
= Anna gets the call.

INT. KITCHEN - NIGHT #1#

ANNA, a tired nurse, pours coffee. [[a note that is no shot]]

/* an old scene
that is in the boneyard */

ANNA (V.O.) (CONT'D)
(softly)
I knew it was *him*.

BEN ^
Me again.

> CUT TO:

.FLASHBACK

内景. 豪华公寓 - 连续

李明站在窗前。

李明
（低声）
你来了。

王芳（画外音）
我一直都在。
"""


def test_fountain_title_page_sections_notes_and_dual_dialogue() -> None:
    board = board_of(FOUNTAIN, "call.fountain")
    assert board.source_format == "fountain" and board.title == "The Last Call"
    assert board.metadata["author"] == "Someone Else"
    texts = [s.text for s in board.shots]
    assert texts[0] == "ANNA, a tired nurse, pours coffee." and "李明站在窗前。" in texts
    everything = json.dumps(board.to_dict(), ensure_ascii=False)
    assert "boneyard" not in "".join(s.text + s.prompt for s in board.shots) and "a note" not in texts[0]
    assert ("Anna", "I knew it was him.") in speech(board) and ("Ben", "Me again.") in speech(board)
    assert ("李明", "你来了。") in speech(board) and ("王芳", "我一直都在。") in speech(board)
    assert "softly" not in everything.split('"dialogue"')[1][:200] and "低声" not in board.shots[-1].subtitle
    kinds = {d["text"]: d["kind"] for s in board.shots for d in s.dialogue}
    assert kinds["I knew it was him."] == "voiceover" and kinds["我一直都在。"] == "voiceover"
    assert board.shots[0].heading == "INT. KITCHEN - NIGHT" and board.shots[0].time_of_day == "night"
    assert {"Anna", "Ben", "李明", "王芳"} <= set(board.characters)
    no_speech_in_prompts(board)


FDX = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="1">
  <Content>
    <Paragraph Type="Scene Heading"><Text>EXT. PATIO - DAY</Text></Paragraph>
    <Paragraph Type="Action"><Text>BRICK BRADDOCK, retired detective, sits quietly.</Text></Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON</Text></Paragraph>
    <Paragraph Type="Action"><Text>Two cold beers sweat on the table.</Text></Paragraph>
    <Paragraph Type="Character"><Text>STEEL</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(beer raised)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>To retirement.</Text></Paragraph>
    <Paragraph><DualDialogue>
      <Paragraph Type="Character"><Text>GIRL</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>Hi.</Text></Paragraph>
      <Paragraph Type="Character"><Text>GUY</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>Hello.</Text></Paragraph>
    </DualDialogue></Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
  </Content>
  <TitlePage><Content><Paragraph><Text>Brick &amp; Steel</Text></Paragraph></Content></TitlePage>
</FinalDraft>"""


def test_final_draft_paragraphs_become_shots_and_speech() -> None:
    board = board_of(FDX, "brick.fdx")
    assert board.source_format == "fdx" and board.title == "Brick & Steel"
    assert [s.text for s in board.shots] == ["BRICK BRADDOCK, retired detective, sits quietly.",
                                             "Two cold beers sweat on the table."]
    assert board.shots[1].camera.size == "close-up" and board.shots[1].camera.explicit
    assert speech(board) == [("Steel", "To retirement."), ("Girl", "Hi."), ("Guy", "Hello.")]
    assert "Brick Braddock" in board.characters
    no_speech_in_prompts(board)


def test_xml_that_is_not_final_draft_and_entity_bombs_are_one_sentence() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<FinalDraft><Content><Paragraph Type="Action"><Text>&b;</Text></Paragraph></Content></FinalDraft>')
    for data, name, words in [(bomb, "x.fdx", "Final Draft"), ("<?xml version='1.0'?><svg></svg>", "x.txt", "XML")]:
        with pytest.raises(ValueError, match=words) as err:
            board_of(data, name)
        assert "\n" not in str(err.value) and str(err.value).endswith(".")


def test_csv_with_chinese_headers_section_and_checklist_rows() -> None:
    csv_text = ("分镜脚本：早餐广告\n镜号,景别,运镜,画面,台词,旁白,时长,音效\n场景一 厨房,,,,,,,\n"
                "1,远景,航拍,清晨的城市,,每一天都值得期待。,4秒,鸟鸣\n2,特写,推,妈妈倒牛奶,妈妈：快趁热喝！,,2,\n"
                "3,中景,跟拍,孩子跑进厨房,,,1m,\n[x],,,,,,,\n")
    board = board_of(csv_text, "shots.csv")
    assert board.source_format == "csv" and len(board.shots) == 3
    assert [s.duration_s for s in board.shots] == [4.0, 2.0, 60.0]
    assert [s.camera.named for s in board.shots] == [["wide", "aerial"], ["close-up", "push-in"], ["medium", "tracking"]]
    assert speech(board) == [("", "每一天都值得期待。"), ("妈妈", "快趁热喝！")]
    assert board.shots[0].heading == "场景一 厨房" and board.shots[0].sound == ["鸟鸣"]
    no_speech_in_prompts(board)


def test_tsv_xlsx_and_json_shot_lists_with_english_headers(tmp_path) -> None:
    from openpyxl import Workbook

    tsv = "Shot\tSize\tDescription\tVO\tDuration\n1\tWS\tA lighthouse at dawn\tEvery light has a keeper.\t3s\n" \
          "2\tECU\tHands turn a brass key\t\t0:02\n"
    book = Workbook()
    sheet = book.active
    for row in [["Storyboard v2"], ["Shot #", "Type", "Action", "Dialogue", "Time"],
                [1, "Close-up", "Anna opens the door", "ANNA: Who's there?", 2],
                [2, "Wide", "The street is empty", None, 3.5]]:
        sheet.append(row)
    book.save(tmp_path / "list.xlsx")
    shots_json = {"title": "Launch", "shots": [
        {"shot": 1, "visual": "Logo reveal", "camera": {"size": "close-up", "move": "slow push-in"}, "duration": "3s"},
        {"shot": 2, "description": "Founder at desk", "dialogue": [{"speaker": "Mia", "line": "We built this for you."}],
         "duration": 4}]}
    tsv_board = board_of(tsv, "list.tsv")
    xlsx_board = build(read_bytes((tmp_path / "list.xlsx").read_bytes(), "list.xlsx"), model=MODEL)
    json_board = board_of(json.dumps(shots_json), "list.json")
    assert (tsv_board.source_format, xlsx_board.source_format, json_board.source_format) == ("tsv", "xlsx", "json")
    assert [s.duration_s for s in tsv_board.shots] == [3.0, 2.0]
    assert [s.camera.named for s in tsv_board.shots] == [["wide"], ["extreme-close-up"]]
    assert speech(tsv_board) == [("", "Every light has a keeper.")]
    assert [s.text for s in xlsx_board.shots] == ["Anna opens the door", "The street is empty"]
    assert speech(xlsx_board) == [("ANNA", "Who's there?")] and [s.duration_s for s in xlsx_board.shots] == [2.0, 3.5]
    assert json_board.title == "Launch" and speech(json_board) == [("Mia", "We built this for you.")]
    assert json_board.shots[0].camera.named == ["close-up", "push-in"]
    for board in (tsv_board, xlsx_board, json_board):
        no_speech_in_prompts(board)


@pytest.mark.parametrize("encoding,name", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("gbk", "GBK"),
                                           ("gb18030", "GBK"), ("utf-16", "UTF-16")])
def test_encodings_are_detected_and_named(encoding: str, name: str) -> None:
    script = "镜头1（远景，航拍，4秒）：清晨的城市，李明骑自行车穿过街道。\n旁白：每一天都是新的开始。\n"
    board = build(read_bytes(script.encode(encoding), "ad.txt"), model=MODEL)
    assert board.encoding == name and board.shots[0].text == "清晨的城市，李明骑自行车穿过街道。"


def test_big5_is_named() -> None:
    script = "鏡頭1（遠景，4秒）：清晨的城市，李明騎自行車穿過街道。\n旁白：每一天都是新的開始。\n"
    board = build(read_bytes(script.encode("big5"), "ad.txt"), model=MODEL)
    assert board.encoding == "Big5" and "李明騎自行車" in board.shots[0].text


@pytest.mark.parametrize("data,name,what", [
    (b"%PDF-1.7 ...", "script.pdf", "a PDF document"),
    (b"PK\x03\x04....word/document.xml", "script.docx", "a Word document"),
    (b"<!DOCTYPE html><html><body>hi</body></html>", "page.html", "an HTML page"),
    (b"\x89PNG\r\n\x1a\n....", "frame.png", "an image"),
    (b"{\\rtf1\\ansi hello}", "script.rtf", "an RTF document"),
])
def test_other_formats_are_refused_in_one_sentence_listing_the_accepted_ones(data: bytes, name: str, what: str) -> None:
    with pytest.raises(ValueError) as err:
        read_bytes(data, name)
    message = str(err.value)
    assert what in message and "Fountain" in message and "Final Draft" in message and "XLSX" not in message
    assert "Excel (.xlsx)" in message and "\n" not in message and message.endswith(".")


def test_start_and_end_columns_give_the_duration() -> None:
    csv_text = ("shot_id,segment,start_time,end_time,visual_description,notes\n"
                "1,hook,0,5,Golden man emerging from a lake at dawn,Opening hook\n"
                "2,body,0:05,0:12,Priests throw gold into the water,\n")
    board = board_of(csv_text, "shotlist.csv")
    assert [(s.text, s.duration_s) for s in board.shots] == [("Golden man emerging from a lake at dawn", 5.0),
                                                             ("Priests throw gold into the water", 7.0)]


def test_chinese_screenplay_with_numbered_headings_and_cues() -> None:
    script = ("【场景 01】外景. 港口货运铁轨 - 晨 - 暴雨\n灰蒙蒙的雾气裹着煤焦油味。\n[声学行为: 开场重击]\n"
              "林舟在泥水中缓缓撑起身躯。\n\n顾衡\n（缓步从阴影中踱出，声音极冷）\n东西交出来。这不是你能碰的局。\n\n"
              "林舟\n（冷笑一声）\n当年你带走遗物的时候，是不是也撑着这把黑伞？\n\n"
              "【场景 02】内景. 值班室 - 夜\n两名黑衣保镖从门后包抄。\n\n【动作】林舟猛地后撤半步，工具箱轰然砸落！\n")
    board = board_of(script, "port.txt")
    assert board.source_format == "fountain" and len(board.shots) == 3
    first = board.shots[0]
    assert first.text == "灰蒙蒙的雾气裹着煤焦油味。林舟在泥水中缓缓撑起身躯。"  # the [note] line is no picture
    assert (first.setting, first.time_of_day) == ("港口货运铁轨", "rain")
    assert speech(board) == [("顾衡", "东西交出来。这不是你能碰的局。"), ("林舟", "当年你带走遗物的时候，是不是也撑着这把黑伞？")]
    assert board.shots[2].text.startswith("林舟猛地后撤") and board.shots[2].time_of_day == "night"
    no_speech_in_prompts(board)
    cues = split("场景 1 — 内景. 宴会厅 — 夜\n林晚宁：今天所有人都看着我。\n沈曜：你到底收到了什么？\n").shots
    assert [s.heading for s in cues] == ["场景 1 — 内景. 宴会厅 — 夜"] * 2 and all(not s.text for s in cues)
    assert [s.dialogue[0]["speaker"] for s in cues] == ["林晚宁", "沈曜"] and cues[0].setting == "宴会厅"
