"""studio: `shotline models list|download`, the model registry (Wan models and the
optional language models) and weights from the command line. `download` shows byte-level progress on stderr and resumes partial
downloads; offline it fails with one sentence."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _language_model_rows() -> list[tuple[str, ...]]:
    """`models list` rows for the optional language models (planner and prompt writer)."""
    from engine.text import list_text_cards, text_weights_status

    rows = []
    for lm in list_text_cards():
        source = f"{lm.repo_id}@{lm.revision}" if lm.repo_id else "built locally"
        size = f"{lm.size_gb:g} GB" if lm.size_gb >= 0.1 else "<1 MB"
        rows.append((lm.id, text_weights_status(lm.id), size, "language model", lm.licence, source))
    return rows


def _download_language_model(model_id: str) -> int:
    """`models download` for a language model: the same cache, progress and offline sentence."""
    from engine.text import resolve_text_weights
    from studio.cli.generate import quiet_library_progress

    quiet_library_progress()
    last = [-1]

    def on_event(event: Any) -> None:
        pct = int(100 * event.downloaded_bytes / event.total_bytes) if event.total_bytes else -1
        if pct < 0 or pct != last[0]:
            last[0] = pct
            print(f"\r{event.message}" + (f" ({pct}%)" if pct >= 0 else ""), end="" if pct >= 0 else "\n",
                  file=sys.stderr, flush=True)

    path = resolve_text_weights(model_id, on_event=on_event)
    if last[0] >= 0:
        print(file=sys.stderr)
    print(path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("models", help="list the models or download one",
                              description="List the models Shotline knows, or fetch a model's weights.")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")
    sub.required = True
    lst = sub.add_parser("list", help="every model with its weights status")
    lst.set_defaults(func=run_list)
    show = sub.add_parser("show", help="one model's memory modes (exact or lossy, VRAM and RAM needed) and tiers")
    show.add_argument("model_id", metavar="ID", help="model id, e.g. wan2.2-t2v-a14b")
    show.set_defaults(func=run_show)
    dl = sub.add_parser("download", help="fetch a model's weights into the local cache")
    dl.add_argument("model_id", metavar="ID", help="model id, e.g. wan2.1-t2v-1.3b")
    dl.add_argument("--draft", action="store_true", help="also the draft tier's distilled LoRA file(s)")
    dl.add_argument("--gguf", action="store_true", help="also the GGUF transformer file(s) for the gguf memory mode")
    dl.add_argument("--only-extras", action="store_true", help="only the --draft / --gguf files, not the model")
    dl.set_defaults(func=run_download)


def run_list(args: argparse.Namespace) -> int:
    from engine import list_cards, weights_status

    rows = [("ID", "STATUS", "SIZE", "FRAMES@FPS", "LICENCE", "SOURCE")]
    for card in list_cards():
        source = f"{card.repo_id}@{card.revision}" if card.repo_id else "built locally"
        size = f"{card.size_gb:g} GB" if card.size_gb >= 0.1 else "<1 MB"
        rows.append((card.id, weights_status(card.id), size, f"{card.max_frames}@{card.fps}", card.licence, source))
    rows += _language_model_rows()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    from engine import MEMORY_MODE_INFO, get_card
    from engine.quantize import mode_available

    card = get_card(args.model_id)
    print(f"{card.id}: {card.name}; default {card.default_width}x{card.default_height}x{card.default_frames}, "
          f"{card.steps} steps, guidance {card.guidance:g}")
    rows = [("MEMORY MODE", "MATHS", "VRAM GB", "RAM GB", "NOTE")]
    for info in MEMORY_MODE_INFO:
        mode = info["mode"]
        if mode not in card.vram_gb:
            continue
        why = mode_available(mode, card)
        ram = (card.ram_gb or {}).get(mode)
        rows.append((mode, "exact" if info["exact"] else "lossy", f"{card.vram_gb[mode]:g}",
                     "-" if ram is None else f"{ram:g}", "" if why is None else f"not here: {why}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if card.draft:
        source = f"{card.draft['repo_id']}/{card.draft['file']}" if card.draft.get("repo_id") else "built locally"
        print(f"draft tier: {card.draft['steps']} steps, guidance {card.draft['guidance']:g}, LoRA {source}")
    else:
        print("draft tier: none (the card names no step-distilled LoRA)")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from engine import download, get_card
    from engine.text import list_text_cards
    from studio.cli.generate import quiet_library_progress

    if args.model_id in {c.id for c in list_text_cards()}:
        return _download_language_model(args.model_id)

    card = get_card(args.model_id)
    quiet_library_progress()  # our own byte progress replaces the libraries' bars
    state = {"last": -1}

    def on_event(event: Any) -> None:
        if event.total_bytes:
            pct = int(100 * event.downloaded_bytes / event.total_bytes)
            if pct != state["last"]:
                state["last"] = pct
                print(f"\r{event.message} ({pct}%)", end="", file=sys.stderr, flush=True)
        else:
            print(event.message, file=sys.stderr, flush=True)

    if not args.only_extras:
        path = download(card.id, on_event=on_event)
        if state["last"] >= 0:
            print(file=sys.stderr)
        print(path)
    if args.draft:
        from engine.tiers import draft_files

        for extra in draft_files(card, on_event=on_event):
            print(extra)
    if args.gguf:
        from engine.quantize import gguf_files

        for extra in gguf_files(card, on_event=on_event):
            print(extra)
    return 0
