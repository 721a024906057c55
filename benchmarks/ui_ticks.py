"""benchmarks: what one browser tab costs the studio each second.

The open page's gr.Timer calls a read handler every second (Generate: the project's jobs
and flow; Script: the flow status). This builds a project of N shots with every shot
queued (no worker runs, so the jobs stay put), then times those service reads as the
handlers make them, against the bare `JobService.list` query they are built on, and
prints the per-tick cost and how many open tabs one core would serve at one tick a
second.

    python benchmarks/ui_ticks.py [--shots 60] [--ticks 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(fn, n: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=60)
    ap.add_argument("--ticks", type=int, default=200)
    args = ap.parse_args()
    os.environ["SHOTLINE_HOME"] = tempfile.mkdtemp(prefix="shotline-bench-ui-")
    from studio.jobs import JobService, QueueBackend
    from studio.services import compose
    from studio.ui.script import flow_status

    backend = QueueBackend(None)
    studio = compose(backend)
    lines = "\n".join(f"镜头{i}：一只小猫在窗台上看雨，第{i}次。" for i in range(1, args.shots + 1))
    pid = studio.projects.create_from_script("bench", lines, model="tiny")[0]
    studio.shots.queue_all("bench", pid)
    n_jobs = len(studio.shots.project_jobs("bench", pid))
    jobs = JobService(studio.db, backend)

    def generate_tick() -> None:
        studio.shots.project_jobs("bench", pid)
        studio.projects.project("bench", pid)

    def script_tick() -> None:
        flow_status(studio, "bench", pid)

    def baseline() -> None:
        jobs.list(project_id=pid, limit=500)

    results = {name: timed(fn, args.ticks) for name, fn in
               (("baseline JobService.list", baseline), ("Generate tick", generate_tick), ("Script tick", script_tick))}
    base = statistics.median(results["baseline JobService.list"])
    print(f"{n_jobs} jobs in the project, {args.ticks} ticks each")
    for name, values in results.items():
        med = statistics.median(values)
        p95 = sorted(values)[int(0.95 * len(values)) - 1]
        print(f"{name:<26} median {med:7.2f} ms  p95 {p95:7.2f} ms  ratio to baseline {med / base:5.2f}x"
              f"  -> {1000 / med:6.0f} tabs per core at 1 tick/s")
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
