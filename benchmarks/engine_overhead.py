"""Benchmark: the engine's overhead on the CPU.

`engine.generate` (validation, events, an x0 preview PNG at every step, metadata, atomic
MP4) against a bare `WanPipeline.__call__` + diffusers `export_to_video` on the same tiny
weights and arguments. Both warm; runs alternate (ABAB..., order flipped each round) so
drift on a shared machine hits both sides. Prints medians, the ratio (goal <= 1.05x)
and the preview cost as a share of a denoising step (goal < 1%).

    python benchmarks/engine_overhead.py [--rounds 7] [--width 128 --height 128 --frames 17 --steps 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--height", type=int, default=128)
    ap.add_argument("--frames", type=int, default=17)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shotline-bench-"))
    os.environ.setdefault("SHOTLINE_MODELS_DIR", str(work / "models"))
    import diffusers
    import torch
    from diffusers import WanPipeline
    from diffusers.utils import export_to_video

    import engine
    from engine import Engine, GenerationRequest, get_card, resolve_weights

    torch.set_num_threads(args.threads)
    diffusers.utils.logging.disable_progress_bar()
    card = get_card("tiny")
    folder = resolve_weights("tiny")
    bare = WanPipeline.from_pretrained(folder)
    bare.set_progress_bar_config(disable=True)
    eng = Engine()
    prompt = "a paper boat drifting down a rainy street, cinematic"

    def run_bare(seed: int) -> float:
        t = time.perf_counter()
        frames = bare(prompt=prompt, negative_prompt=card.negative_prompt, height=args.height, width=args.width,
                      num_frames=args.frames, num_inference_steps=args.steps, guidance_scale=card.guidance,
                      generator=torch.Generator().manual_seed(seed), output_type="np",
                      max_sequence_length=card.text_encoder_max_tokens).frames[0]
        export_to_video(list(frames), str(work / "bare.mp4"), fps=card.fps)
        return time.perf_counter() - t

    step_times: list[float] = []

    def run_engine(seed: int) -> float:
        stamps: list[float] = []
        eng.embeddings.clear()  # like for like: the bare pipeline encodes the prompt every time too
        t = time.perf_counter()
        eng.generate(GenerationRequest(prompt=prompt, width=args.width, height=args.height, num_frames=args.frames,
                                       steps=args.steps, seed=seed, output_path=str(work / "engine.mp4"),
                                       preview_every=1),
                     on_event=lambda e: stamps.append(time.perf_counter()) if e.type == "step" else None,
                     preview_dir=work / "previews")
        elapsed = time.perf_counter() - t
        step_times.extend(b - a for a, b in zip(stamps, stamps[1:], strict=False))
        return elapsed

    run_bare(0), run_engine(0)  # warm-up: load, first-call allocations
    bare_t, eng_t, preview_t, write_t = [], [], [], []
    for i in range(args.rounds):
        pair = [(bare_t, run_bare), (eng_t, run_engine)]
        for sink, fn in (pair if i % 2 == 0 else pair[::-1]):
            sink.append(fn(i + 1))
            if fn is run_engine:
                n = max(1.0, eng.last_stats["previews"])
                preview_t.append(eng.last_stats["preview_s"] / n)
                write_t.append(eng.last_stats["preview_write_s"] / n)

    mb, me = statistics.median(bare_t), statistics.median(eng_t)
    step = statistics.median(step_times)
    preview = statistics.median(preview_t)
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__} ({args.threads} threads), "
          f"diffusers {diffusers.__version__}, engine {engine.__version__}")
    print(f"tiny model, {args.width}x{args.height}x{args.frames} frames, {args.steps} steps, "
          f"guidance {card.guidance}, {args.rounds} alternating rounds")
    print(f"bare WanPipeline + export_to_video: median {mb:.3f} s  (all: {', '.join(f'{x:.3f}' for x in bare_t)})")
    print(f"engine.generate, preview every step: median {me:.3f} s  (all: {', '.join(f'{x:.3f}' for x in eng_t)})")
    print(f"ratio engine/bare: {me / mb:.3f}x  (goal <= 1.05x)")
    # the same preview in a tight loop on a latent of this shape: less exposed to load spikes
    from engine.preview import LatentPreviewer

    previewer = LatentPreviewer(card.vae_family)
    lat = torch.randn(1, 16, (args.frames - 1) // 4 + 1, args.height // 8, args.width // 8)
    loops = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(200):
            previewer.to_image(lat)
        loops.append((time.perf_counter() - t) / 200)
    tight = min(loops)
    print(f"a denoising step (engine, between StepEvents): median {step * 1e3:.1f} ms")
    print(f"preview in the loop (x0 -> RGB strip -> PIL): median {preview * 1e3:.2f} ms = {100 * preview / step:.2f}% "
          f"of a step; tight loop {tight * 1e3:.3f} ms = {100 * tight / step:.2f}% (goal < 1%)")
    print(f"preview PNG write (event thread, off the loop): median {statistics.median(write_t) * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
