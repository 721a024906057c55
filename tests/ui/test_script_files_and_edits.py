"""The projects service with the storyboard room's readers and edits, without a browser:
script files in every accepted format and encoding (the encoding named, a Fountain title
page naming the project, other formats refused in one sentence), and the edits that keep
what the user wrote (merge adds durations and keeps both subtitles, split keeps every line
of speech, camera and style recompose the prompt, delete is undone). Real SQLite, no worker."""

from __future__ import annotations

import json

import pytest

from studio.jobs import QueueBackend
from studio.services import compose
from studio.storyboard import FormatRefused

AD = ("镜头1（远景，航拍，4秒）：清晨的山谷，薄雾笼罩着咖啡园。\n旁白：每一天，从山谷开始。\n"
      "镜头2（近景，2秒）：咖啡师把一杯拿铁递给顾客。\n顾客：“真香！”")

AD_TRADITIONAL = ("鏡頭1（遠景，航拍，4秒）：清晨的山谷，薄霧籠罩著咖啡園。\n旁白：每一天，從山谷開始。\n"
                  "鏡頭2（近景，2秒）：咖啡師把一杯拿鐵遞給顧客。\n顧客：“真香！”")


@pytest.fixture
def shotline_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOTLINE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def studio(shotline_home):
    backend = QueueBackend(None)
    yield compose(backend, defaults={"steps": 2, "max_frames": 9})
    backend.close()


def board(studio, pid):
    return [e["shot"] for e in studio.projects.project("ann", pid)["shots"]]


@pytest.mark.parametrize("codec,named", [("gb18030", "GBK"), ("big5", "Big5"), ("utf-16", "UTF-16"),
                                         ("utf-8-sig", "UTF-8 with BOM")])
def test_an_ad_script_file_in_any_encoding_gives_its_shots_and_names_the_encoding(studio, tmp_path, codec, named):
    text = AD if codec != "big5" else AD_TRADITIONAL
    path = tmp_path / "ad.txt"
    path.write_bytes(text.encode(codec))
    script = studio.projects.read_script_file(str(path))
    assert script.encoding == named and script.format == "text"
    if codec == "big5":  # decoded to the very text (the readers number 镜头 shots; 鏡頭 is theirs to learn)
        assert script.text.strip() == text
        return
    pid = studio.projects.create_from_script("ann", script, model="tiny")[0]
    shots = board(studio, pid)
    assert [s["duration_s"] for s in shots] == [4.0, 2.0]
    assert [s["subtitle"] for s in shots] == ["每一天，从山谷开始。", "真香！"]


def test_every_accepted_format_is_read_and_a_fountain_title_page_names_the_project(studio, tmp_path):
    files = {
        "film.fountain": "Title: The Last Cup\nAuthor: Ann\n\nINT. CAFE - DAY\n\nA barista pours coffee.\n\n"
                         "ANN\nThat smells good.\n",
        "film.fdx": '<?xml version="1.0"?><FinalDraft DocumentType="Script"><Content>'
                    '<Paragraph Type="Scene Heading"><Text>INT. CAFE - DAY</Text></Paragraph>'
                    '<Paragraph Type="Action"><Text>A barista pours coffee.</Text></Paragraph>'
                    '<Paragraph Type="Character"><Text>ANN</Text></Paragraph>'
                    '<Paragraph Type="Dialogue"><Text>That smells good.</Text></Paragraph></Content></FinalDraft>',
        "list.csv": "镜号,画面,台词,时长\n1,咖啡师倒咖啡,真香！,3秒\n2,窗外下雨,,2秒\n",
        "list.tsv": "Shot\tDescription\tDuration\n1\tA barista pours coffee\t3s\n2\tRain on the window\t2s\n",
        "list.json": json.dumps([{"shot": 1, "description": "A barista pours coffee", "duration": "3s"},
                                 {"shot": 2, "description": "Rain on the window", "duration": "2s"}]),
        "list.md": "| 镜号 | 画面 | 时长 |\n|---|---|---|\n| 1 | 咖啡师倒咖啡 | 3秒 |\n| 2 | 窗外下雨 | 2秒 |\n",
    }
    expected = {"film.fountain": "fountain", "film.fdx": "fdx", "list.csv": "csv", "list.tsv": "tsv",
                "list.json": "json", "list.md": "markdown"}
    for name, content in files.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        script = studio.projects.read_script_file(str(path))
        assert script.format == expected[name], name
        pid = studio.projects.create_from_script("ann", script, model="tiny")[0]
        flow = studio.projects.project("ann", pid)
        assert flow["shots"] and all(e["shot"]["prompt"] for e in flow["shots"]), name
        assert "<Paragraph" not in flow["shots"][0]["shot"]["prompt"] and "{" not in flow["shots"][0]["shot"]["prompt"]
        if name == "film.fountain":
            assert flow["name"] == "The Last Cup"
            assert flow["shots"][-1]["shot"]["subtitle"] == "That smells good."
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Shot", "Description", "Duration"])
    book.active.append([1, "A barista pours coffee", "3s"])
    book.save(tmp_path / "list.xlsx")
    script = studio.projects.read_script_file(str(tmp_path / "list.xlsx"))
    assert script.format == "xlsx"
    pid = studio.projects.create_from_script("ann", script, model="tiny")[0]
    assert board(studio, pid)[0]["duration_s"] == 3.0


