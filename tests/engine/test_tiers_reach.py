"""Quality tiers, the embedding cache and memory modes on the real tiny model: the draft
tier runs the card's steps and guidance with its distilled LoRA and says so; re-make as
final; the cache is hit by the second variant and changes nothing; auto picks a memory
mode per card from free VRAM and RAM; the lossy modes that run on a CPU do."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import (
    GenerationRequest,
    InvalidRequest,
    StepEvent,
    get_card,
    read_frames,
    read_metadata,
    resolve_request,
)
from engine.memory import pick_memory_mode, resolve_memory_mode
from engine.quantize import MEMORY_MODE_INFO, group_offload_on


def test_draft_tier_runs_the_cards_steps_and_guidance_and_records_its_tier(warm_engine, tmp_path):
    events = []
    result = warm_engine.generate(GenerationRequest(prompt="a paper boat", seed=5, tier="draft",
                                                    output_path=str(tmp_path / "draft.mp4")), on_event=events.append)
    draft = get_card("tiny").draft
    assert [e.step for e in events if isinstance(e, StepEvent)] == list(range(1, draft["steps"] + 1))
    meta = read_metadata(result.video_path)
    assert (meta["tier"], meta["steps"], meta["guidance"]) == ("draft", draft["steps"], draft["guidance"])
    assert [m["role"] for m in meta["loras"]] == ["draft"]
    final = warm_engine.generate(GenerationRequest(prompt="a paper boat", seed=5, steps=draft["steps"], guidance=1.0,
                                                   output_path=str(tmp_path / "final.mp4")))
    # same steps and guidance without the distilled LoRA: another clip, so the LoRA did run
    assert not np.array_equal(read_frames(result.video_path), read_frames(final.video_path))
    assert read_metadata(final.video_path)["tier"] == "final"


def test_draft_tier_of_the_real_cards_without_weights():
    a14b = resolve_request(GenerationRequest(prompt="x", model="wan2.2-t2v-a14b", tier="draft"))
    assert (a14b.steps, a14b.guidance, a14b.guidance_2) == (4, 1.0, 1.0)
    lora = a14b.loras[0]
    assert lora.role == "draft" and lora.source.startswith("hf:lightx2v/") and "high_noise" in lora.source
    assert "low_noise" in lora.source_2 and lora.path is None  # fetched by the worker
    assert resolve_request(GenerationRequest(prompt="x", model="wan2.1-t2v-14b", tier="draft")).steps == 4
    with pytest.raises(InvalidRequest, match="tier 'draft' is not accepted: final for wan2.1-t2v-1.3b, whose card"):
        resolve_request(GenerationRequest(prompt="x", model="wan2.1-t2v-1.3b", tier="draft"))
    with pytest.raises(InvalidRequest, match="tier 'fast' is not accepted: one of final, draft"):
        resolve_request(GenerationRequest(prompt="x", tier="fast"))


def test_remake_as_final_keeps_prompt_seed_and_loras(tmp_path):
    from studio.jobs.remake import remake_params

    draft = {"prompt": "a boat", "model": "tiny", "seed": 9, "tier": "draft", "steps": 2, "guidance": 1.0,
             "loras": [{"source": "a.safetensors", "scale": 0.5, "source_2": None}], "width": 64}
    final = remake_params(draft, "final")
    assert final == {"prompt": "a boat", "model": "tiny", "seed": 9, "tier": "final", "width": 64,
                     "loras": [{"source": "a.safetensors", "scale": 0.5, "source_2": None}]}
    r = resolve_request(GenerationRequest.from_dict({**final, "loras": []}))
    assert (r.steps, r.guidance, r.seed) == (get_card("tiny").steps, get_card("tiny").guidance, 9)


def test_embedding_cache_is_hit_by_the_second_variant_and_changes_nothing(warm_engine, tmp_path):
    prompt = "a kite over the sea, variant test"
    warm_engine.generate(GenerationRequest(prompt=prompt, seed=1, preview_every=0, output_path=str(tmp_path / "1.mp4")))
    assert warm_engine.last_stats["embedding_cache_hit"] == 0.0
    hits = warm_engine.embeddings.hits
    warm_engine.generate(GenerationRequest(prompt=prompt, seed=2, preview_every=0, output_path=str(tmp_path / "2.mp4")))
    assert warm_engine.last_stats["embedding_cache_hit"] == 1.0 and warm_engine.embeddings.hits == hits + 1
    # identical to the pipeline encoding the prompt itself
    pipe, card = warm_engine._pipe, get_card("tiny")
    positive, negative, hit = warm_engine.embeddings.embeddings(pipe, ("tiny", "cpu"), prompt, card.negative_prompt,
                                                                card.guidance, card.text_encoder_max_tokens)
    common = dict(height=64, width=64, num_frames=9, num_inference_steps=2, guidance_scale=card.guidance,
                  output_type="np", max_sequence_length=card.text_encoder_max_tokens)
    with torch.inference_mode():
        own = pipe(prompt=prompt, negative_prompt=card.negative_prompt,
                   generator=torch.Generator().manual_seed(4), **common).frames[0]
        cached = pipe(prompt_embeds=positive, negative_prompt_embeds=negative,
                      generator=torch.Generator().manual_seed(4), **common).frames[0]
    assert hit and np.array_equal(own, cached)


# free VRAM GB, free RAM GB -> mode, per card (card figures: presets/models/*.json vram_gb / ram_gb)
CHOICES = {
    "wan2.1-t2v-1.3b": [(80, 64, "gpu"), (24, 64, "gpu"), (12, 64, "model_offload"), (6, 64, "group_offload"),
                        (2, 64, "sequential_offload")],
    "wan2.1-t2v-14b": [(80, 128, "gpu"), (48, 128, "model_offload"), (24, 64, "group_offload"),
                       (24, 32, "fp8_layerwise"), (16, 64, "group_offload"), (6, 32, "sequential_offload")],
    "wan2.2-t2v-a14b": [(141, 256, "gpu"), (80, 128, "model_offload"), (24, 96, "group_offload"),
                        (24, 64, "fp8_layerwise"), (24, None, "group_offload"), (8, 64, "sequential_offload")],
    "wan2.2-ti2v-5b": [(40, 64, "gpu"), (28, 64, "model_offload"), (24, 64, "group_offload"), (24, 24, "fp8_layerwise")],
    "tiny": [(1, 1, "gpu")],
}


@pytest.mark.parametrize("model,free_gb,free_ram,mode",
                         [(m, v, r, mode) for m, rows in CHOICES.items() for v, r, mode in rows])
def test_auto_memory_mode_per_card(model, free_gb, free_ram, mode):
    assert pick_memory_mode(get_card(model), free_gb, free_ram) == mode


def test_gguf_is_chosen_only_where_the_card_names_a_file():
    card = get_card("wan2.1-t2v-14b")
    assert card.gguf and card.vram_gb["gguf"] > card.vram_gb["fp8_layerwise"]
    with pytest.raises(InvalidRequest, match="wan2.1-t2v-1.3b's card names no GGUF file"):
        resolve_memory_mode(get_card("wan2.1-t2v-1.3b"), "gguf", "cpu")
    assert resolve_memory_mode(get_card("tiny"), "gguf", "cpu") == "gguf"
    with pytest.raises(InvalidRequest, match="torchao"):
        resolve_memory_mode(card, "torchao_int8", "cpu")


def test_every_memory_mode_is_labelled_exact_or_lossy():
    from engine.types import MEMORY_MODES

    assert {m["mode"] for m in MEMORY_MODE_INFO} == set(MEMORY_MODES) - {"auto"}
    for info in MEMORY_MODE_INFO:
        assert info["what"] and info["needs"]
        assert ("trades quality" in info["label"]) == (not info["exact"])


def test_fp8_layerwise_runs_on_the_cpu_close_to_exact(warm_engine, tmp_path):
    from engine import Engine

    exact = _frames(warm_engine, tmp_path, "exact", "auto")
    fp8_engine = Engine()
    fp8 = _frames(fp8_engine, tmp_path, "fp8", "fp8_layerwise")
    assert fp8_engine.loaded_key[1] == "fp8_layerwise"
    assert fp8_engine._pipe.transformer.blocks[0].attn1.to_q.weight.dtype == torch.float8_e4m3fn
    diff = np.abs(exact.astype(float) - fp8.astype(float))
    assert 0 < diff.mean() < 8  # lossy, but the same clip within a few grey levels
    # a LoRA on fp8 layers keeps its own weights exact (peft would store them in float8)
    draft_fp8 = _frames(fp8_engine, tmp_path, "draft-fp8", "fp8_layerwise", tier="draft")
    lora = [p for n, p in fp8_engine._pipe.transformer.named_parameters() if ".lora_B." in n]
    assert lora and all(p.dtype == torch.float32 and p.abs().max() > 0 for p in lora)
    draft_exact = _frames(warm_engine, tmp_path, "draft-exact", "auto", tier="draft")
    assert np.abs(draft_fp8.astype(float) - draft_exact.astype(float)).mean() < 8


def test_gguf_runs_on_the_cpu_from_a_locally_built_q8_file(warm_engine, tmp_path):
    from diffusers.quantizers.gguf.utils import GGUFParameter

    from engine import Engine

    exact = _frames(warm_engine, tmp_path, "exact", "auto")
    gguf_engine = Engine()
    quantised = _frames(gguf_engine, tmp_path, "gguf", "gguf")
    weight = gguf_engine._pipe.transformer.blocks[0].ffn.net[2].weight  # 32 wide: stored as Q8_0
    assert isinstance(weight, GGUFParameter) and weight.quant_type.name == "Q8_0"
    assert 0 < np.abs(exact.astype(float) - quantised.astype(float)).mean() < 8
    draft = _frames(gguf_engine, tmp_path, "gguf-draft", "gguf", tier="draft")  # a LoRA on GGUF layers
    assert not np.array_equal(draft, quantised)


def test_group_offload_hooks_run_on_the_cpu_and_keep_the_maths(tiny_model_dir):
    from diffusers import WanPipeline

    def run(pipe):
        with torch.inference_mode():
            return pipe(prompt="a kite", height=64, width=64, num_frames=9, num_inference_steps=2, output_type="np",
                        generator=torch.Generator().manual_seed(1)).frames[0]

    pipe = WanPipeline.from_pretrained(tiny_model_dir)
    pipe.set_progress_bar_config(disable=True)
    plain = run(pipe)
    group_offload_on(pipe, "cpu", use_stream=False)  # streams need CUDA; the hooks and the grouping run here
    assert np.array_equal(plain, run(pipe))


def _frames(engine, tmp_path, name, mode, **kw):
    request = GenerationRequest(prompt="a kite", seed=11, preview_every=0, memory_mode=mode,
                                output_path=str(tmp_path / f"{name}.mp4"), **kw)
    return read_frames(engine.generate(request).video_path)


def test_models_show_lists_each_modes_needs_and_the_draft_tier(capsys):
    from studio.cli import main

    assert main(["models", "show", "wan2.1-t2v-14b"]) == 0
    out = capsys.readouterr().out
    assert "fp8_layerwise       lossy  20       27" in out and "group_offload       exact  13       42" in out
    assert "draft tier: 4 steps, guidance 1, LoRA lightx2v/Wan2.1-Distill-Loras/" in out
    assert main(["models", "show", "wan2.1-t2v-1.3b"]) == 0
    assert "draft tier: none" in capsys.readouterr().out
