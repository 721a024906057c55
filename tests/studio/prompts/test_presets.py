"""Preset files are validated on load; an error names the file and the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.models import PRESETS_DIR
from studio.prompts.presets import PresetError, default_presets, load_presets

WANTED = ["cinematic", "product-commercial", "lifestyle", "anime", "3d-cartoon", "ink-wash", "cyberpunk", "documentary",
          "vintage-film", "watercolour", "claymation", "minimalist-studio", "food-closeup", "fashion", "real-estate",
          "travel-vlog"]


def test_at_least_16_styles_with_both_languages_and_recommendations() -> None:
    presets = default_presets()
    assert len(presets.styles) >= 16 and set(WANTED) <= set(presets.styles)
    for style in presets.styles.values():
        assert style.name["en"] and style.name["zh"] and style.positive["en"] and style.positive["zh"]
        assert 1 <= style.steps <= 200 and style.guidance > 0 and style.flow_shift > 0


def test_styles_are_found_by_id_or_either_name() -> None:
    presets = default_presets()
    assert presets.style("水墨").id == "ink-wash" and presets.style("Travel vlog").id == "travel-vlog"
    with pytest.raises(ValueError, match="cinematic"):
        presets.style("glitter")


def test_camera_presets_cover_sizes_and_moves_in_both_languages() -> None:
    cam = default_presets().camera
    assert {c.zh for c in cam["sizes"]} >= {"特写", "近景", "中景", "全景", "远景"}
    assert {c.zh for c in cam["moves"]} >= {"推", "拉", "摇", "移", "跟", "环绕", "升降"}
    assert {c.id for c in cam["moves"]} >= {"push-in", "pull-out", "pan", "tilt", "dolly", "orbit", "crane", "handheld"}


@pytest.fixture()
def presets_copy(tmp_path: Path) -> Path:
    shutil.copytree(PRESETS_DIR, tmp_path / "presets")
    return tmp_path / "presets"


@pytest.mark.parametrize("edit,message", [
    (lambda d: d.pop("positive"), "anime.json: key 'positive' is missing"),
    (lambda d: d["recommended"].update(steps=0), "anime.json: key 'recommended.steps' is 0"),
    (lambda d: d["name"].update(zh=5), "anime.json: key 'name': key 'zh' has 5"),
    (lambda d: d.update(colour="red"), "anime.json: unknown key"),
    (lambda d: d.update(id="manga"), "anime.json: key 'id' is 'manga'"),
])
def test_a_broken_style_names_the_file_and_key(presets_copy: Path, edit, message: str) -> None:
    path = presets_copy / "styles" / "anime.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PresetError, match=message.replace(".", r"\.")):
        load_presets(presets_copy)


def test_invalid_json_and_bad_template_are_named(presets_copy: Path) -> None:
    (presets_copy / "styles" / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(PresetError, match="broken.json: not valid JSON"):
        load_presets(presets_copy)
    (presets_copy / "styles" / "broken.json").unlink()
    path = presets_copy / "templates" / "wan.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["order"] = ["subject", "style"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PresetError, match="wan.json: key 'order'"):
        load_presets(presets_copy)


def test_a_new_style_is_a_new_file(presets_copy: Path) -> None:
    data = json.loads((presets_copy / "styles" / "anime.json").read_text(encoding="utf-8"))
    data["id"] = "pastel-dream"
    (presets_copy / "styles" / "pastel-dream.json").write_text(json.dumps(data), encoding="utf-8")
    assert "pastel-dream" in load_presets(presets_copy).styles
