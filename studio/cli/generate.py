"""studio: `shotline generate`, one clip from the command line through the engine.

Progress goes to stderr (one line per event); `--events FILE` writes one JSON object
per line (`type` = loading | step | decoding | finished | cancelled | failed; step lines
carry `step`, `total` and `preview`, the path of a PNG in a folder beside --out).
Ctrl-C cancels cleanly: the engine stops at the next step and decodes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from studio.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    from engine import ATTENTION_BACKENDS, CACHES, MEMORY_MODES
    from engine.types import TIERS

    p = subparsers.add_parser("generate", help="generate one video clip from a prompt",
                              description="Generate one clip with a Wan model (or the tiny test model).")
    p.add_argument("--prompt", required=True, help="what the clip shows")
    p.add_argument("--model", default="tiny", help="model id (see `shotline models list`); default: tiny")
    p.add_argument("--negative-prompt", default=None, help="what to avoid (default: the model's)")
    p.add_argument("--width", type=int, default=None)
    p.add_argument("--height", type=int, default=None)
    p.add_argument("--frames", type=int, default=None, help="number of frames, 4k+1")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--guidance", type=float, default=None)
    p.add_argument("--guidance-2", type=float, default=None, help="low-noise expert guidance (Wan2.2 A14B)")
    p.add_argument("--shift", type=float, default=None, help="flow shift")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--memory-mode", default="auto", choices=MEMORY_MODES)
    p.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: cuda if present)")
    p.add_argument("--attention", default=None, choices=ATTENTION_BACKENDS, help="attention kernel (exact)")
    p.add_argument("--compile", action="store_true", help="regional torch.compile of the blocks (exact)")
    p.add_argument("--cache", default=None, choices=CACHES, help="step cache: trades quality for speed")
    p.add_argument("--cache-threshold", type=float, default=None)
    p.add_argument("--preview-every", type=int, default=1, help="a preview every N steps; 0 = none")
    p.add_argument("--lora", action="append", default=[], metavar="PATH[:SCALE]",
                   help="a LoRA: a .safetensors file, hf:owner/repo/file.safetensors or a library name, with an "
                        "optional strength (default 1, or the library's); repeat to combine several")
    p.add_argument("--tier", default="final", choices=TIERS,
                   help="final: the model's full settings; draft: its step-distilled LoRA (few steps, no guidance)")
    p.add_argument("--out", default=None, help="output .mp4 (default: a new file under the Shotline data folder)")
    p.add_argument("--events", default=None, help="write events as JSON lines to this file")
    p.set_defaults(func=run)


def _preview_dir(out: Path) -> Path:
    return out.with_name(out.stem + "-previews")


def _event_line(event: Any) -> dict[str, Any]:
    from engine import event_to_dict

    data = event_to_dict(event)
    if data["type"] == "step":
        data["preview"] = data.pop("preview_path")
    return data


def _progress(event: Any, stream: TextIO) -> None:
    kind = event.type
    if kind == "loading":
        line = event.message
    elif kind == "step":
        line = f"step {event.step}/{event.total}  {event.elapsed_s:.1f}s elapsed, ~{event.eta_s:.1f}s left"
    elif kind == "decoding":
        line = "decoding frames"
    elif kind == "finished":
        line = f"done in {event.result.elapsed_s:.1f}s: {event.result.video_path}"
    elif kind == "cancelled":
        line = f"cancelled at step {event.step} of {event.total}"
    else:  # failed: the command's own error line says it once
        return
    print(line, file=stream, flush=True)


def quiet_library_progress() -> None:
    """diffusers / transformers / huggingface_hub draw their own tqdm bars on stderr;
    the engine's events already report loading and steps, so those bars are noise."""
    import diffusers
    import transformers
    from huggingface_hub.utils import disable_progress_bars

    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()
    disable_progress_bars()


def ensure_weights(request: Any, on_event: Any) -> None:
    """Check the request and make sure a real model's weights are here (downloading them
    with progress where the network allows) before diffusers is even imported, so a
    bad request or missing weights offline is one sentence in about a second."""
    from engine import get_card, resolve_request, resolve_weights, weights_status

    resolve_request(request)
    if not get_card(request.model).is_local_only and weights_status(request.model) != "local":
        resolve_weights(request.model, on_event)


def lora_specs(values: list[str]) -> tuple:
    """--lora values as LoraSpecs; a local file's path is made absolute, so the request
    (and a queued job) names the same file wherever it runs."""
    import dataclasses

    from engine.lora import HUB_PREFIX, parse_lora_arg

    specs = []
    for value in values:
        spec = parse_lora_arg(value)
        local = Path(spec.source).expanduser()
        if not spec.source.startswith(HUB_PREFIX) and local.is_file():
            spec = dataclasses.replace(spec, source=str(local.resolve()))
        specs.append(spec)
    return tuple(specs)


def run(args: argparse.Namespace) -> int:
    from engine import CancelToken, GenerationCancelled, GenerationRequest, SpeedOptions, generate

    if args.out is None:
        from studio.paths import new_media_path

        out = new_media_path("clips", ".mp4")
    else:
        out = Path(args.out).expanduser().resolve()
        if out.suffix.lower() != ".mp4":
            raise UserError(f"--out {args.out!r} is not accepted: a path ending in .mp4.")
        if not out.parent.is_dir():
            raise UserError(f"--out {args.out!r} is not accepted: its folder {str(out.parent)!r} does not exist.")
    events_file = None
    if args.events:
        events_path = Path(args.events).expanduser().resolve()
        if not events_path.parent.is_dir():
            raise UserError(f"--events {args.events!r} is not accepted: its folder does not exist.")
        events_file = events_path.open("w", encoding="utf-8")
    request = GenerationRequest(
        loras=lora_specs(args.lora), tier=args.tier,
        prompt=args.prompt, model=args.model, negative_prompt=args.negative_prompt, width=args.width,
        height=args.height, num_frames=args.frames, steps=args.steps, guidance=args.guidance,
        guidance_2=args.guidance_2, flow_shift=args.shift, seed=args.seed, memory_mode=args.memory_mode,
        speed=SpeedOptions(attention_backend=args.attention, compile_blocks=args.compile, cache=args.cache,
                           cache_threshold=args.cache_threshold),
        output_path=str(out), preview_every=args.preview_every, device=args.device,
    )

    def on_event(event: Any) -> None:
        _progress(event, sys.stderr)
        if events_file is not None:
            events_file.write(json.dumps(_event_line(event), ensure_ascii=False) + "\n")
            events_file.flush()

    try:
        ensure_weights(request, on_event)
    except Exception as err:
        from engine import EngineError, FailedEvent

        if events_file is not None:
            if isinstance(err, EngineError):
                on_event(FailedEvent(str(err)))
            events_file.close()
        raise
    quiet_library_progress()
    token = CancelToken()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = generate(request, on_event=on_event, cancel=token,
                                         preview_dir=_preview_dir(out) if args.preview_every else None)
        except BaseException as err:  # noqa: BLE001 - handed to the main thread below
            outcome["error"] = err

    worker = threading.Thread(target=work, name="shotline-generate", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        print("cancelling...", file=sys.stderr, flush=True)
        token.cancel()
        worker.join()
    finally:
        if events_file is not None:
            events_file.close()
    err = outcome.get("error")
    if isinstance(err, GenerationCancelled):
        print(f"shotline: {err}", file=sys.stderr)
        return 130
    if err is not None:
        raise err
    print(outcome["result"].video_path)
    return 0
