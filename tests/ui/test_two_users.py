"""Two users of one studio, at the HTTP level: bob can neither list, open, steer nor
download alice's projects, jobs, exports or clips — through the API or by asking Gradio's
/file= route for the path of alice's export. Alice's own direct path is refused too:
files are served only as the cache copies a page handed out."""

from __future__ import annotations

import httpx
import pytest
from gradio_client.exceptions import AppError

from tests.studio_app import USERS
from tests.ui.test_api_flow import SCRIPT, wait_for


def login(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    r = client.post("/login", data={"username": user, "password": USERS[user]})
    assert r.status_code == 200, r.text
    return client


@pytest.fixture(scope="module")
def alice_export(client_for, studio):
    """Alice's project with a finished export (her one-click flow, run through the API)."""
    alice = client_for("alice")
    done = [p for p in alice.predict(api_name="/list_projects") if p["export_id"]]
    if not done:
        pid = alice.predict(SCRIPT, api_name="/one_click_api")
        wait_for(lambda: alice.predict(pid, api_name="/project")["status"] in ("done", "failed"), "alice's cut", 180)
        done = [p for p in alice.predict(api_name="/list_projects") if p["export_id"]]
    assert done, "alice has no finished export"
    project = done[0]
    export = studio.service.renders.export("alice", project["export_id"])
    jobs = alice.predict(project["project_id"], api_name="/jobs")
    return {"project_id": project["project_id"], "export_id": project["export_id"], "path": export["path"],
            "job_id": jobs[0]["id"], "clip_id": jobs[0]["clip_id"]}


@pytest.mark.slow
def test_bob_cannot_reach_alices_work(client_for, studio, alice_export):
    bob = client_for("bob")
    alice = client_for("alice")
    pid = alice_export["project_id"]
    assert pid in [p["project_id"] for p in alice.predict(api_name="/list_projects")]
    assert pid not in [p["project_id"] for p in bob.predict(api_name="/list_projects")]
    for args, endpoint in (((pid,), "/project"), ((pid,), "/jobs"), ((pid,), "/queue"), ((pid, "720p"), "/export_api"),
                           ((alice_export["export_id"],), "/export_file")):
        with pytest.raises(AppError, match="is not known"):
            bob.predict(*args, api_name=endpoint)
    assert bob.predict("", api_name="/exports") == []
    # the library: alice finds her clips in Chinese; bob finds none of them
    mine = alice.predict("咖啡", "", "", False, None, api_name="/search_library")
    assert alice_export["clip_id"] in [row[-1] for row in mine["data"]]
    assert bob.predict("咖啡", "", "", False, None, api_name="/search_library")["data"] == []
    # steering alice's job or reusing her clip by id is refused with the same sentence
    with pytest.raises(AppError, match="is not known"):
        bob.predict(alice_export["job_id"], api_name="/cancel_job")
    # alice can fetch her own file through the endpoint (a cache copy)
    mine = alice.predict(alice_export["export_id"], api_name="/export_file")
    assert mine and open(mine, "rb").read(12)[4:8] == b"ftyp"


@pytest.mark.slow
def test_guessed_file_paths_are_refused(studio, alice_export):
    url = studio.url
    path = alice_export["path"]
    bob = login(url, "bob")
    alice = login(url, "alice")
    for client in (bob, alice):  # a direct path inside SHOTLINE_HOME is never served, to anyone
        for variant in (path, path.replace("/media/", "/media/./"), "/" + path.lstrip("/")):
            r = client.get(f"/gradio_api/file={variant}")
            assert r.status_code == 404, (variant, r.status_code)
        assert client.get(f"/gradio_api/file={studio.home / 'shotline.db'}").status_code == 404
    # the one URL that serves alice's file (her cache copy) needs a login
    from gradio_client import Client

    copy = Client(url, auth=("alice", USERS["alice"]), verbose=False, download_files=False).predict(
        alice_export["export_id"], api_name="/export_file")
    cached = copy["url"] if isinstance(copy, dict) else copy
    assert alice.get(cached).status_code == 200
    assert httpx.get(cached, timeout=30).status_code in (401, 403)


def test_wrong_password_is_refused(studio):
    r = httpx.post(f"{studio.url}login", data={"username": "bob", "password": "not-bobs"}, timeout=30)
    assert r.status_code in (400, 401)
    assert httpx.get(f"{studio.url}gradio_api/info", timeout=30).status_code in (401, 403)


def test_uploads_over_the_size_limit_are_refused(studio):
    client = login(studio.url, "alice")  # the test studio allows 2 MB
    small = client.post("/gradio_api/upload", files={"files": ("logo.png", b"x" * 1000, "image/png")})
    big = client.post("/gradio_api/upload", files={"files": ("music.mp3", b"x" * (3 * 1024 * 1024), "audio/mpeg")})
    assert small.status_code == 200 and big.status_code == 413


def test_the_studio_serves_prometheus_metrics_at_slash_metrics(studio, alice_export):
    import re

    assert httpx.get(f"{studio.url}metrics", timeout=30).status_code == 401  # users configured: a login is needed
    r = login(studio.url, "alice").get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert re.search(r"^shotline_queue_depth(\{[^}]*\})? \d", r.text, re.M), r.text[:500]
    # the mirror recorded alice's finished generation runs
    runs = re.findall(r'^shotline_job_run_seconds_count\{kind="generate",outcome="([a-z]+)"\} (\d+)', r.text, re.M)
    assert any(int(n) >= 1 for _, n in runs), runs
