"""studio: the `shotline storyboard` and `shotline styles` commands (the storyboard room's CLI)."""

from __future__ import annotations

import argparse
import json
import sys

from studio.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("storyboard", help="split a script into shots with Wan prompts",
                              description="Split a script (Chinese, English or both) into shots with prompts.")
    p.add_argument("script", metavar="SCRIPT_FILE",
                   help="text, Markdown, Fountain, Final Draft (.fdx), or a CSV/TSV/XLSX/JSON shot list, in UTF-8, "
                        "UTF-16, GBK/GB18030 or Big5 ('-' reads standard input)")
    p.add_argument("--style", help="a style preset id or name (see `shotline styles`)")
    p.add_argument("--model", default=None, help="model id (default: wan2.1-t2v-1.3b)")
    p.add_argument("--characters", metavar="FILE", help="character cards, .json or .yaml")
    p.add_argument("--csv", metavar="FILE", help="fill {variables} from each row: one storyboard per row")
    p.add_argument("--template", default="wan", help="prompt template id (default: wan)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first shot; shot i gets seed + i - 1")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run_storyboard)
    s = subparsers.add_parser("styles", help="list the style presets")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=run_styles)


def _read_script(name: str):  # noqa: ANN202 - a studio.storyboard.Script
    from studio.storyboard import read_bytes, read_file

    try:
        if name == "-":
            return read_bytes(sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8"))
        return read_file(name)
    except ValueError as err:
        raise UserError(str(err)) from None


def run_storyboard(args: argparse.Namespace) -> int:
    from studio.prompts.characters import load_cards
    from studio.prompts.personalise import personalise, read_csv
    from studio.prompts.presets import default_presets
    from studio.storyboard import DEFAULT_MODEL, build

    script = _read_script(args.script)
    model = args.model or DEFAULT_MODEL
    presets = default_presets()
    if args.style:
        presets.style(args.style)  # an unknown style is one sentence before any work
    presets.template(args.template)
    if not 0 <= args.seed < 2**32:
        raise UserError(f"--seed is {args.seed}; accepted: 0 to 4294967295.")
    cards = load_cards(args.characters) if args.characters else []
    if args.csv:
        boards = []
        if script.format == "xlsx":
            raise UserError("--csv fills {variables} in a text script; this script is an Excel shot list.")
        for row, filled, row_cards in personalise(script.text, read_csv(args.csv), cards):
            board = build(filled, model=model, style=args.style, characters=row_cards, template=args.template,
                          seed=args.seed, presets=presets, fmt=script.format)
            board.encoding = script.encoding
            boards.append((row.number, board))
        if args.json:
            out = {"storyboards": [{"row": n, **b.to_dict()} for n, b in boards]}
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            for n, board in boards:
                print(f"== row {n} ==")
                _print_table(board)
        return 0
    board = build(script, model=model, style=args.style, characters=cards, template=args.template,
                  seed=args.seed, presets=presets)
    print(f"Read {args.script} as {script.format}" + (f", {script.encoding}." if script.encoding else "."),
          file=sys.stderr)
    if args.json:
        print(json.dumps(board.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_table(board)
    return 0


def _print_table(board) -> None:
    for shot in board.shots:
        flag = " [BLOCKED]" if shot.safety and shot.safety.get("blocked") else ""
        print(f"#{shot.index:<3} {shot.duration_s:>4.1f}s  {shot.camera.size_en}, {shot.camera.movement_en}{flag}")
        print(f"     {shot.text}")
        for line in shot.dialogue:
            who = line.get("speaker") or ("VO" if line.get("kind") == "voiceover" else "")
            print(f"     subtitle: {line['text']}" + (f"  ({who})" if who else ""))
        print(f"     prompt: {shot.prompt}")
        for warning in shot.warnings:
            print(f"     ! {warning}")
    print(f"{len(board.shots)} shot(s), {board.duration_s:.1f} s", file=sys.stderr)


def run_styles(args: argparse.Namespace) -> int:
    from studio.prompts.presets import default_presets

    styles = sorted(default_presets().styles.values(), key=lambda s: s.id)
    if args.json:
        print(json.dumps({"styles": [s.to_dict() for s in styles]}, ensure_ascii=False, indent=2))
        return 0
    width = max(len(s.id) for s in styles)
    for s in styles:
        print(f"{s.id:<{width}}  {s.name['en']} / {s.name['zh']}  (steps {s.steps}, guidance {s.guidance:g}, "
              f"shift {s.flow_shift:g})")
    return 0
