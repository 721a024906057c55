"""benchmarks: the job queue's own overhead per job, and listing 1,000 queued jobs.

submit->start: from the studio's submit call to the worker starting the run (a worker is
idle and waiting). finish->recorded: from the worker finishing to the studio having the
result in its database (file written, clip row, usage). Goal: each under 20 ms with the
tiny model. Also: `JobService.list` over 1,000 queued jobs (goal < 200 ms), and the CLI's
`jobs list --json` path (which first drains worker reports) for the same.

    python benchmarks/queue_overhead.py [--kind tiny|diagnostic] [--jobs 20] [--redis URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def line(name: str, values_ms: list[float], goal_ms: float) -> None:
    p50, p95 = statistics.median(values_ms), pct(values_ms, 0.95)
    print(f"{name:<28} n={len(values_ms):<5} p50={p50:8.2f} ms  p95={p95:8.2f} ms  goal<{goal_ms:g} ms  "
          f"ratio p95/goal={p95 / goal_ms:5.2f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=("tiny", "diagnostic"), default="tiny")
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--redis", default=None)
    ap.add_argument("--list-jobs", type=int, default=1000)
    args = ap.parse_args()
    os.environ["SHOTLINE_HOME"] = tempfile.mkdtemp(prefix="shotline-bench-")
    from studio.jobs import open_studio_side

    side = open_studio_side(args.redis)
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushall()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "studio.cli", "worker"] + (["--redis", args.redis] if args.redis else [])
    worker = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    side.mirror.start()
    try:
        if args.kind == "tiny":
            params = {"prompt": "a lighthouse at dusk", "model": "tiny", "width": 64, "height": 64,
                      "num_frames": 9, "steps": 2}
            kind = "generate"
        else:
            params, kind = {"steps": 2, "step_s": 0.0, "echo": "x"}, "diagnostic"
        # warm-up: the worker loads the pipeline once and keeps it
        side.mirror.wait_for([side.jobs.submit(params, kind=kind)], timeout=600)
        starts, records, runs = [], [], []
        for i in range(args.jobs):
            job_id = side.jobs.submit({**params, "seed": i} if kind == "generate" else params, kind=kind)
            job = side.mirror.wait_for([job_id], timeout=600)[0]
            assert job["status"] == "done", job
            (run,) = side.jobs.runs(job_id)
            starts.append((run["started_at"] - job["created_at"]) * 1000)
            records.append((run["recorded_at"] - run["ended_at"]) * 1000)
            runs.append((run["ended_at"] - run["started_at"]) * 1000)
            time.sleep(0.05)  # the worker idles between jobs, as it would between user submissions
        print(f"queue: {side.backend.describe()}  kind: {args.kind}  python {sys.version.split()[0]}")
        line("submit->start", starts, 20)
        line("finish->recorded", records, 20)
        print(f"{'run (for scale)':<28} p50={statistics.median(runs):8.2f} ms")
    finally:
        side.mirror.stop()
        worker.terminate()
        worker.wait(20)

    ids = [side.jobs.submit({"steps": 1}, kind="diagnostic") for _ in range(args.list_jobs)]
    times = []
    for _ in range(20):
        t = time.perf_counter()
        listed = side.jobs.list(status="queued")
        times.append((time.perf_counter() - t) * 1000)
    assert len(listed) == len(ids)
    line(f"list {len(ids)} queued jobs", times, 200)
    env["SHOTLINE_HOME"] = os.environ["SHOTLINE_HOME"]
    cli = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "studio.cli", "jobs", "list", "--json"]
                       + (["--redis", args.redis] if args.redis else []),
                       env=env, check=True, stdout=subprocess.DEVNULL)
        cli.append((time.perf_counter() - t) * 1000)
    line("`jobs list --json` process", cli, 200)
    side.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
