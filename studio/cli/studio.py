"""studio.cli: `shotline studio` (start the browser studio with its workers; see app.py)
and `shotline users add NAME` (store a salted scrypt hash of a password read from stdin)."""

from __future__ import annotations

import argparse
import getpass
import sys

from studio.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("studio", help="start the browser studio (with local workers)",
                              description="Start the browser studio on SHOTLINE_HOST:SHOTLINE_PORT (127.0.0.1:7860).")
    p.add_argument("--port", type=int, default=None, help="port (default: SHOTLINE_PORT or 7860)")
    p.add_argument("--host", default=None, help="address to listen on (default: SHOTLINE_HOST or 127.0.0.1)")
    p.set_defaults(func=run_studio)
    u = subparsers.add_parser("users", help="manage studio logins", description="Manage the studio's users.")
    sub = u.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True
    add = sub.add_parser("add", help="add a user or change their password (read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.set_defaults(func=run_users_add)
    lst = sub.add_parser("list", help="list the configured user names")
    lst.set_defaults(func=run_users_list)


def run_studio(args: argparse.Namespace) -> int:
    import os

    if args.port is not None:
        if not 0 <= args.port <= 65535:
            raise UserError(f"--port {args.port} is not accepted: a port number from 0 to 65535.")
        os.environ["SHOTLINE_PORT"] = str(args.port)
    if args.host:
        os.environ["SHOTLINE_HOST"] = args.host
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app.py"
    spec = importlib.util.spec_from_file_location("shotline_app", root)
    if spec is None or spec.loader is None or not root.is_file():
        raise UserError(f"The studio's app.py was not found at {root}; run from a Shotline checkout.")
    module = importlib.util.module_from_spec(spec)
    sys.modules["shotline_app"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.main([])


def run_users_add(args: argparse.Namespace) -> int:
    from studio.accounts.auth import add_user

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise UserError("The two passwords differ; nothing was stored.")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    path = add_user(args.name, password)
    print(f"User {args.name} stored in {path}.", file=sys.stderr)
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    from studio.accounts.auth import load_users

    for name in sorted(load_users()):
        print(name)
    return 0
