"""tests/attack: the attack suite. One studio for the whole package (real worker, tiny
model, two users) with alice's finished one-click as the work an attacker goes after.

After every case the `aftermath` fixture checks what the issue asks of each: the studio
still answers, its workers are alive, no file appeared in the (private) temp folder,
i.e. outside the data folder, and alice's work is untouched (her export file, project
status and jobs as before)."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.studio_app import USERS, running_studio

SCRIPT = ("镜头1：清晨的咖啡馆，阳光洒在木桌上。\n旁白：每一天，从一杯好咖啡开始。\n"
          "镜头2：咖啡师微笑着递上一杯拿铁。\n旁白：山谷咖啡，温暖你的早晨。")


@pytest.fixture(scope="package")
def attack_dirs(tmp_path_factory):
    return {"home": tmp_path_factory.mktemp("attack-home"), "tmp": tmp_path_factory.mktemp("attack-tmp"),
            "gradio": tmp_path_factory.mktemp("attack-gradio-cache")}


@pytest.fixture(autouse=True)
def shotline_home(attack_dirs, monkeypatch):  # overrides tests/conftest.py's per-test home
    monkeypatch.setenv("SHOTLINE_HOME", str(attack_dirs["home"]))
    return attack_dirs["home"]


@pytest.fixture(scope="package")
def studio(attack_dirs, _model_caches):
    """The studio, with the temp folder and Gradio's cache pointed at folders of its own, so
    that a file written outside the data folder is seen (and nobody else's is)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TMPDIR", str(attack_dirs["tmp"]))
    mp.setenv("GRADIO_TEMP_DIR", str(attack_dirs["gradio"]))
    mp.setattr(tempfile, "tempdir", str(attack_dirs["tmp"]))
    for var, sub in (("TORCHINDUCTOR_CACHE_DIR", "torchinductor"), ("TRITON_CACHE_DIR", "triton")):
        mp.setenv(var, str(attack_dirs["home"] / "cache" / sub))  # as app.main's paths.private_files() does
    try:
        with running_studio(attack_dirs["home"]) as running:
            yield running
    finally:
        mp.undo()


def login(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    r = client.post("/login", data={"username": user, "password": USERS[user]})
    assert r.status_code == 200, r.text
    return client


@pytest.fixture(scope="package")
def client_for(studio):
    from gradio_client import Client

    clients: dict[str, Client] = {}

    def get(user: str) -> Client:
        if user not in clients:
            clients[user] = Client(studio.url, auth=(user, USERS[user]), verbose=False)
        return clients[user]

    return get


@pytest.fixture(scope="package")
def cookies(studio):
    """A Cookie header per user (signed in once for the package)."""
    out = {}
    for user in USERS:
        client = login(studio.url, user)
        out[user] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        client.close()
    return out


def raw_get(url: str, path: str, cookie: str | None = None, method: str = "GET") -> tuple[int, str]:
    """A request with the path sent exactly as written (no client-side `..` clean-up)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        return resp.status, resp.read(4096).decode("utf-8", "replace")
    finally:
        conn.close()


def wait_for(fn, what: str, timeout: float = 180.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="package")
def alice_work(studio, client_for):
    """Alice's finished one-click: project, jobs, clips, previews, export (and its sidecar)."""
    alice = client_for("alice")
    pid = alice.predict(SCRIPT, api_name="/one_click_api")
    wait_for(lambda: alice.predict(pid, api_name="/project")["status"] in ("done", "failed"), "alice's cut")
    project = alice.predict(pid, api_name="/project")
    assert project["status"] == "done", project
    export = studio.service.renders.export("alice", project["export_id"])
    jobs = [studio.service.jobs.get(j["id"]) for j in alice.predict(pid, api_name="/jobs")]
    clip = studio.service.library.own_clip("alice", jobs[0]["clip_id"])
    return {"project_id": pid, "export_id": project["export_id"], "export_path": export["path"],
            "job_ids": [j["id"] for j in jobs], "clip_id": jobs[0]["clip_id"], "clip_path": clip["path"],
            "preview_path": jobs[0]["preview_path"],
            "export_sha": hashlib.sha256(Path(export["path"]).read_bytes()).hexdigest()}


def _tmp_entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture(autouse=True)
def aftermath(request, attack_dirs):
    """The per-case checks (skipped for cases that start no studio)."""
    if "studio" not in request.fixturenames:
        yield
        return
    studio = request.getfixturevalue("studio")
    work = request.getfixturevalue("alice_work") if "alice_work" in request.fixturenames else None
    before = _tmp_entries(attack_dirs["tmp"])
    yield
    assert httpx.get(studio.url, timeout=30).status_code == 200, "the studio stopped answering"
    assert studio.pool is None or len(studio.pool.pids()) == len(studio.pool.devices), "a worker died"
    new = _tmp_entries(attack_dirs["tmp"]) - before
    assert not new, f"files written outside the data folder: {sorted(new)}"
    if work is not None:
        assert hashlib.sha256(Path(work["export_path"]).read_bytes()).hexdigest() == work["export_sha"]
        assert studio.service.projects.project("alice", work["project_id"])["status"] == "done"
        assert all(studio.service.jobs.get(j)["status"] == "done" for j in work["job_ids"])


TRACE = re.compile(r"Traceback|File \"|line \d+, in |Error\(|\bat 0x[0-9a-f]+")


def calm(text: str, *, names: str | None = None, limit: int = 400) -> str:
    """Assert `text` is one clear sentence for a person: no traceback, short, ends like a
    sentence, and (if given) names the field or value `names`."""
    text = str(text).strip()
    assert text, "no sentence at all"
    assert not TRACE.search(text), f"a traceback or repr reached the user: {text[:300]}"
    assert "\n" not in text and len(text) <= limit, f"not one short sentence: {text[:300]}"
    assert text[-1] in ".。)」'\"", f"not a sentence: {text[:300]}"
    if names is not None:
        assert names.lower() in text.lower(), f"{names!r} is not named in: {text}"
    return text


def env_for_cli(home: Path, tmp: Path) -> dict[str, str]:
    repo = Path(__file__).resolve().parents[2]
    return {**os.environ, "SHOTLINE_HOME": str(home), "TMPDIR": str(tmp), "PYTHONPATH": str(repo)}
