"""LoRAs on the real tiny model: a LoRA made here with peft changes the clip at scale 1,
equals the plain clip at scale 0, swaps without reloading the model; bad files fail at
submit in one sentence naming the file and the model; the CLI's --lora and the library."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from engine import (
    GenerationRequest,
    InvalidRequest,
    WeightsUnavailable,
    read_frames,
    read_metadata,
    resolve_request,
)
from engine.lora import LoraMismatch, parse_lora_arg
from engine.types import LoraSpec


def _save_lora(folder, name: str, targets: list[str], seed: int, tiny_model_dir, rank: int = 4):
    """A LoRA for the tiny transformer made with peft (random A and B: init_lora_weights=False)."""
    from diffusers import WanPipeline, WanTransformer3DModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    transformer = WanTransformer3DModel.from_pretrained(tiny_model_dir / "transformer")
    torch.manual_seed(seed)
    transformer.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=targets, init_lora_weights=False))
    layers = get_peft_model_state_dict(transformer)
    WanPipeline.save_lora_weights(folder, transformer_lora_layers=layers, weight_name=name)
    return folder / name


@pytest.fixture(scope="module")
def loras(tiny_model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("loras")
    return {
        "attn": _save_lora(folder, "tiny_lora.safetensors", ["to_q", "to_k", "to_v", "to_out.0"], 1, tiny_model_dir),
        "ffn": _save_lora(folder, "tiny_ffn_lora.safetensors", ["ffn.net.0.proj", "ffn.net.2"], 2, tiny_model_dir),
    }


def _clip(engine, tmp_path, name, **kw):
    request = GenerationRequest(prompt="a lighthouse at dusk", seed=3, preview_every=0,
                                output_path=str(tmp_path / f"{name}.mp4"), **kw)
    return read_frames(engine.generate(request).video_path)


def test_lora_changes_the_clip_scale_0_equals_none_and_swaps_without_reloading(warm_engine, loras, tmp_path):
    plain = _clip(warm_engine, tmp_path, "plain")
    transformer = warm_engine._pipe.transformer
    lora = LoraSpec(str(loras["attn"]), 1.0)
    styled = _clip(warm_engine, tmp_path, "styled", loras=(lora,))
    assert not np.array_equal(plain, styled)
    off = _clip(warm_engine, tmp_path, "scale0", loras=(LoraSpec(str(loras["attn"]), 0.0),))
    assert np.array_equal(plain, off)
    back = _clip(warm_engine, tmp_path, "back")
    assert np.array_equal(plain, back)
    again = _clip(warm_engine, tmp_path, "again", loras=(lora,))
    assert np.array_equal(styled, again)
    # the same model object throughout; the file was loaded once and then only switched
    assert warm_engine._pipe.transformer is transformer
    assert warm_engine.adapters.loads >= 1
    loads = warm_engine.adapters.loads
    _clip(warm_engine, tmp_path, "third", loras=(lora,))
    assert warm_engine.adapters.loads == loads


def test_two_loras_combine_with_their_own_scales(warm_engine, loras, tmp_path):
    attn = LoraSpec(str(loras["attn"]), 1.0)
    ffn = LoraSpec(str(loras["ffn"]), 0.7)
    one = _clip(warm_engine, tmp_path, "one", loras=(attn,))
    both = _clip(warm_engine, tmp_path, "both", loras=(attn, ffn))
    assert not np.array_equal(one, both)
    meta = read_metadata(str(tmp_path / "both.mp4"))
    assert [(m["source"], m["scale"]) for m in meta["loras"]] == [(str(loras["attn"]), 1.0), (str(loras["ffn"]), 0.7)]


def _one_sentence(message: str, *parts: str) -> None:
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0
    for part in parts:
        assert part in message


def test_bad_lora_files_fail_at_submit_in_one_sentence(tiny_model_dir, tmp_path):
    from safetensors.torch import save_file

    text = tmp_path / "notes.safetensors"
    text.write_text("not a safetensors file")
    wide = tmp_path / "wide.safetensors"  # a LoRA for a bigger model: 1536 input features
    save_file({"transformer.blocks.0.attn1.to_q.lora_A.weight": torch.zeros(4, 1536),
               "transformer.blocks.0.attn1.to_q.lora_B.weight": torch.zeros(1536, 4)}, str(wide))
    alien = tmp_path / "unet.safetensors"  # another architecture's layer names
    save_file({"transformer.down_blocks.0.attentions.0.proj_in.lora_A.weight": torch.zeros(4, 24),
               "transformer.down_blocks.0.attentions.0.proj_in.lora_B.weight": torch.zeros(24, 4)}, str(alien))
    plain = tmp_path / "weights.safetensors"  # model weights, not a LoRA
    save_file({"transformer.blocks.0.attn1.to_q.weight": torch.zeros(24, 24)}, str(plain))
    ranks = tmp_path / "ranks.safetensors"
    save_file({"transformer.blocks.0.attn1.to_q.lora_A.weight": torch.zeros(4, 24),
               "transformer.blocks.0.attn1.to_q.lora_B.weight": torch.zeros(24, 8)}, str(ranks))
    cases = {text: "not a readable .safetensors file", wide: "maps 1536 to 1536 features but the model's maps 24 to 24",
             alien: "not in the model's transformer", plain: "is not a LoRA weight", ranks: "lora_A / lora_B pair"}
    for path, reason in cases.items():
        with pytest.raises(LoraMismatch) as err:
            resolve_request(GenerationRequest(prompt="a cat", loras=(LoraSpec(str(path)),)))
        _one_sentence(str(err.value), str(path), "tiny", reason)
    with pytest.raises(InvalidRequest, match="no file is at that path"):
        resolve_request(GenerationRequest(prompt="a cat", loras=(LoraSpec(str(tmp_path / "gone.safetensors")),)))
    with pytest.raises(InvalidRequest, match="lora scale 9.0"):
        resolve_request(GenerationRequest(prompt="a cat", loras=(LoraSpec(str(wide), 9.0),)))


def test_the_job_queue_refuses_a_bad_lora_before_queueing(tiny_model_dir, tmp_path):
    from studio.jobs.service import validate_generate

    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(LoraMismatch, match="bad.safetensors does not fit tiny"):
        validate_generate({"prompt": "a cat", "model": "tiny", "loras": [{"source": str(bad), "scale": 1.0}]})


def test_lora_argument_parsing():
    assert parse_lora_arg("style.safetensors:0.8") == LoraSpec("style.safetensors", 0.8)
    assert parse_lora_arg("style.safetensors") == LoraSpec("style.safetensors", None)
    assert parse_lora_arg("hf:owner/repo/dir/f.safetensors") == LoraSpec("hf:owner/repo/dir/f.safetensors")
    assert parse_lora_arg("hf:owner/repo/f.safetensors:-0.5") == LoraSpec("hf:owner/repo/f.safetensors", -0.5)
    request = GenerationRequest.from_dict({"prompt": "x", "loras": ["a.safetensors:0.5", {"source": "b", "scale": 1}]})
    assert request.loras == (LoraSpec("a.safetensors", 0.5), LoraSpec("b", 1))
    assert GenerationRequest.from_dict(request.to_dict()) == request


def test_a_hub_lora_offline_is_checked_on_the_worker_with_one_sentence(warm_engine, tmp_path):
    spec = LoraSpec("hf:someone/wan-styles/ink.safetensors", 0.6)
    resolved = resolve_request(GenerationRequest(prompt="x", loras=(spec,)))  # submit: not cached, not fetched
    assert resolved.loras[0].path is None
    with pytest.raises(WeightsUnavailable, match="The LoRA hf:someone/wan-styles/ink.safetensors is not in the local "
                                                 "cache and HF_HUB_OFFLINE is set"):
        warm_engine.generate(GenerationRequest(prompt="x", loras=(spec,), output_path=str(tmp_path / "x.mp4")))


def test_library_add_list_and_use_by_name(warm_engine, loras, tmp_path, monkeypatch, capsys):
    from engine.lora_library import list_entries
    from studio.cli import main

    assert main(["loras", "add", str(loras["attn"]), "--model", "tiny", "--name", "lighthouse", "--scale", "0.5"]) == 0
    capsys.readouterr()
    assert main(["loras", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == list_entries()
    assert [(e["name"], e["scale"], e["base_model"]) for e in listed] == [("lighthouse", 0.5, "tiny")]
    from studio.loras import lora_rows

    assert [row[:3] for row in lora_rows()] == [["lighthouse", "tiny", 0.5]]  # the Models page table
    by_name = _clip(warm_engine, tmp_path, "named", loras=(LoraSpec("lighthouse"),))
    by_path = _clip(warm_engine, tmp_path, "path", loras=(LoraSpec(str(loras["attn"]), 0.5),))
    assert np.array_equal(by_name, by_path)
    assert main(["loras", "add", str(loras["attn"]), "--model", "tiny", "--name", "lighthouse"]) == 2
    assert "a name not yet in the LoRA library" in capsys.readouterr().err


def test_cli_generate_with_a_lora_and_scale(loras, tmp_path, monkeypatch, capsys):
    from studio.cli import main

    monkeypatch.chdir(loras["attn"].parent)
    out = tmp_path / "cli.mp4"
    assert main(["generate", "--model", "tiny", "--prompt", "a lighthouse", "--lora", "tiny_lora.safetensors:0.8",
                 "--out", str(out), "--preview-every", "0"]) == 0
    meta = read_metadata(str(out))
    assert meta["loras"] == [{"source": str(loras["attn"]), "scale": 0.8, "role": "user"}]
    capsys.readouterr()
    assert main(["generate", "--model", "tiny", "--prompt", "x", "--lora", "missing.safetensors:0.8",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.safetensors" in err


def test_a_lora_reaches_both_experts_of_a_two_expert_pipeline(tiny_model_dir, loras):
    """load_into_transformer_2 on a two-expert pipeline built here from the tiny parts (a
    second, differently seeded expert; boundary 0.5): each expert gets its own file."""
    from diffusers import WanPipeline, WanTransformer3DModel

    from engine.lora import AdapterSet, LoraRef

    base = WanPipeline.from_pretrained(tiny_model_dir)
    torch.manual_seed(99)
    second = WanTransformer3DModel.from_config(base.transformer.config).eval()
    pipe = WanPipeline(tokenizer=base.tokenizer, text_encoder=base.text_encoder, vae=base.vae,
                       scheduler=base.scheduler, transformer=base.transformer, transformer_2=second, boundary_ratio=0.5)
    pipe.set_progress_bar_config(disable=True)

    def run():
        with torch.inference_mode():
            return pipe(prompt="a kite", height=64, width=64, num_frames=9, num_inference_steps=4, guidance_scale=5.0,
                        guidance_scale_2=3.0, output_type="np", generator=torch.Generator().manual_seed(2)).frames[0]

    plain = run()
    adapters = AdapterSet(pipe, two_experts=True)
    high, low = loras["attn"], loras["ffn"]
    adapters.apply((LoraRef(source=str(high), scale=1.0, path=high, source_2=str(low), path_2=low),))
    first = {n for n, _ in pipe.transformer.named_modules() if n.endswith("lora_A")}
    second_names = {n for n, _ in pipe.transformer_2.named_modules() if n.endswith("lora_A")}
    assert first and all(".attn" in n for n in first)  # the high-noise expert got the attention LoRA
    assert second_names and all(".ffn." in n for n in second_names)  # the low-noise expert its own file
    styled = run()
    assert not np.array_equal(plain, styled)
    adapters.apply((LoraRef(source=str(high), scale=0.0, path=high, source_2=str(low), path_2=low),))
    assert np.array_equal(plain, run())


def _has_card(model_id: str) -> bool:
    from engine import list_cards

    return any(c.id == model_id for c in list_cards())


@pytest.mark.skipif(not _has_card("tiny-a14b"), reason="the two-expert tiny model (tiny-a14b) is not on this branch")
def test_a_lora_reaches_both_experts_of_tiny_a14b(warm_engine, tmp_path):
    """Through the engine: one LoRA file goes into both experts (load_into_transformer_2)."""
    from engine import resolve_weights

    folder = resolve_weights("tiny-a14b")
    lora = _save_lora(tmp_path, "a14b_lora.safetensors", ["to_q", "to_k", "to_v", "to_out.0"], 3, folder)
    base = dict(model="tiny-a14b")
    plain = _clip(warm_engine, tmp_path, "a14b-plain", **base)
    styled = _clip(warm_engine, tmp_path, "a14b-styled", loras=(LoraSpec(str(lora), 1.0),), **base)
    pipe = warm_engine._pipe
    for expert in (pipe.transformer, pipe.transformer_2):
        assert any(n.endswith("lora_A") for n, _ in expert.named_modules())
    assert not np.array_equal(plain, styled)
    off = _clip(warm_engine, tmp_path, "a14b-off", loras=(LoraSpec(str(lora), 0.0),), **base)
    assert np.array_equal(plain, off)


def test_a_community_format_lora_is_converted_and_equals_its_diffusers_twin(warm_engine, loras, tmp_path):
    """The same LoRA saved in the original Wan / ComfyUI key format (diffusion_model.*,
    lora_down / lora_up, alpha): diffusers converts it; the check and the clip agree."""
    from safetensors.torch import load_file, save_file

    names = {"attn1": "self_attn", "attn2": "cross_attn", ".to_q.": ".q.", ".to_k.": ".k.", ".to_v.": ".v.",
             ".to_out.0.": ".o."}
    community = {}
    for key, tensor in load_file(str(loras["attn"])).items():
        name = key.removeprefix("transformer.")
        for ours, theirs in names.items():
            name = name.replace(ours, theirs)
        name = name.replace("lora_A", "lora_down").replace("lora_B", "lora_up")
        community[f"diffusion_model.{name}"] = tensor
        if name.endswith("lora_down.weight"):
            community[f"diffusion_model.{name.removesuffix('.lora_down.weight')}.alpha"] = torch.tensor(
                float(tensor.shape[0]))
    path = tmp_path / "comfy_style.safetensors"
    save_file(community, str(path))
    twin = _clip(warm_engine, tmp_path, "diffusers-format", loras=(LoraSpec(str(loras["attn"]), 1.0),))
    converted = _clip(warm_engine, tmp_path, "community-format", loras=(LoraSpec(str(path), 1.0),))
    assert np.allclose(twin.astype(int), converted.astype(int), atol=1)
