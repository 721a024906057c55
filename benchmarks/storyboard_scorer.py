"""Benchmark: how well the storyboard reads real scripts by other authors (the corpus in
tests/studio/storyboard/real/, hand-checked ground truth beside each script).

Prints, per format, per language and overall: shot lists with the right number of shots
(±15 %, at least ±1), dialogue kept as dialogue, speakers right, dialogue leaked into
prompts, characters, settings, stated durations and named cameras found.

    .venv/bin/python benchmarks/storyboard_scorer.py                  # the table
    .venv/bin/python benchmarks/storyboard_scorer.py --json           # the figures as JSON
    .venv/bin/python benchmarks/storyboard_scorer.py --detail         # what each script missed
    .venv/bin/python benchmarks/storyboard_scorer.py --baseline /work/main
        # this checkout's storyboard beside another checkout's, on the same corpus and scorer

`--studio PATH` scores the `studio` package of another checkout (used by --baseline).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT / "tests/studio/storyboard/real/scorer.py"


def load_scorer(studio_root: Path):
    """The scorer module, loaded by path, with `studio` imported from studio_root."""
    sys.path.insert(0, str(studio_root))
    spec = importlib.util.spec_from_file_location("storyboard_real_scorer", SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def detail(scores) -> str:
    lines = []
    for s in scores:
        head = f"{s.name} [{s.format}, {s.outcome}]"
        if s.outcome != "storyboard":
            lines.append(f"{head}: {s.message}")
            continue
        lines.append(f"{head}: shots {s.shots_got}/{s.shots_expected}, kept {s.kept}/{s.dialogue}, "
                     f"leaked {s.leaked}, cameras {s.cameras_found}/{s.cameras}, durations {s.durations_found}/{s.durations}")
        for key, items in s.missed.items():
            lines.append(f"    missed {key}: " + "; ".join(items[:6]) + (" ..." if len(items) > 6 else ""))
        for line in s.leaked_lines[:4]:
            lines.append(f"    leaked: {line}")
    return "\n".join(lines)


def side_by_side(mine: dict, base: dict, scorer) -> str:
    """One row per group: this checkout's figure, the baseline's, and the difference in points."""
    rows = [["group", "figure", "this", "baseline", "Δ points"]]
    for group in sorted(mine, key=lambda g: (g == "overall", g.startswith("lang:"), g)):
        for key in scorer.FIGURES:
            a, b = mine[group][key], base.get(group, {}).get(key, [0, 0])
            ra, rb = scorer.ratio(a), scorer.ratio(b)
            if ra is None and rb is None:
                continue
            diff = "" if ra is None or rb is None else f"{100 * (ra - rb):+.0f}"
            rows.append([group, key, f"{a[0]}/{a[1]}", f"{b[0]}/{b[1]}", diff])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--detail", action="store_true", help="also print what each script missed")
    parser.add_argument("--studio", type=Path, default=ROOT, help="checkout whose studio package is scored")
    parser.add_argument("--baseline", type=Path, help="another checkout to score side by side")
    args = parser.parse_args()

    scorer = load_scorer(args.studio.resolve())
    scores = scorer.score_corpus()
    summary = scorer.summarise(scores)
    if args.json:
        print(json.dumps({"summary": summary, "scripts": [s.__dict__ for s in scores]}, ensure_ascii=False, indent=2))
        return 0
    print(f"Storyboard on {len(scores)} real scripts (studio from {args.studio.resolve()})")
    print(scorer.table(summary))
    if args.detail:
        print()
        print(detail(scores))
    if args.baseline:
        env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()))
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", "--studio", str(args.baseline.resolve())],
                             capture_output=True, text=True, env=env, check=True).stdout
        print()
        print(f"This checkout beside {args.baseline.resolve()} (same corpus, same scorer):")
        print(side_by_side(summary, json.loads(out)["summary"], scorer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
