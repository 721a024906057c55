"""studio: `shotline loras list|add`, the LoRA library (engine.lora_library) from the
command line. `add` checks the file against the model before it is kept."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("loras", help="list the LoRA library or add a LoRA to it",
                              description="LoRAs kept under the Shotline data folder, usable by name with --lora.")
    sub = p.add_subparsers(dest="loras_command", metavar="ACTION")
    sub.required = True
    lst = sub.add_parser("list", help="every LoRA in the library: name, base model, scale, source")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=run_list)
    add = sub.add_parser("add", help="check a LoRA against a model and keep it in the library")
    add.add_argument("source", help="a .safetensors file or hf:owner/repo/path/file.safetensors")
    add.add_argument("--model", required=True, help="the model it is for (see `shotline models list`)")
    add.add_argument("--name", default=None, help="the name to use it by (default: the file name)")
    add.add_argument("--scale", type=float, default=1.0, help="its default strength (default 1)")
    add.set_defaults(func=run_add)


def run_list(args: argparse.Namespace) -> int:
    from engine.lora_library import list_entries

    entries = list_entries()
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print("No LoRAs yet; add one with `shotline loras add FILE --model MODEL`.")
        return 0
    rows = [("NAME", "MODEL", "SCALE", "SIZE", "SOURCE")]
    for e in entries:
        rows.append((e["name"], e["base_model"], f"{e['scale']:g}", f"{e.get('size_bytes', 0) / 1e6:.1f} MB",
                     e.get("original") or e["source"]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def run_add(args: argparse.Namespace) -> int:
    from engine.lora_library import add_entry

    def on_event(event: Any) -> None:
        print(event.message, file=sys.stderr, flush=True)

    entry = add_entry(args.source, args.model, name=args.name, scale=args.scale, on_event=on_event)
    print(f"{entry['name']}: {entry['source']} ({entry['base_model']}, scale {entry['scale']:g})")
    return 0