def test_other_formats_are_refused_in_one_sentence(studio, tmp_path):
    pdf = tmp_path / "script.pdf"
    pdf.write_bytes(b"%PDF-1.7 ...")
    with pytest.raises(FormatRefused, match=r"^This file is a PDF document, which the storyboard does not read; "
                                            r"accepted: Fountain .*\.$"):
        studio.projects.read_script_file(str(pdf))


def test_merge_adds_durations_and_keeps_both_subtitles_and_split_keeps_every_line(studio):
    pid = studio.projects.create_from_script("ann", AD, model="tiny")[0]
    first, second = (e["id"] for e in studio.projects.project("ann", pid)["shots"])
    studio.projects.merge_shot("ann", pid, first)
    (merged,) = board(studio, pid)
    assert merged["duration_s"] == 6.0 and merged["subtitle"] == "每一天，从山谷开始。 真香！"
    assert "真香" not in merged["prompt"] and "从山谷开始" not in merged["prompt"]
    studio.projects.split_shot("ann", pid, first)
    halves = board(studio, pid)
    assert len(halves) == 2 and round(sum(s["duration_s"] for s in halves), 2) == 6.0
    assert [d["text"] for s in halves for d in s["dialogue"]] == ["每一天，从山谷开始。", "真香！"]

    speech = studio.projects.create_from_script("ann", "ANN: Good morning.\nBEN: Morning! Coffee?\n", model="tiny")[0]
    entries = studio.projects.project("ann", speech)["shots"]
    lines = [d["text"] for e in entries for d in e["shot"]["dialogue"]]
    studio.projects.merge_shot("ann", speech, entries[0]["id"])  # one speech-only shot of two lines
    assert [d["text"] for s in board(studio, speech) for d in s["dialogue"]] == lines
    studio.projects.split_shot("ann", speech, entries[0]["id"])
    assert [d["text"] for s in board(studio, speech) for d in s["dialogue"]] == lines  # no speech lost


def test_camera_and_style_changes_recompose_the_prompt(studio):
    pid = studio.projects.create_from_script("ann", AD, model="tiny")[0]
    entry = studio.projects.project("ann", pid)["shots"][1]
    before = entry["shot"]["prompt"]
    shot = studio.projects.edit_shot("ann", pid, entry["id"], camera_movement="orbit")
    assert shot["prompt"] != before and shot["camera"]["movement"] == "orbit"
    assert board(studio, pid)[1]["prompt"] == shot["prompt"]
    styled = studio.projects.edit_shot("ann", pid, entry["id"], style="anime")
    assert styled["style"] == "anime" and styled["prompt"] != shot["prompt"]
    assert styled["subtitle"] == "真香！" and "真香" not in styled["prompt"]


def test_a_deleted_shot_comes_back_where_it_was(studio):
    pid = studio.projects.create_from_script("ann", AD + "\n镜头3（特写，1秒）：咖啡杯上的标志。", model="tiny")[0]
    ids = [e["id"] for e in studio.projects.project("ann", pid)["shots"]]
    kept = board(studio, pid)[1]
    assert not studio.projects.can_undo_delete("ann", pid)
    studio.projects.delete_shot("ann", pid, ids[1])
    assert len(board(studio, pid)) == 2 and studio.projects.can_undo_delete("ann", pid)
    other = studio.projects.create_from_script("ann", "镜头1：窗外下雨。", model="tiny")[0]
    with pytest.raises(ValueError, match="No deleted shot to bring back"):
        studio.projects.undo_delete("ann", other)
    back = studio.projects.undo_delete("ann", pid)
    shots = board(studio, pid)
    assert [e["id"] for e in studio.projects.project("ann", pid)["shots"]][1] == back
    assert {k: shots[1][k] for k in ("text", "subtitle", "duration_s", "prompt")} == \
        {k: kept[k] for k in ("text", "subtitle", "duration_s", "prompt")}
    assert not studio.projects.can_undo_delete("ann", pid)


def test_the_script_page_names_format_and_encoding_and_refuses_in_the_users_language(studio, tmp_path):
    from studio.ui.script_file import read_upload, script_to_use

    path = tmp_path / "广告.txt"
    path.write_bytes(AD.encode("gbk"))
    read, line = read_upload(studio.projects, str(path), "zh")
    assert line == "已读取 广告.txt：纯文本，编码 GBK。"
    assert read_upload(studio.projects, str(path), "en")[1] == "Read 广告.txt: plain text, GBK."
    assert script_to_use(read.text + "\n", read) is read  # the box still shows what was read
    assert script_to_use("镜头1：窗外下雨。", read) == "镜头1：窗外下雨。"  # edited or pasted: the text
    assert script_to_use("", None) == ""
    doc = tmp_path / "script.docx"
    doc.write_bytes(b"PK\x03\x04word/document.xml")
    with pytest.raises(ValueError, match=r"^此文件是Word 文档，分镜不读取这种格式；可接受：Fountain（.fountain）.*。$"):
        read_upload(studio.projects, str(doc), "zh")
    with pytest.raises(ValueError, match=r"^This file is a Word document, which the storyboard does not read"):
        read_upload(studio.projects, str(doc), "en")
