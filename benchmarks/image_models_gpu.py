"""Benchmark: seconds per denoising step and peak GPU memory of the full-size image and
reference models (issue 13), with random bf16 weights (speed and memory equal the
trained models'), through their real transformer configurations:

  i2v-a14b   Wan2.2 I2V-A14B: two 14B experts (36 input channels), both resident; one
             step of each expert at 1280x720x81 (a step runs one expert, chosen by the
             0.900 boundary), classifier-free guidance (2 forwards/step)
  ti2v-5b    Wan2.2 TI2V-5B: 48 channels, 1280x704x121 (the 4x16x16 VAE's latents), the
             per-token timesteps of expand_timesteps (frame 0 at t=0)
  vace-1.3b  Wan2.1 VACE-1.3B at 832x480x81 with a 96-channel control video and one
             reference frame (15 VACE blocks)
  vace-14b   Wan2.1 VACE-14B at 1280x720x81, same conditioning (8 VACE blocks)

Transformer only (the VAE encode/decode and the text encoder run once per clip and are
not in s/step); peak memory is the transformer's weights plus one step's activations.
Prints each model's s/step against the floor of the cost model in wan-facts.md (the
baseline, side by side). Without CUDA it declines and exits with code 2; `--tiny` runs
the same code on toy widths on the CPU, to check the script itself.

    python benchmarks/image_models_gpu.py [--models i2v-a14b,ti2v-5b,vace-1.3b,vace-14b] [--steps 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

BASE = {"added_kv_proj_dim": None, "attention_head_dim": 128, "cross_attn_norm": True, "eps": 1e-06, "freq_dim": 256,
        "patch_size": [1, 2, 2], "qk_norm": "rms_norm_across_heads", "text_dim": 4096}
W14 = {"ffn_dim": 13824, "num_attention_heads": 40, "num_layers": 40}
# diffusers' scripts/convert_wan_to_diffusers.py for each checkpoint
MODELS = {
    "i2v-a14b": {"cls": "WanTransformer3DModel", "experts": 2, "size": (1280, 720, 81), "vae": (4, 8, 16),
                 "config": {**BASE, **W14, "in_channels": 36, "out_channels": 16}},
    "ti2v-5b": {"cls": "WanTransformer3DModel", "experts": 1, "size": (1280, 704, 121), "vae": (4, 16, 48),
                "config": {**BASE, "ffn_dim": 14336, "num_attention_heads": 24, "num_layers": 30, "in_channels": 48,
                           "out_channels": 48}},
    "vace-1.3b": {"cls": "WanVACETransformer3DModel", "experts": 1, "size": (832, 480, 81), "vae": (4, 8, 16),
                  "config": {**BASE, "ffn_dim": 8960, "num_attention_heads": 12, "num_layers": 30, "in_channels": 16,
                             "out_channels": 16, "vace_layers": list(range(0, 30, 2)), "vace_in_channels": 96}},
    "vace-14b": {"cls": "WanVACETransformer3DModel", "experts": 1, "size": (1280, 720, 81), "vae": (4, 8, 16),
                 "config": {**BASE, **W14, "in_channels": 16, "out_channels": 16,
                            "vace_layers": list(range(0, 40, 5)), "vace_in_channels": 96}},
}
TEXT_TOKENS = 512


def tiny_variant(spec: dict) -> dict:
    """The same model kind at toy widths (for --tiny on a CPU)."""
    config = {**spec["config"], "attention_head_dim": 8, "num_attention_heads": 2, "ffn_dim": 32, "num_layers": 4,
              "text_dim": 32}
    if "vace_layers" in config:
        config["vace_layers"] = [0, 2]
    return {**spec, "config": config, "size": (64, 64, 9)}


def step_flops(d: int, f: int, n: int, blocks: int, text: int = TEXT_TOKENS) -> float:
    """wan-facts.md cost model, one CFG step (2 forwards), matmul FLOPs."""
    per_block = 12 * d * d * n + 4 * d * d * text + 4 * d * f * n + 4 * n * n * d + 4 * n * text * d
    return per_block * blocks * 2


def build(spec: dict, dev, dtype):
    import diffusers
    import torch

    cls = getattr(diffusers, spec["cls"])
    torch.manual_seed(0)
    with torch.device(dev):
        models = [cls(**spec["config"]).to(dtype).eval() for _ in range(spec["experts"])]
    for model in models:  # as from_pretrained(torch_dtype=bf16) does: the fp32 modules stay fp32
        keep = getattr(model, "_keep_in_fp32_modules", None) or []
        for name, module in model.named_modules():
            if name and any(k in name.split(".") for k in keep):
                module.to(torch.float32)
    return models


def inputs(spec: dict, dev, dtype, text_dim: int):
    import torch

    width, height, frames = spec["size"]
    t_stride, s_stride, channels = spec["vae"]
    lat = (1, channels, (frames - 1) // t_stride + 1, height // s_stride, width // s_stride)
    gen = torch.Generator(device=dev).manual_seed(0)
    x = torch.randn(*lat, device=dev, dtype=dtype, generator=gen)
    if spec["config"]["in_channels"] == 36:  # I2V: noise + 4 mask channels + 16 condition channels
        x = torch.cat([x, torch.ones(1, 4, *lat[2:], device=dev, dtype=dtype),
                       torch.randn(*lat, device=dev, dtype=dtype, generator=gen)], dim=1)
    extra = {}
    if "vace_layers" in spec["config"]:  # one reference frame in front, and a 96-channel control video
        x = torch.cat([x[:, :, :1], x], dim=2)
        control = torch.randn(1, 96, *x.shape[2:], device=dev, dtype=dtype, generator=gen)
        extra = {"control_hidden_states": control,
                 "control_hidden_states_scale": torch.ones(len(spec["config"]["vace_layers"]), device=dev)}
    cond = torch.randn(1, TEXT_TOKENS, text_dim, device=dev, dtype=dtype, generator=gen)
    uncond = torch.randn(1, TEXT_TOKENS, text_dim, device=dev, dtype=dtype, generator=gen)
    if spec["vae"][2] == 48:  # expand_timesteps: frame 0 clean (t = 0), the rest at t
        p = x.shape[3] // 2 * (x.shape[4] // 2)
        t = torch.full((1, x.shape[2] * p), 500.0, device=dev)
        t[:, :p] = 0
    else:
        t = torch.tensor([500.0], device=dev)
    tokens = x.shape[2] * (x.shape[3] // 2) * (x.shape[4] // 2)
    return x, cond, uncond, t, extra, tokens


def measure(name: str, spec: dict, args, dev, dtype) -> list[dict]:
    import torch

    cuda = dev.type == "cuda"
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    models = build(spec, dev, dtype)
    x, cond, uncond, t, extra, tokens = inputs(spec, dev, dtype, spec["config"]["text_dim"])
    c = spec["config"]
    d = c["attention_head_dim"] * c["num_attention_heads"]
    flops = step_flops(d, c["ffn_dim"], tokens, c["num_layers"])
    rows = []
    for i, model in enumerate(models):

        def one_step(model=model) -> None:
            a = model(hidden_states=x, timestep=t, encoder_hidden_states=cond, return_dict=False, **extra)[0]
            b = model(hidden_states=x, timestep=t, encoder_hidden_states=uncond, return_dict=False, **extra)[0]
            _ = b + 5.0 * (a - b)

        with torch.inference_mode():
            for _ in range(args.warmup):
                one_step()
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(args.steps):
                one_step()
            if cuda:
                torch.cuda.synchronize()
        s = (time.perf_counter() - start) / args.steps
        floor = flops / (args.peak_tflops * 1e12)
        params = sum(p.numel() for p in model.parameters())
        peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")
        label = f"{name}" + (f" expert {i + 1}" if len(models) > 1 else "")
        rows.append({"model": label, "tokens": tokens, "params_b": params / 1e9, "s_per_step": s, "floor_s": floor,
                     "share_of_peak": floor / s, "peak_gib": peak})
        print(f"{label:<20} {params / 1e9:5.2f} B  {tokens:6d} tokens  {s:8.3f} s/step  floor {floor:7.3f} s  "
              f"({100 * floor / s:4.1f}% of peak)  peak {peak:6.1f} GiB", flush=True)
    del models
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="bf16 dense peak (H100/H200 SXM: 989)")
    ap.add_argument("--tiny", action="store_true", help="toy widths on the CPU: checks this script, measures nothing")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        print(f"image_models_gpu: model(s) {unknown} are not known; accepted: {', '.join(MODELS)}.", file=sys.stderr)
        return 2
    import torch

    if args.tiny:
        dev, dtype = torch.device("cpu"), torch.float32
    elif not torch.cuda.is_available():
        print("image_models_gpu: this benchmark needs an NVIDIA GPU with CUDA, and this machine has none; run it "
              "where one is available (or --tiny to check the script on a CPU).", file=sys.stderr)
        return 2
    else:
        dev, dtype = torch.device("cuda"), torch.bfloat16
        props = torch.cuda.get_device_properties(dev)
        import diffusers

        print(f"device: {props.name} ({props.total_memory / 2**30:.0f} GiB), torch {torch.__version__}, "
              f"CUDA {torch.version.cuda}, diffusers {diffusers.__version__}")
    rows = []
    for name in names:
        spec = tiny_variant(MODELS[name]) if args.tiny else MODELS[name]
        rows += measure(name, spec, args, dev, dtype)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
