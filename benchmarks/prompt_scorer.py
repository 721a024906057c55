"""Prompt quality on the storyboard corpora (issue 12): every script is made into a
storyboard and each prompt is scored by studio.prompts.scorer: median length, the six
parts of Wan's formula, markup, repeats of the shot before, mixed languages, contradictions
with the shot's time of day and the 512-token budget (an over-estimate; no UMT5 tokenizer
runs offline here).

Side by side: the baseline is the same scripts through another checkout (default
/work/main, the code before this branch), run in a subprocess with that checkout first on
PYTHONPATH; its prompts are scored by this scorer. Prints a table and, with --json, the
figures.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/prompt_scorer.py \
        [--corpus DIR ...] [--baseline /work/main] [--style cinematic] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUFFIXES = (".txt", ".md", ".fountain", ".fdx", ".csv", ".json", ".srt")
DEFAULT_CORPORA = [ROOT / "tests/studio/storyboard/corpus", ROOT / "tests/studio/storyboard/real/scripts",
                   Path("/work/wt/corpus/tests/studio/storyboard/real/scripts")]


def scripts_in(folder: Path) -> list[Path]:
    """The scripts of a corpus folder (ground-truth and expectation JSON files skipped)."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in SUFFIXES or p.name.endswith(".truth.json"):
            continue
        if p.suffix == ".json" and any(p.with_suffix(s).exists() for s in (".txt", ".md")):
            continue  # the expectations beside a corpus script
        out.append(p)
    return out


def read_script(path: Path) -> str:
    """The script's text; through the storyboard room's file reader when it has one."""
    import studio.storyboard as sb

    reader = getattr(sb, "read_script_file", None) or getattr(sb, "read_file", None)
    if reader is not None:
        try:
            return reader(path)
        except Exception:  # noqa: BLE001 - a reader that refuses a file: read it as text below
            pass
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def boards_here(paths: list[Path], style: str | None) -> list[dict]:
    from studio.storyboard import build

    out = []
    for p in paths:
        try:
            board = build(read_script(p), style=style)
        except ValueError as err:
            print(f"  skipped {p.name}: {err}", file=sys.stderr)
            continue
        out.append({"name": p.name, "board": board.to_dict()})
    return out


CHILD = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from studio.storyboard import build
out = []
for name in json.loads(sys.stdin.read()):
    p = Path(name)
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = raw.decode(enc); break
        except UnicodeDecodeError:
            continue
    try:
        out.append({"name": p.name, "board": build(text, style=sys.argv[2] or None).to_dict()})
    except ValueError:
        pass
print(json.dumps(out, ensure_ascii=False))
"""


def boards_baseline(paths: list[Path], style: str | None, checkout: Path) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(checkout), style or ""], input=json.dumps([str(p) for p in paths]),
                          capture_output=True, text=True, env=env, cwd=str(checkout), timeout=1800)
    if proc.returncode:
        raise SystemExit(f"baseline failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


def score(boards: list[dict]) -> tuple[dict, list[dict]]:
    from studio.prompts.scorer import as_dict, score_shots, summary
    from studio.storyboard.model import Shot

    scores, worst = [], []
    for item in boards:
        shots = []
        for s in item["board"]["shots"]:
            known = {k: v for k, v in s.items() if k in Shot.__dataclass_fields__}
            shots.append(Shot.from_dict(known))
        for shot, sc in zip(shots, score_shots(shots), strict=True):
            scores.append(sc)
            if not sc.all_parts or sc.markup or sc.repeat or sc.contradiction:
                worst.append({"script": item["name"], "prompt": shot.prompt, **as_dict(sc)})
    return summary(scores), worst


ROWS = ("prompts", "median_en_words", "median_zh_chars", "en_in_50_120", "zh_in_60_150", "all_six_parts_pct",
        "markup_pct", "repeats", "contradictions", "mixed_language", "bare_pronoun_subjects",
        "over_512_tokens_estimate", "max_tokens_estimate")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", type=Path, help="a folder of scripts (repeatable)")
    ap.add_argument("--baseline", type=Path, default=Path("/work/main"), help="checkout to compare with ('' = none)")
    ap.add_argument("--style", default="", help="style preset for every storyboard (default: none)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-failures", type=int, default=0, help="print this many failing prompts")
    args = ap.parse_args()
    folders = args.corpus or [f for f in DEFAULT_CORPORA if f.is_dir()]
    report: dict = {}
    for folder in folders:
        paths = scripts_in(folder)
        t0 = time.perf_counter()
        here, failures = score(boards_here(paths, args.style or None))
        here["seconds"] = round(time.perf_counter() - t0, 1)
        entry = {"scripts": len(paths), "this_branch": here}
        if str(args.baseline) not in ("", ".") and args.baseline.is_dir():
            entry["baseline"], _ = score(boards_baseline(paths, args.style or None, args.baseline))
        report[str(folder)] = entry
        print(f"\n== {folder} ({len(paths)} scripts, style {args.style or 'none'}) ==")
        print(f"{'figure':28} {'baseline':>12} {'this branch':>12}")
        for key in ROWS:
            base = entry.get("baseline", {}).get(key, "")
            print(f"{key:28} {base!s:>12} {here.get(key)!s:>12}")
        print(f"{'missing parts':28} {entry.get('baseline', {}).get('missing', '')}  ->  {here['missing']}")
        b, h = entry.get("baseline", {}).get("median_en_words"), here.get("median_en_words")
        if b and h:
            print(f"ratio of median English words to the baseline: {h / b:.2f}x")
        b, h = entry.get("baseline", {}).get("median_zh_chars"), here.get("median_zh_chars")
        if b and h:
            print(f"ratio of median Chinese characters to the baseline: {h / b:.2f}x")
        for f in failures[: args.show_failures]:
            print(f"  FAIL {f['script']} #{f['index']}: {[p for p, ok in f['parts'].items() if not ok]} "
                  f"markup={f['markup']} repeat={f['repeat']} contra={f['contradiction']}\n    {f['prompt']}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
