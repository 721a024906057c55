"""Benchmark: seconds per denoising step of every real model card's transformer at the
card's default size on one NVIDIA GPU, each speed and memory option as a ratio against
stock diffusers in the same run.

Random weights (speed and memory equal the trained model's), bf16, the card's default
width x height x frames, 512 text tokens, classifier-free guidance (2 forwards per step,
as WanPipeline does), timed steps after warm-up. Per card:
  stock            diffusers defaults (attention through torch SDPA, eager)   - baseline
  exact options    each available attention backend; the fastest + regional compile
  lossy options    fp8 layerwise casting (float8 storage, bf16 compute);
                   draft tier: a rank-64 LoRA on every linear layer (the distilled
                   LoRAs' shape), 4 steps without guidance against the card's steps with
                   guidance, as seconds per clip of denoising
Prints s/step, peak memory and the share of the bf16 floor from the wan-facts.md cost
model (scaled to --peak-tflops; H100 SXM 989, H200 989). Two-expert cards (A14B) hold
both experts, as the pipeline does; a step runs one. Not measured here: GGUF (its speed
depends on the quantised file's block types, not reproducible with random weights) and
the step caches (their skipping follows a trained model's trajectory; with random
weights and a fixed input they would skip every step). Without CUDA it declines, exit 2.

    python benchmarks/engine_gpu.py [--cards all | id,id] [--steps 5] [--json gpu.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEXT_TOKENS = 512
_COMMON = {"added_kv_proj_dim": None, "attention_head_dim": 128, "cross_attn_norm": True, "eps": 1e-06,
           "freq_dim": 256, "image_dim": None, "patch_size": [1, 2, 2], "qk_norm": "rms_norm_across_heads",
           "rope_max_seq_len": 1024, "text_dim": 4096}
# transformer/config.json of each card's Hugging Face repo (the fields that shape compute)
CONFIGS = {
    "wan2.1-t2v-1.3b": {**_COMMON, "ffn_dim": 8960, "num_attention_heads": 12, "num_layers": 30,
                        "in_channels": 16, "out_channels": 16},
    "wan2.1-t2v-14b": {**_COMMON, "ffn_dim": 13824, "num_attention_heads": 40, "num_layers": 40,
                       "in_channels": 16, "out_channels": 16},
    "wan2.2-t2v-a14b": {**_COMMON, "ffn_dim": 13824, "num_attention_heads": 40, "num_layers": 40,
                        "in_channels": 16, "out_channels": 16},
    "wan2.2-ti2v-5b": {**_COMMON, "ffn_dim": 14336, "num_attention_heads": 24, "num_layers": 30,
                       "in_channels": 48, "out_channels": 48},
}
DRAFT_STEPS, DRAFT_RANK = 4, 64


def step_flops(d: int, f: int, n: int, blocks: int, forwards: int = 2, text: int = TEXT_TOKENS) -> float:
    """wan-facts.md cost model: matmul FLOPs of one denoising step (2 per multiply-add)."""
    per_block = 12 * d * d * n + 4 * d * d * text + 4 * d * f * n + 4 * n * n * d + 4 * n * text * d
    return per_block * blocks * forwards


def latent_shape(card, width: int, height: int, frames: int) -> tuple[int, int, int, int]:
    """(channels, latent frames, latent height, latent width) for the card's VAE."""
    stride = 16 if card.vae_family == "wan2.2" else 8
    return CONFIGS[card.id]["in_channels"], (frames - 1) // 4 + 1, height // stride, width // stride


def build(config: dict, dev):
    """A transformer with random weights in bf16, fp32 where diffusers keeps modules fp32."""
    import torch
    from diffusers import WanTransformer3DModel

    with torch.device(dev):
        model = WanTransformer3DModel(**config).to(torch.bfloat16).eval()
    keep = getattr(model, "_keep_in_fp32_modules", None) or []
    for name, module in model.named_modules():
        if name and any(k in name.split(".") for k in keep):
            module.to(torch.float32)
    return model


