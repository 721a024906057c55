"""One full-size Wan transformer, built from its real configuration (Wan2.1-T2V-1.3B:
30 blocks, 12 heads of 128, FFN 8960, text_dim 4096, about 1.42 B parameters) with random
bf16 weights, runs one denoising step with classifier-free guidance through diffusers'
`WanPipeline` at the smallest size (64x64, one frame, 64 text tokens). The tiny models share this wiring at
toy widths; this checks it holds at the real widths (4096-wide text states into
1536-wide blocks, 128-dim heads, the real RoPE split). Skipped where memory is short."""

from __future__ import annotations

import os
import time

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# diffusers' conversion script (scripts/convert_wan_to_diffusers.py, "Wan-T2V-1.3B")
WAN21_T2V_13B = {
    "added_kv_proj_dim": None, "attention_head_dim": 128, "cross_attn_norm": True, "eps": 1e-06, "ffn_dim": 8960,
    "freq_dim": 256, "in_channels": 16, "num_attention_heads": 12, "num_layers": 30, "out_channels": 16,
    "patch_size": [1, 2, 2], "qk_norm": "rms_norm_across_heads", "text_dim": 4096,
}
NEEDED_GB = 6.0  # 2.8 GB of bf16 weights, plus the step's activations and headroom


def _available_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")) / 1024**3


def _random_full_size_transformer():
    """The real architecture with seeded random bf16 weights, allocated once (no fp32 copy).
    Drawing 1.4 B normal samples takes over a minute on a busy CPU, so each tensor is a
    seeded random window into one bank of 16 M samples: random-looking weights at the cost
    of a copy (the speed of a step does not depend on the values)."""
    import torch
    from accelerate import init_empty_weights
    from accelerate.utils import set_module_tensor_to_device
    from diffusers import WanTransformer3DModel

    with init_empty_weights():  # parameters on the meta device; RoPE buffers stay real
        model = WanTransformer3DModel.from_config(WAN21_T2V_13B)
    gen = torch.Generator().manual_seed(0)
    bank_size = 1 << 24
    bank = torch.empty(2 * bank_size, dtype=torch.bfloat16).normal_(0.0, 0.02, generator=gen)
    for name, param in list(model.named_parameters()):
        n = param.numel()
        if name.endswith(("norm.weight", "norm_q.weight", "norm_k.weight", "norm2.weight")):
            value = torch.ones(param.shape, dtype=torch.bfloat16)
        else:
            flat = torch.empty(n, dtype=torch.bfloat16)
            for start in range(0, n, bank_size):
                size = min(bank_size, n - start)
                offset = int(torch.randint(0, bank_size, (1,), generator=gen))
                flat[start:start + size] = bank[offset:offset + size]
            value = flat.view(param.shape)
        set_module_tensor_to_device(model, name, "cpu", value=value, dtype=torch.bfloat16)
    return model.eval()


def test_wan21_13b_transformer_runs_one_step_at_full_width(tmp_path):
    if _available_gb() < NEEDED_GB:
        pytest.skip(f"needs about {NEEDED_GB:g} GB of free memory for a 1.4 B-parameter transformer in bf16; "
                    f"this machine has {_available_gb():.1f} GB available")
    import torch
    from diffusers import WanPipeline
    from transformers import UMT5Config, UMT5EncoderModel

    from engine.tiny import build_tokenizer
    from engine.tiny_arch import _scheduler, _vae21

    t0 = time.perf_counter()
    transformer = _random_full_size_transformer()
    params = sum(p.numel() for p in transformer.parameters())
    assert 1.3e9 < params < 1.5e9 and transformer.dtype == torch.bfloat16
    tokenizer = build_tokenizer()
    torch.manual_seed(0)
    # a one-layer encoder of UMT5-XXL's width (4096), so the text states have the real shape
    text_encoder = UMT5EncoderModel(UMT5Config(vocab_size=len(tokenizer), d_model=4096, d_kv=64, d_ff=256,
                                               num_layers=1, num_heads=4, feed_forward_proj="gated-gelu",
                                               relative_attention_num_buckets=8, relative_attention_max_distance=32,
                                               pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                                               decoder_start_token_id=0)).to(torch.bfloat16).eval()
    pipe = WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae21(), scheduler=_scheduler(),
                       transformer=transformer)
    pipe.set_progress_bar_config(disable=True)
    shapes = []
    handle = transformer.register_forward_hook(lambda _m, _a, out: shapes.append(tuple(out[0].shape)))
    threads = torch.get_num_threads()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    try:
        with torch.inference_mode():
            out = pipe(prompt="a lighthouse at dusk", negative_prompt="blurry", height=64, width=64, num_frames=1,
                       num_inference_steps=1, guidance_scale=5.0, output_type="np", max_sequence_length=64,
                       generator=torch.Generator().manual_seed(0)).frames[0]
    finally:
        torch.set_num_threads(threads)
        handle.remove()
    assert shapes == [(1, 16, 1, 8, 8)] * 2  # conditional and unconditional forward, one step
    assert out.shape == (1, 64, 64, 3)
    assert torch.isfinite(torch.from_numpy(out)).all()
    print(f"full-size 1.3B transformer, one CFG step at 64x64x1 on CPU: {time.perf_counter() - t0:.1f} s in all")
