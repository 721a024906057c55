"""benchmarks: how fast the one-click pipeline reacts when a project's last clip is done,
and what it costs while nothing happens, with N other live one-click projects around.

Side by side, on the same database and the same `Pipeline` code:
- events (what the studio does): the mirror calls `pipeline.job_ended(job)` when a job
  ends, and only that job's project is read;
- baseline (what the studio did before the house issue): a thread passes over every live
  project every 0.3 s.

It builds N projects of 2 shots with every shot queued (no worker runs), then for each
measured project marks its clips done (real small MP4s, as the mirror would file them)
and times the moment until its export job is queued. Printed: reaction time median and
p95 for each, their ratio, the baseline's time per pass, and the share of one core the
baseline spends while idle.

    python benchmarks/pipeline_events.py [--projects 200] [--samples 10]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
POLL_S = 0.3


def make_clip(path: Path) -> str:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=64x64:r=16", "-frames:v", "9", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
                   check=True)
    return str(path)


def finish_clips(services, project_id: str, clip: str) -> Callable[[], str]:  # noqa: ANN001
    """File a clip for every shot job of the project but the last, as the mirror would; the
    returned call files the last one (its job id back), so a timer can start just before it."""
    from studio.library import add_clip

    db = services.db
    jobs = [e["job_id"] for e in services.projects.project("bench", project_id)["shots"]]

    def done(job_id: str) -> str:
        clip_id = add_clip(db, clip, "tiny", job_id=job_id, project_id=project_id, duration_s=9 / 16, fps=16,
                           num_frames=9, width=64, height=64, index=False)
        db.execute("UPDATE jobs SET status = 'done', clip_id = ?, finished_at = ? WHERE id = ?",
                   [clip_id, time.time(), job_id])
        return job_id

    for job_id in jobs[:-1]:
        done(job_id)
    return lambda: done(jobs[-1])


def wait_exporting(services, project_id: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while services.projects.project("bench", project_id)["status"] != "exporting":
        if time.monotonic() > deadline:
            raise TimeoutError(f"project {project_id} did not move on")
        time.sleep(0.002)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--samples", type=int, default=10)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="shotline-bench-pipeline-")
    os.environ["SHOTLINE_HOME"] = home
    from studio.jobs import QueueBackend
    from studio.services import compose

    backend = QueueBackend(None)
    services = compose(backend, defaults={"steps": 2, "max_frames": 9})
    clip = make_clip(Path(home) / "clip.mp4")
    script = "镜头1：清晨的咖啡馆。\n镜头2：咖啡师递上拿铁。"
    t0 = time.perf_counter()
    live = []
    for _ in range(args.projects + 2 * args.samples):
        pid = services.pipeline.one_click("bench", script, model="tiny")
        live.append(pid)
    print(f"{len(live)} live one-click projects (2 shots each) built in {time.perf_counter() - t0:.1f} s")
    measured, others = live[:2 * args.samples], live[2 * args.samples:]

    events = []
    for pid in measured[:args.samples]:
        last = finish_clips(services, pid, clip)
        start = time.perf_counter()
        services.pipeline.job_ended(last())  # what the mirror calls when it files the job's end
        wait_exporting(services, pid)
        events.append((time.perf_counter() - start) * 1000)

    passes: list[float] = []
    stop = threading.Event()

    def poll_loop() -> None:  # the baseline: every live project, every 0.3 s
        while not stop.is_set():
            t = time.perf_counter()
            rows = services.db.execute("SELECT project_id FROM flows WHERE status IN ('generating', 'exporting',"
                                       " 'failed')").fetchall()
            for (project_id,) in rows:
                services.pipeline.advance_project(project_id)
            passes.append((time.perf_counter() - t) * 1000)
            stop.wait(POLL_S)

    thread = threading.Thread(target=poll_loop, daemon=True)
    thread.start()
    polled = []
    rng = random.Random(0)
    try:
        for pid in measured[args.samples:]:
            last = finish_clips(services, pid, clip)
            time.sleep(rng.uniform(0, POLL_S))  # a clip ends at any moment of the poll's period
            start = time.perf_counter()
            last()
            wait_exporting(services, pid)
            polled.append((time.perf_counter() - start) * 1000)
    finally:
        stop.set()
        thread.join()
    backend.close()

    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)]
        return f"{name:<28} median {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms"

    print(f"{len(others)} other live projects; {args.samples} samples each")
    print(line("events (job_ended)", events))
    print(line("baseline (0.3 s poll)", polled))
    print(f"ratio baseline / events: {statistics.median(polled) / statistics.median(events):.2f}x")
    busy = statistics.median(passes)
    print(f"baseline pass over every live project: median {busy:.1f} ms -> {100 * busy / (busy + POLL_S * 1000):.0f}%"
          " of one core while nothing happens (events: 0%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
