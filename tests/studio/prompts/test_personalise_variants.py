"""CSV personalisation (errors name row and column) and A/B variants."""

from __future__ import annotations

import pytest

from engine.types import GenerationRequest
from studio.prompts.characters import CharacterCard
from studio.prompts.personalise import fill, parse_csv, personalise, read_csv, variables
from studio.prompts.variants import make_variants
from studio.storyboard import build


def test_variables_and_literal_braces() -> None:
    assert variables("{name}在{城市}，{{不是变量}} {1x}") == ["name", "城市"]
    assert fill("{name}在{城市}，{{x}}", {"name": "小雨", "城市": "成都"}) == "小雨在成都，{x}"


def test_missing_column_names_row_and_column() -> None:
    rows = parse_csv("name,look\n小雨,短发\n")
    with pytest.raises(ValueError, match="Row 1 has no column 'city'.*name, look"):
        personalise("{name}来到{city}", rows)


def test_empty_cell_names_its_row() -> None:
    rows = parse_csv("name,look\n小雨,短发\n陈浩,\n")
    with pytest.raises(ValueError, match="Row 2 has an empty value in column 'look'"):
        personalise("{name}，{look}", rows)


def test_row_with_too_many_cells_and_empty_files(tmp_path) -> None:
    with pytest.raises(ValueError, match="row 1 \\(line 2\\) has 3 cells"):
        parse_csv("a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="no rows"):
        parse_csv("a,b\n\n")
    (tmp_path / "gbk.csv").write_bytes("名字\n小雨\n".encode("gbk"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_csv(tmp_path / "gbk.csv")


def test_cards_are_filled_per_row() -> None:
    rows = parse_csv("name,look\n小雨,短发\n陈浩,戴眼镜\n")
    out = personalise("{name}走进教室。", rows, [CharacterCard("{name}", "{look}的学生")])
    assert [(s, c[0].name, c[0].appearance) for _, s, c in out] == [
        ("小雨走进教室。", "小雨", "短发的学生"), ("陈浩走进教室。", "陈浩", "戴眼镜的学生")]


def test_variants_are_prompts_times_styles_times_seeds() -> None:
    shots = build("女孩在海边奔跑。\nA chef cooks noodles.").shots
    variants = make_variants(shots, ["cinematic", "anime", None], [1, 2], model="wan2.1-t2v-1.3b")
    assert len(variants) == 2 * 3 * 2 and len({v.label for v in variants}) == 12
    v = next(v for v in variants if v.label == "shot1-anime-seed2")
    assert isinstance(v.request, GenerationRequest) and v.request.seed == 2
    assert "日系动漫风格" in v.request.prompt and v.request.steps == 40 and v.request.guidance == 6.0
    assert GenerationRequest.from_dict(v.request.to_dict()) == v.request


def test_tiny_model_keeps_its_card_defaults_and_plain_prompts_work() -> None:
    variants = make_variants(["a red car"], ["cinematic"], [0], model="tiny")
    assert variants[0].request.steps is None and "cinematic film still" in variants[0].request.prompt


@pytest.mark.parametrize("args,message", [(([], ["anime"], [1]), "at least one"), ((["x"], ["nope"], [1]), "not known"),
                                          ((["x"], ["anime"], [-1]), "Seed -1")])
def test_variant_errors(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_variants(*args)
