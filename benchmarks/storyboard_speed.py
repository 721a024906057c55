"""Benchmark: a 10,000-character script (Chinese, English and mixed scripts from the test
corpus, repeated) split into shots and composed into prompts, against the 100 ms goal.

Prints the first call (which pays jieba's one-off dictionary load), then the median and
best of warm runs, and the ratio of the warm median to the goal (below 1.0 = faster).

    /work/main/.venv/bin/python benchmarks/storyboard_speed.py [--runs 15] [--chars 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MS = 100.0


def make_script(chars: int) -> str:
    corpus = sorted((ROOT / "tests/studio/storyboard/corpus").glob("*.txt"))
    pieces = [p.read_text(encoding="utf-8") for p in corpus]
    text, i = "", 0
    while len(text) < chars:
        text += pieces[i % len(pieces)] + "\n\n"
        i += 1
    return text[:chars]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--style", default="cinematic")
    args = parser.parse_args()

    from studio.prompts.compose import compose_storyboard
    from studio.prompts.presets import default_presets
    from studio.safety.policy import default_policy
    from studio.storyboard import split

    script = make_script(args.chars)
    presets = default_presets()
    style = presets.style(args.style)

    def once() -> tuple[float, float, int, float, float]:
        c0 = time.process_time()
        t0 = time.perf_counter()
        board = split(script)
        t1 = time.perf_counter()
        compose_storyboard(board, style=style)
        t2 = time.perf_counter()
        cpu = (time.process_time() - c0) * 1000
        policy = default_policy()
        for shot in board.shots:
            policy.check(shot.prompt)
        return (t1 - t0) * 1000, (t2 - t0) * 1000, len(board.shots), (time.perf_counter() - t0) * 1000, cpu

    cold_split, cold_total, shots, cold_safety, _ = once()
    splits, totals, safeties, cpus = [], [], [], []
    for _ in range(args.runs):
        s, t, _, f, c = once()
        splits.append(s)
        totals.append(t)
        safeties.append(f)
        cpus.append(c)
    median = statistics.median(totals)
    print(f"script: {len(script):,} characters -> {shots} shots ({args.style})")
    print(f"first call (jieba dictionary load included): split+compose {cold_total:.0f} ms")
    print(f"warm, {args.runs} runs: split median {statistics.median(splits):.1f} ms; "
          f"split+compose median {median:.1f} ms, best {min(totals):.1f} ms; "
          f"+ safety check of every prompt median {statistics.median(safeties):.1f} ms")
    print(f"CPU time of split+compose (less sensitive to other work on a shared machine): median "
          f"{statistics.median(cpus):.1f} ms, best {min(cpus):.1f} ms; ratio {statistics.median(cpus) / GOAL_MS:.2f}x")
    print(f"ratio to the {GOAL_MS:.0f} ms goal (split+compose, warm median): {median / GOAL_MS:.2f}x "
          f"({'within' if median <= GOAL_MS else 'over'} the goal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