class Runner:
    """Times CFG denoising steps of one model on fixed random inputs."""

    def __init__(self, args, card, dev):
        import torch

        self.args, self.card, self.dev, self.torch = args, card, dev, torch
        c, t, h, w = latent_shape(card, card.default_width, card.default_height, card.default_frames)
        self.tokens = t * (h // 2) * (w // 2)
        cfg = CONFIGS[card.id]
        d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
        self.flops = step_flops(d, cfg["ffn_dim"], self.tokens, cfg["num_layers"])
        gen = torch.Generator(device=dev).manual_seed(0)
        self.x = torch.randn(1, c, t, h, w, device=dev, dtype=torch.bfloat16, generator=gen)
        self.cond = torch.randn(1, TEXT_TOKENS, 4096, device=dev, dtype=torch.bfloat16, generator=gen)
        self.uncond = torch.randn(1, TEXT_TOKENS, 4096, device=dev, dtype=torch.bfloat16, generator=gen)
        self.t = torch.tensor([500.0], device=dev)

    def forward(self, model, context) -> object:
        return model(hidden_states=self.x, timestep=self.t, encoder_hidden_states=context, return_dict=False)[0]

    def time(self, model, label: str, cfg: bool = True) -> dict:
        torch = self.torch

        def step() -> None:
            a = self.forward(model, self.cond)
            if cfg:
                b = self.forward(model, self.uncond)
                _ = b + 5.0 * (a - b)

        with torch.inference_mode():
            for _ in range(self.args.warmup):
                step()
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            for _ in range(self.args.steps):
                step()
            torch.cuda.synchronize()
        s = (time.perf_counter() - start) / self.args.steps
        flops = self.flops if cfg else self.flops / 2
        row = {"card": self.card.id, "config": label, "s_per_step": s, "cfg": cfg,
               "peak_gib": torch.cuda.max_memory_allocated() / 2**30, "tflops": flops / s / 1e12,
               "share_of_floor": flops / s / (self.args.peak_tflops * 1e12)}
        print(f"  {label:<28} {s:8.3f} s/step  peak {row['peak_gib']:6.1f} GiB  {row['tflops']:6.0f} TFLOP/s  "
              f"{100 * row['share_of_floor']:5.1f}% of the floor", flush=True)
        return row


def add_draft_lora(model) -> None:
    """A rank-64 LoRA on every linear layer of the blocks, as the distilled LoRAs have."""
    from peft import LoraConfig

    targets = ["to_q", "to_k", "to_v", "to_out.0", "ffn.net.0.proj", "ffn.net.2"]
    model.add_adapter(LoraConfig(r=DRAFT_RANK, lora_alpha=DRAFT_RANK, target_modules=targets), adapter_name="draft")


def bench_card(args, card, dev) -> list[dict]:
    torch = __import__("torch")
    runner = Runner(args, card, dev)
    floor = runner.flops / (args.peak_tflops * 1e12)
    print(f"{card.id}: {card.default_width}x{card.default_height}x{card.default_frames} = {runner.tokens} tokens, "
          f"{runner.flops / 1e12:.0f} TFLOP/step with CFG, floor {floor:.2f} s/step at {args.peak_tflops:g} TFLOP/s",
          flush=True)
    experts = 2 if card.two_experts else 1
    models = [build(CONFIGS[card.id], dev) for _ in range(experts)]  # both experts resident, as in the pipeline
    model = models[0]
    stock = runner.time(model, "stock (sdpa, eager)")
    rows = [stock]

    def ratio(row: dict, kind: str) -> dict:
        row.update(kind=kind, vs_stock=stock["s_per_step"] / row["s_per_step"])
        rows.append(row)
        return row

    best = None
    for backend in [b for b in args.backends.split(",") if b]:
        try:
            model.set_attention_backend(backend)
            row = ratio(runner.time(model, f"attention={backend}"), "exact")
        except Exception as err:  # noqa: BLE001 - a backend missing here is a result, not a failure
            print(f"  attention={backend:<18} unavailable here: {str(err).splitlines()[0][:100]}")
            continue
        if best is None or row["s_per_step"] < best[1]["s_per_step"]:
            best = (backend, row)
    model.set_attention_backend(best[0] if best else "native")
    if best is not None and not args.no_compile:
        model.compile_repeated_blocks(fullgraph=True)
        ratio(runner.time(model, f"{best[0]} + compile"), "exact")
        model = build(CONFIGS[card.id], dev)  # a fresh, uncompiled copy for the lossy options
        models[0] = model
    model.set_attention_backend("native")
    try:
        model.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)
        ratio(runner.time(model, "fp8 layerwise casting"), "lossy")
    except Exception as err:  # noqa: BLE001
        print(f"  fp8 layerwise casting unavailable: {str(err).splitlines()[0][:100]}")
    model = models[0] = build(CONFIGS[card.id], dev)
    add_draft_lora(model)
    lora = runner.time(model, f"rank-{DRAFT_RANK} LoRA, no CFG", cfg=False)
    final_clip = card.steps * stock["s_per_step"]
    draft_clip = DRAFT_STEPS * lora["s_per_step"]
    lora.update(kind="lossy", config=f"draft tier ({DRAFT_STEPS} steps, no CFG, LoRA)", s_per_clip=draft_clip,
                stock_s_per_clip=final_clip, vs_stock=final_clip / draft_clip)
    rows.append(lora)
    print(f"  draft tier: {draft_clip:.1f} s of denoising per clip against {final_clip:.1f} s for the card's "
          f"{card.steps} steps with CFG: {final_clip / draft_clip:.1f}x", flush=True)
    del models, model
    torch.cuda.empty_cache()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", default="all", help="all, or card ids separated by commas")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="bf16 dense peak of the GPU (H100/H200 SXM: 989)")
    ap.add_argument("--backends", default="native,_native_cudnn,_native_flash,flash,_flash_3,sage")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args()

    import torch

    if not torch.cuda.is_available():
        print("engine_gpu: this benchmark needs an NVIDIA GPU with CUDA, and this machine has none; "
              "run it where one is available.", file=sys.stderr)
        return 2
    import diffusers

    from engine import get_card

    ids = list(CONFIGS) if args.cards == "all" else [c.strip() for c in args.cards.split(",") if c.strip()]
    unknown = [c for c in ids if c not in CONFIGS]
    if unknown:
        print(f"engine_gpu: --cards {','.join(unknown)} is not accepted: all, or some of {', '.join(CONFIGS)}.",
              file=sys.stderr)
        return 2
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    print(f"device: {props.name} ({props.total_memory / 2**30:.0f} GiB), torch {torch.__version__}, "
          f"CUDA {torch.version.cuda}, diffusers {diffusers.__version__}", flush=True)
    rows, skipped = [], {}
    for card_id in ids:
        card = get_card(card_id)
        try:
            rows += bench_card(args, card, dev)
        except torch.OutOfMemoryError:
            skipped[card_id] = "out of GPU memory at the default size"
            print(f"{card_id}: skipped, out of GPU memory", flush=True)
            torch.cuda.empty_cache()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"device": props.name, "torch": torch.__version__, "diffusers": diffusers.__version__,
                       "peak_tflops": args.peak_tflops, "rows": rows, "skipped": skipped}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
