"""`shotline storyboard` and `shotline styles`: JSON shape and one-sentence errors."""

from __future__ import annotations

import json

import pytest

from studio.cli import main


def test_styles_lists_every_preset(capsys) -> None:
    assert main(["styles"]) == 0
    out = capsys.readouterr().out
    assert "ink-wash" in out and "水墨" in out and len(out.strip().splitlines()) >= 16
    assert main(["styles", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["styles"]) >= 16


def test_storyboard_table_output(tmp_path, capsys) -> None:
    (tmp_path / "s.txt").write_text("A girl smiles.\nAnna: hello there!", encoding="utf-8")
    assert main(["storyboard", str(tmp_path / "s.txt"), "--model", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and "subtitle: hello there!" in out


@pytest.mark.parametrize("make,args,message", [
    (None, [], "Script file 'missing.txt' does not exist."),
    ("   \n", [], "The script is empty"),
    ("hi there", ["--style", "glitter"], "Style 'glitter' is not known; choose one of: 3d-cartoon"),
    ("hi there", ["--model", "wan9"], "model 'wan9'"),
    ("hi there", ["--characters", "nope.json"], "does not exist"),
    ("hi {who}", ["--csv", "CSV"], "Row 1 has no column 'who'"),
])
def test_bad_input_is_one_sentence_and_exit_2(tmp_path, capsys, make, args, message) -> None:
    script = "missing.txt"
    if make is not None:
        script = str(tmp_path / "s.txt")
        (tmp_path / "s.txt").write_text(make, encoding="utf-8")
    (tmp_path / "rows.csv").write_text("name\nA\n", encoding="utf-8")
    args = [str(tmp_path / "rows.csv") if a == "CSV" else a for a in args]
    assert main(["storyboard", script, *args, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_the_command_reads_other_formats_and_names_the_encoding(tmp_path, capsys) -> None:
    from openpyxl import Workbook

    (tmp_path / "ad.txt").write_bytes("镜头1（远景，航拍，4秒）：清晨的城市。\n旁白：新的一天。\n".encode("gbk"))
    assert main(["storyboard", str(tmp_path / "ad.txt"), "--json"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert "as text, GBK." in out.err and data["encoding"] == "GBK" and data["shots"][0]["duration_s"] == 4.0
    book = Workbook()
    book.active.append(["镜号", "画面", "台词", "时长"])
    book.active.append([1, "女孩推开窗户", "女孩：早上好！", "2秒"])
    book.save(tmp_path / "shots.xlsx")
    assert main(["storyboard", str(tmp_path / "shots.xlsx"), "--json"]) == 0
    out = capsys.readouterr()
    assert "as xlsx." in out.err and json.loads(out.out)["shots"][0]["subtitle"] == "早上好！"
    (tmp_path / "script.pdf").write_bytes(b"%PDF-1.7 ...")
    assert main(["storyboard", str(tmp_path / "script.pdf")]) == 2
    err = capsys.readouterr().err.strip()
    assert "a PDF document" in err and "Fountain" in err and len(err.splitlines()) == 1
