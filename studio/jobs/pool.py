"""studio.jobs: local worker processes. The composition root (shotline.app) calls
`start_local_workers()` once: one `shotline worker` process per GPU (one on a CPU-only
machine), restarted if one dies, stopped with the studio. Each process keeps its own warm
pipeline; stopping one hands its running job back to the queue."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

from studio import paths

log = logging.getLogger("shotline.pool")


def detect_devices() -> list[str]:
    """`cuda:0`, `cuda:1`, ... for each visible GPU, else `["cpu"]`."""
    try:
        import torch

        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    except Exception:  # noqa: BLE001 - no torch / no driver means CPU
        count = 0
    return [f"cuda:{i}" for i in range(count)] or ["cpu"]


class WorkerPool:
    """Worker subprocesses, one per device, each running `python -m studio.cli worker`."""

    def __init__(self, devices: list[str], *, redis_url: str | None = None, heartbeat_s: float = 2.0,
                 poll_s: float = 0.25, restart: bool = True, extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None):
        self.devices = list(devices)
        self.redis_url = redis_url
        self.heartbeat_s = heartbeat_s
        self.poll_s = poll_s
        self.restart = restart
        self.extra_args = list(extra_args or [])
        self.env = env
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.restarts = 0
        self._logs: dict[int, IO[bytes]] = {}
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    def command(self, device: str) -> list[str]:
        cmd = [sys.executable, "-m", "studio.cli", "worker", "--device", device, "--heartbeat", str(self.heartbeat_s),
               "--poll", str(self.poll_s)]
        if self.redis_url:
            cmd += ["--redis", self.redis_url]
        return cmd + self.extra_args

    def _spawn(self, index: int) -> None:
        log_dir = paths.home() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        if index not in self._logs:
            self._logs[index] = open(log_dir / f"worker-{index}.jsonl", "ab")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, **(self.env or {})}
        self.procs[index] = subprocess.Popen(self.command(self.devices[index]), stdin=subprocess.DEVNULL,
                                             stdout=self._logs[index], stderr=subprocess.STDOUT, env=env)
        log.info("worker started", extra={"index": index, "pid": self.procs[index].pid,
                                          "device": self.devices[index]})

    def start(self) -> WorkerPool:
        self._stop.clear()
        for i in range(len(self.devices)):
            self._spawn(i)
        if self.restart:
            self._watch = threading.Thread(target=self._watch_loop, name="shotline-worker-pool", daemon=True)
            self._watch.start()
        return self

    def _watch_loop(self) -> None:
        while not self._stop.wait(0.5):
            for i, proc in list(self.procs.items()):
                if proc.poll() is not None and not self._stop.is_set():
                    log.warning("worker exited; starting another",
                                extra={"index": i, "pid": proc.pid, "code": proc.returncode})
                    self.restarts += 1
                    self._spawn(i)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs.values() if p.poll() is None]

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every worker (each hands its running job back), then SIGKILL stragglers."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join(2)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for fh in self._logs.values():
            fh.close()
        self._logs.clear()

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_local_workers(redis_url: str | None = None, devices: list[str] | None = None,
                        **kwargs: object) -> WorkerPool:
    """Start one worker per local GPU (one on CPU); the caller owns the pool and stops it."""
    return WorkerPool(devices or detect_devices(), redis_url=redis_url, **kwargs).start()  # type: ignore[arg-type]
