"""engine.text: the tiny planner, built locally (no download) for tests, CI and CPU demos.

A real `Qwen2ForCausalLM` (the Qwen2.5 architecture) with 2 layers and seeded random
weights, and a byte-level BPE tokenizer trained here with `tokenizers` on a fixed corpus,
with Qwen's ChatML special tokens and chat template. Saved once into the models cache and
loaded through `from_pretrained`, exactly like a real model. Its answers are garbage by
design, which is what exercises the studio's JSON validation and fallback."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

TINY_PLANNER_VERSION = "1"
SEED = 4321
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_CORPUS = (
    '{"prompt": "", "shots": [{"text": "", "subject": "", "action": "", "setting": "", "time_of_day": "night", '
    '"camera_size": "medium", "camera_movement": "static", "characters": [], "dialogue": [{"speaker": "", '
    '"text": ""}], "duration_s": 4.0}], "title": ""}',
    "cinematic film still, a young woman walks through a rainy street at night, neon lights, medium shot, "
    "camera follows the subject, soft golden light, close-up, wide shot, aerial view, product on a table",
    "电影质感，一位年轻女子在雨夜的街道上行走，霓虹灯光，中景镜头，镜头跟随主体，柔和的金色光线，特写，远景，航拍",
    "You are a prompt engineer, rewrite the user input into a high-quality prompt for video generation. "
    "Output JSON only. 你是一位Prompt优化师，输出JSON。",
)


def build_tokenizer():  # -> transformers.PreTrainedTokenizerFast
    """A deterministic byte-level BPE tokenizer with ChatML special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=768, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(list(_CORPUS) * 4, trainer=trainer)
    out = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  additional_special_tokens=["<|im_start|>"], model_max_length=8192)
    out.chat_template = CHAT_TEMPLATE
    return out


def build_model(tokenizer):  # -> transformers.Qwen2ForCausalLM
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(SEED)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    pad = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8192,
                         tie_word_embeddings=True, eos_token_id=eos, pad_token_id=pad, bos_token_id=pad)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=pad, do_sample=False)
    return model


def tiny_planner_dir(models_dir: Path) -> Path:
    return Path(models_dir) / f"tiny-planner-v{TINY_PLANNER_VERSION}"


def ensure_tiny_planner(models_dir: Path) -> Path:
    """Build and save the tiny planner once; return its folder. Written into a temporary
    sibling and renamed, so a half-written model is never seen."""
    target = tiny_planner_dir(models_dir)
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tiny-planner-build-", dir=target.parent))
    try:
        tokenizer = build_tokenizer()
        tokenizer.save_pretrained(tmp)
        build_model(tokenizer).save_pretrained(tmp, safe_serialization=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
