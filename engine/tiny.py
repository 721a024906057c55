"""engine: the tiny Wan model, built locally (no download), for tests, CI and CPU demos.

It is a real `WanPipeline` in diffusers format with seeded random weights: a 2-layer
UMT5 encoder, a byte-level BPE tokenizer trained here with `tokenizers` and saved as a
transformers tokenizer, a 2-block `WanTransformer3DModel` and a small
`AutoencoderKLWan` (shapes after diffusers' tests/pipelines/wan/test_wan.py), and the
same UniPC flow-matching scheduler config as the real Wan 2.1 repos. It is saved once
into the models cache and then loaded through `WanPipeline.from_pretrained`, exactly
like the real models. Its videos are noise, by design.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Bump when the recipe changes, so an old cached build is not reused.
TINY_VERSION = "1"
TINY_SEED = 1234

_CORPUS_WORDS = (
    "a the of and in on with at by from to for over under through into near beside "
    "cat dog bird horse fish person woman man child girl boy robot car train ship plane "
    "city street forest river ocean mountain beach desert field sky cloud rain snow sun moon "
    "night day morning evening light shadow fire water smoke dust glass metal wood stone "
    "red orange yellow green blue purple pink white black gold silver "
    "walks runs flies swims jumps dances turns looks smiles waves drives falls rises glows "
    "slow fast close wide aerial tracking shot camera pan tilt zoom dolly handheld "
    "cinematic realistic anime watercolor vintage film grain soft sharp bright dark warm cold "
    "product bottle coffee cup phone shoe watch logo brand studio table kitchen office "
    "quality detail motion static blurry overexposed subtitles worst low jpeg ugly"
)
_CORPUS_ZH = "色调艳丽过曝静态细节模糊不清字幕风格作品画作画面静止整体发灰最差质量低质量压缩残留丑陋残缺多余手指"


def _corpus() -> list[str]:
    words = _CORPUS_WORDS.split()
    lines = []
    for i in range(len(words)):
        lines.append(" ".join(words[i : i + 7]))
    lines.append(_CORPUS_ZH)
    lines.append("0 1 2 3 4 5 6 7 8 9 , . ! ? ' \" - :")
    return lines


def build_tokenizer():  # -> transformers.PreTrainedTokenizerFast
    """A byte-level BPE tokenizer trained on a fixed corpus (deterministic), with T5's
    special tokens and an end-of-sequence token appended like UMT5's tokenizer does."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    eos = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=512
    )


def text_parts():  # -> (tokenizer, transformers.UMT5EncoderModel)
    """The tiny tokenizer and its seeded UMT5 text encoder, shared by every tiny architecture."""
    import torch
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = build_tokenizer()
    torch.manual_seed(TINY_SEED)
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
            relative_attention_num_buckets=8, relative_attention_max_distance=32, feed_forward_proj="gated-gelu",
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=0,
        )
    ).eval()
    return tokenizer, text_encoder


def build_pipeline():  # -> diffusers.WanPipeline
    """The tiny pipeline in memory; every component is seeded, so two builds are equal."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel

    tokenizer, text_encoder = text_parts()
    torch.manual_seed(TINY_SEED + 1)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    ).eval()
    torch.manual_seed(TINY_SEED + 2)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    ).eval()
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0, num_train_timesteps=1000,
        solver_order=2, predict_x0=True, solver_type="bh2", lower_order_final=True, final_sigmas_type="zero",
    )
    return WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler)


def tiny_dir(models_dir: Path) -> Path:
    return Path(models_dir) / f"tiny-v{TINY_VERSION}"


def ensure_tiny(models_dir: Path) -> Path:
    """Build and save the tiny model into `models_dir` once; return its folder.

    Saved into a temporary sibling and renamed, so a half-written model is never seen
    and two processes building at once both end with one complete copy."""
    target = tiny_dir(models_dir)
    if (target / "model_index.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tiny-build-", dir=target.parent))
    try:
        build_pipeline().save_pretrained(tmp, safe_serialization=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "model_index.json").is_file():  # someone else's build won only if complete
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
