"""Drive a running Shotline studio through its API with gradio_client: script ->
storyboard -> every shot generated -> export -> the final cut saved on this machine.
Every id travels as a plain string; the studio checks that it is yours.

    SHOTLINE_PASSWORD=... python scripts/api_example.py http://127.0.0.1:7860/ \
        --user alice --script my_script.txt --out final.mp4

(`--user` is left out when the studio runs without logins.) The endpoints are listed in
docs/api.md."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path


def wait(what: str, check, timeout: float) -> object:  # noqa: ANN001
    """Poll `check()` until it returns something true; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1.0)
    raise SystemExit(f"api_example: gave up waiting for {what} after {timeout:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the studio's address, e.g. http://127.0.0.1:7860/")
    parser.add_argument("--user", help="your studio user (the password comes from SHOTLINE_PASSWORD)")
    parser.add_argument("--script", required=True, help="a UTF-8 script file")
    parser.add_argument("--out", required=True, help="where to save the final cut (.mp4)")
    parser.add_argument("--preset", default="720p", help="export preset (default 720p)")
    parser.add_argument("--style", default="", help="a style preset id (optional)")
    parser.add_argument("--aspect", default="16:9", help="16:9, 9:16 or 1:1")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for each stage")
    args = parser.parse_args(argv)

    from gradio_client import Client

    auth = (args.user, os.environ.get("SHOTLINE_PASSWORD", "")) if args.user else None
    studio = Client(args.url, auth=auth, verbose=False)
    script = Path(args.script).read_text(encoding="utf-8")

    project = studio.predict(script, args.style, args.aspect, api_name="/storyboard")
    shots = studio.predict(project, api_name="/project")["shots"]
    print(f"storyboard {project}: {len(shots)} shot(s)", file=sys.stderr)

    queued = studio.predict(project, api_name="/queue")
    print(f"queued {len(queued)} clip job(s)", file=sys.stderr)

    def clips_done() -> bool:
        jobs = studio.predict(project, api_name="/jobs")
        failed = [j for j in jobs if j["status"] in ("failed", "cancelled")]
        if failed:
            raise SystemExit(f"api_example: job {failed[0]['id'][:8]} {failed[0]['status']}: {failed[0]['error']}")
        done = sum(j["status"] == "done" for j in jobs)
        print(f"clips: {done}/{len(jobs)} done", file=sys.stderr)
        return bool(jobs) and done == len(jobs)

    wait("the clips", clips_done, args.timeout)

    task = studio.predict(project, args.preset, api_name="/export_api")

    def exported() -> dict | None:
        state = studio.predict(task, api_name="/task")
        if state["status"] == "failed":
            raise SystemExit(f"api_example: the export failed: {state['error']}")
        print(f"export: {state['status']} {state['progress']:.0f}%", file=sys.stderr)
        return state if state["status"] == "done" else None

    result = wait("the export", exported, args.timeout)["result"]
    copy = studio.predict(result["export_id"], api_name="/export_file")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(copy, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
