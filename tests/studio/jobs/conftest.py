"""Fixtures for the queue suite: both backends (SQLite, and a real redis-server on
loopback on a free port), the studio side with short heartbeats, and real worker
processes (`python -m studio.cli worker`)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HEARTBEAT_S = 0.2
STALE_AFTER_S = 1.2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); .ci/run installs it")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(5)


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request):
    """None for SQLite; a flushed Redis URL for Redis."""
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("redis_server")
    import redis

    redis.Redis.from_url(url).flushall()
    return url


def _studio_side(url):
    from studio.jobs import open_studio_side

    side = open_studio_side(url, heartbeat_s=HEARTBEAT_S, stale_after_s=STALE_AFTER_S)
    side.mirror.start()
    return side


@pytest.fixture
def studio(queue_url):
    """The studio side (db, queue, JobService, mirror thread) with short heartbeats."""
    side = _studio_side(queue_url)
    yield side
    side.close()


@pytest.fixture
def sqlite_studio():
    """The studio side on the SQLite queue only, for tests of backend-independent parts."""
    side = _studio_side(None)
    yield side
    side.close()


class Workers:
    """Real worker processes for one test; all are killed at the end."""

    def __init__(self, url: str | None, home: Path):
        self.url = url
        self.home = home
        self.procs: list[subprocess.Popen] = []

    def start(self, *extra: str) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "studio.cli", "worker", "--heartbeat", str(HEARTBEAT_S), "--poll", "0.05",
               "--retry-base", "0.1", *extra]
        if self.url:
            cmd += ["--redis", self.url]
        log = open(self.home / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        env = {**os.environ, "PYTHONPATH": str(REPO), "SHOTLINE_LOG_LEVEL": "INFO"}
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        return "\n".join((self.home / f"worker-{i}.log").read_text(errors="replace") for i in range(len(self.procs)))


@pytest.fixture
def workers(queue_url, shotline_home):
    pool = Workers(queue_url, shotline_home)
    yield pool
    pool.stop_all()


def wait_until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)
