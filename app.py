"""Shotline entry point for `./studio.sh`. Until the studio UI lands, this is the
engine demo: it generates one clip with the tiny model (built locally on first run),
shows progress, and prints the clip's path. Arguments: an optional prompt."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from studio.cli import main as shotline

    prompt = " ".join(argv) or "a paper boat drifting down a rainy street, cinematic"
    print("Shotline engine demo: generating a 64x64, 9-frame clip with the tiny model "
          "(random weights, so the clip is coloured noise).", file=sys.stderr)
    return shotline(["generate", "--model", "tiny", "--prompt", prompt, "--seed", "7"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
