"""The model registry: cards are data, validated on load, with errors naming file and key."""

import json

import pytest

from engine import InvalidRequest
from engine import models as registry


def test_all_five_cards_load_with_facts_from_the_reference():
    ids = [c.id for c in registry.list_cards()]
    assert ids[0] == "tiny"
    assert set(ids) >= {"tiny", "wan2.1-t2v-1.3b", "wan2.1-t2v-14b", "wan2.2-ti2v-5b", "wan2.2-t2v-a14b"}
    a14b = registry.get_card("wan2.2-t2v-a14b")
    assert a14b.two_experts and a14b.guidance == 4.0 and a14b.guidance_2 == 3.0 and a14b.flow_shift == 12.0
    ti2v = registry.get_card("wan2.2-ti2v-5b")
    assert ti2v.vae_family == "wan2.2" and ti2v.size_multiple == 32 and ti2v.fps == 24 and ti2v.default_frames == 121
    small = registry.get_card("wan2.1-t2v-1.3b")
    assert small.resolutions == ((832, 480), (480, 832)) and small.repo_id == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    assert small.max_seconds == 5.0


def test_image_model_cards_match_their_repositories():
    i2v = registry.get_card("wan2.2-i2v-a14b")
    assert i2v.repo_id == "Wan-AI/Wan2.2-I2V-A14B-Diffusers" and i2v.pipeline_class == "WanImageToVideoPipeline"
    assert i2v.boundary_ratio == 0.9 and i2v.two_experts and i2v.needs_image and i2v.steps == 40
    ti2v = registry.get_card("wan2.2-ti2v-5b")  # one repository, text or image
    assert ti2v.pipeline_class == "WanPipeline" and ti2v.image_pipeline_class == "WanImageToVideoPipeline"
    assert ti2v.takes == ("image",) and not ti2v.needs_image
    flf = registry.get_card("wan2.1-flf2v-14b")
    assert flf.repo_id == "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers" and flf.needs_image and flf.needs_last_image
    for size, repo in (("1.3b", "Wan-AI/Wan2.1-VACE-1.3B-diffusers"), ("14b", "Wan-AI/Wan2.1-VACE-14B-diffusers")):
        vace = registry.get_card(f"wan2.1-vace-{size}")
        assert vace.repo_id == repo and vace.pipeline_class == "WanVACEPipeline"
        assert vace.takes == ("image", "last_image", "reference_images") and vace.licence == "Apache-2.0"
    for tiny in ("tiny-a14b", "tiny-i2v", "tiny-i2v-a14b", "tiny-ti2v", "tiny-vace"):
        card = registry.get_card(tiny)
        assert card.is_local_only and card.local_recipe and card.max_seconds >= 5.0  # chains like a real model


def test_card_takes_only_known_inputs(tmp_path):
    path = _write(tmp_path, "tiny", takes=["image", "video"])
    with pytest.raises(registry.CardError, match=r"tiny.json: key 'takes' names \['video'\]; accepted: image"):
        registry._parse_card(path)
    path = _write(tmp_path, "tiny", needs_image=True)
    with pytest.raises(registry.CardError, match="'needs_image' is true but 'takes' lacks"):
        registry._parse_card(path)


def test_unknown_model_is_one_sentence_listing_known_ids():
    with pytest.raises(InvalidRequest, match=r"model 'wan9' is not accepted: one of tiny, tiny-a14b, .*, wan2\.1-t2v-1\.3b, .*wan2\.2-ti2v-5b\.$"):
        registry.get_card("wan9")


def _write(tmp_path, name, **changes):
    data = json.loads((registry.PRESETS_DIR / "models" / "tiny.json").read_text(encoding="utf-8"))
    data.update(changes)
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fps": "sixteen"}, "tiny.json: key 'fps' has 'sixteen'; expected int"),
        ({"max_frames": 32}, "tiny.json: key 'max_frames' is 32; frames must be 4k\\+1"),
        ({"vae_family": "sd"}, "tiny.json: key 'vae_family' is 'sd'"),
        ({"resolutions": [[65, 64]]}, "tiny.json: key 'resolutions' has \\[65, 64\\]"),
        ({"colour": 1}, "tiny.json: unknown key"),
    ],
)
def test_bad_cards_name_file_and_key(tmp_path, changes, message):
    with pytest.raises(registry.CardError, match=message):
        registry._parse_card(_write(tmp_path, "tiny", **changes))


def test_missing_key_is_named(tmp_path):
    p = _write(tmp_path, "tiny")
    data = json.loads(p.read_text())
    del data["licence"]
    p.write_text(json.dumps(data))
    with pytest.raises(registry.CardError, match="tiny.json: key 'licence' is missing"):
        registry._parse_card(p)
