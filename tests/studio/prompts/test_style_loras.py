"""A style preset may carry LoRAs (as data, per model); variants and shot jobs carry them
in their parameters, with project and shot layers on top and the tier chosen per shot."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.models import PRESETS_DIR
from studio.loras import generation_extras
from studio.prompts.presets import PresetError, load_presets
from studio.prompts.variants import make_variants


def _presets_with(tmp_path, loras):
    folder = tmp_path / "presets"
    shutil.copytree(PRESETS_DIR, folder)
    path = folder / "styles" / "ink-wash.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["loras"] = loras
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def test_style_loras_reach_the_variant_requests_for_their_model(tmp_path):
    folder = _presets_with(tmp_path, [{"model": "tiny", "source": "hf:me/ink/ink.safetensors", "scale": 0.7},
                                      {"model": "wan2.1-t2v-14b", "source": "hf:me/ink/ink14b.safetensors", "scale": 1}])
    presets = load_presets(folder)
    assert presets.style("ink-wash").loras_for("tiny") == [{"source": "hf:me/ink/ink.safetensors", "scale": 0.7}]
    variants = make_variants(["a boat on a river"], ["ink-wash", None], [1], model="tiny", presets=presets)
    by_style = {v.style: v.request for v in variants}
    assert [(s.source, s.scale) for s in by_style["ink-wash"].loras] == [("hf:me/ink/ink.safetensors", 0.7)]
    assert by_style[""].loras == ()
    assert by_style["ink-wash"].to_dict()["loras"] == [{"source": "hf:me/ink/ink.safetensors", "scale": 0.7,
                                                        "source_2": None}]


def test_a_bad_style_lora_names_the_file_and_key(tmp_path):
    folder = _presets_with(tmp_path, [{"model": "tiny", "source": "x.safetensors"}])
    with pytest.raises(PresetError, match=r"ink-wash.json: key 'loras\[0\]'"):
        load_presets(folder)


def test_project_and_shot_layers_and_the_tier():
    style = [{"source": "ink.safetensors", "scale": 0.7}]
    project = {"loras": [{"source": "brand.safetensors", "scale": 1.0}], "tier": "draft"}
    shot = {"loras": [{"source": "ink.safetensors", "scale": 0.3}]}
    extras = generation_extras("tiny", project, shot, style)
    assert extras == {"loras": [{"source": "ink.safetensors", "scale": 0.3}, {"source": "brand.safetensors", "scale": 1.0}],
                      "tier": "draft"}
    assert generation_extras("tiny", project, {"tier": "final"})["tier"] == "final"
    assert generation_extras("tiny", {}, {}) == {"loras": [], "tier": "final"}
