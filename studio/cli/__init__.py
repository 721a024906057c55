"""studio: the `shotline` command. Each room adds its sub-commands in its own module
under studio/cli/ with a `register(subparsers)` function, listed in COMMAND_MODULES.

Every command turns a Shotline error into one sentence on stderr and exit code 2;
tracebacks go to the log only (set SHOTLINE_DEBUG=1 to see them).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from engine.errors import UserError  # every user-facing error: printed as its message, exit code 2

# Modules under studio.cli that define `register(subparsers)`; order = order in --help.
COMMAND_MODULES: list[str] = ["storyboard", "generate", "models", "loras", "jobs", "export", "voice", "studio"]

__all__ = ["COMMAND_MODULES", "UserError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shotline", description="Shotline: script to storyboard to finished AI video.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"studio.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("SHOTLINE_LOG_LEVEL", "WARNING"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from studio import paths

        paths.private_files()  # files 0600, folders 0700 under the data folder
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except (UserError, ValueError, FileNotFoundError, PermissionError) as err:
        if os.environ.get("SHOTLINE_DEBUG"):
            raise
        logging.getLogger("shotline").debug("command failed", exc_info=True)
        print(f"shotline: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - last line of defence: a sentence, never a traceback
        if os.environ.get("SHOTLINE_DEBUG"):
            raise
        logging.getLogger("shotline").error("command failed", exc_info=True)
        print(f"shotline: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
