"""Benchmark: the draft tier and the embedding cache on the CPU (tiny model).

1. Draft vs final: `engine.generate` at tier "final" (the card's steps with classifier-free
   guidance) against tier "draft" (the card's distilled stand-in LoRA, its few steps, no
   guidance) on the same warm engine, prompt and seed. The real cards' ratio is larger
   (40-50 steps with CFG against 4 without: about 20x on the transformer); the tiny card's
   draft is 2 steps against 4, so its ratio shows the mechanism, not the real gain.
2. Embedding cache: the same request with a fresh prompt each time (a miss: the text
   encoder runs) against a second seed of a prompt already encoded (a hit), and the time
   the encoder took on the misses.
Runs alternate (ABAB..., order flipped each round) so drift on a shared machine hits both
sides. Prints medians and ratios; --json writes them.

    python benchmarks/engine_tiers.py [--rounds 7] [--width 128 --height 128 --frames 17]
"""

from __future__ import annotations

import argparse
import json
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
    ap.add_argument("--threads", type=int, default=1, help="1: the tiny model's ops are too small for more")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shotline-bench-"))
    os.environ.setdefault("SHOTLINE_MODELS_DIR", str(work / "models"))
    import diffusers
    import torch

    from engine import Engine, GenerationRequest, get_card

    torch.set_num_threads(args.threads)
    diffusers.utils.logging.disable_progress_bar()
    card = get_card("tiny")
    eng = Engine()
    base = dict(width=args.width, height=args.height, num_frames=args.frames, preview_every=0,
                output_path=str(work / "clip.mp4"))

    def run(**kw) -> tuple[float, dict]:
        """Seconds for the whole clip; stats gain `denoise_s` (the steps alone: the last
        step's elapsed time less the prompt encoding that precedes the loop)."""
        steps = []
        t = time.perf_counter()
        eng.generate(GenerationRequest(**{**base, **kw}), on_event=lambda e: steps.append(e) if e.type == "step" else None)
        elapsed = time.perf_counter() - t
        stats = dict(eng.last_stats)
        stats["denoise_s"] = steps[-1].elapsed_s - stats["encode_s"]
        return elapsed, stats

    prompt = "a paper boat drifting down a rainy street, cinematic"
    run(prompt=prompt, seed=0)  # warm: load the pipeline, the draft LoRA and the cache
    run(prompt=prompt, seed=0, tier="draft")
    times: dict[str, list[float]] = {"final": [], "draft": [], "miss": [], "hit": [], "final_denoise": [],
                                     "draft_denoise": []}
    encode_miss: list[float] = []
    for i in range(args.rounds):
        pair = [("final", {}), ("draft", {"tier": "draft"})]
        for name, extra in pair if i % 2 == 0 else pair[::-1]:
            elapsed, stats = run(prompt=prompt, seed=i + 1, **extra)
            times[name].append(elapsed)
            times[f"{name}_denoise"].append(stats["denoise_s"])
        cache_pair = [("miss", f"{prompt}, take {i}"), ("hit", prompt)]
        for name, text in cache_pair if i % 2 == 0 else cache_pair[::-1]:
            elapsed, stats = run(prompt=text, seed=i + 1)
            assert stats["embedding_cache_hit"] == (1.0 if name == "hit" else 0.0)
            times[name].append(elapsed)
            if name == "miss":
                encode_miss.append(stats["encode_s"])
    med = {k: statistics.median(v) for k, v in times.items()}
    draft = card.draft
    print(f"tiny model, {args.width}x{args.height}x{args.frames}, {args.rounds} rounds, {args.threads} threads, "
          f"torch {torch.__version__}, diffusers {diffusers.__version__}")
    print(f"final ({card.steps} steps, guidance {card.guidance:g}): {med['final']:.3f} s/clip, "
          f"denoising {med['final_denoise']:.3f} s")
    print(f"draft ({draft['steps']} steps, guidance {draft['guidance']:g}, distilled LoRA): {med['draft']:.3f} s/clip, "
          f"denoising {med['draft_denoise']:.3f} s")
    print(f"draft vs final: {med['final'] / med['draft']:.2f}x per clip, "
          f"{med['final_denoise'] / med['draft_denoise']:.2f}x on the denoising steps")
    print(f"embedding cache: miss {med['miss']:.3f} s/clip, hit {med['hit']:.3f} s/clip "
          f"({med['miss'] / med['hit']:.3f}x); the text encoder took {statistics.median(encode_miss) * 1000:.1f} ms "
          "per miss")
    if args.json:
        Path(args.json).write_text(json.dumps({"medians_s": med, "encode_miss_s": statistics.median(encode_miss),
                                               "draft_speedup": med["final"] / med["draft"],
                                               "draft_denoise_speedup": med["final_denoise"] / med["draft_denoise"],
                                               "cache_speedup": med["miss"] / med["hit"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
