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
