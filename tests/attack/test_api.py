"""Attack: the UI API through gradio_client. Named endpoints that take a project accept
its id as a plain string (the service checks it is yours); bob's calls with alice's ids
or with junk get one sentence and change nothing; the example script drives script ->
final cut."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from gradio_client.exceptions import AppError

from tests.attack.conftest import calm
from tests.studio_app import USERS

REPO = Path(__file__).resolve().parents[2]
PROJECT_ENDPOINTS = [("/queue_all", ()), ("/preview_render", ()), ("/export", ("720p",)), ("/queue", ()),
                     ("/project", ()), ("/jobs", ()), ("/export_api", ("720p",)), ("/preview_api", ())]


@pytest.mark.parametrize(("endpoint", "extra"), PROJECT_ENDPOINTS)
def test_bob_cannot_act_on_alices_project_by_its_id(client_for, alice_work, endpoint, extra):
    bob = client_for("bob")
    answers = []
    for probe in (alice_work["project_id"], "0" * 32, "x" * 10_000):
        with pytest.raises(AppError) as err:
            bob.predict(probe, *extra, api_name=endpoint)
        text = calm(str(err.value))
        assert "x" * 100 not in text
        answers.append(text.replace(probe, "<id>"))
    assert answers[0] == answers[1], answers  # not yours == does not exist


def test_alice_acts_on_her_own_project_by_its_id_string(client_for, alice_work):
    alice = client_for("alice")
    exports = alice.predict(alice_work["project_id"], api_name="/exports")
    assert alice_work["export_id"] in [e["id"] for e in exports]
    pid = alice.predict("镜头1：一只猫在窗台上。", "", "16:9", api_name="/storyboard")
    alice.predict(pid, api_name="/queue_all")  # a page's action, the project given as its id string
    jobs = alice.predict(pid, api_name="/jobs")
    assert jobs and all(j["status"] in ("queued", "running", "done") for j in jobs)
    for job in jobs:
        alice.predict(job["id"], api_name="/cancel_job")
    assert all(j["status"] in ("cancelled", "running", "done") for j in alice.predict(pid, api_name="/jobs"))


@pytest.mark.parametrize("clip", ["0" * 32, "../../shotline.db", "%"])
def test_reusing_a_junk_or_foreign_clip_is_refused(client_for, alice_work, clip):
    bob = client_for("bob")
    bob_project = bob.predict("镜头1：一只猫在窗台上。", "", "16:9", api_name="/storyboard")
    for probe in (clip, alice_work["clip_id"]):
        with pytest.raises(AppError) as err:
            bob.predict(probe, bob_project, api_name="/reuse_clip")
        calm(str(err.value))


@pytest.mark.slow
def test_the_example_script_drives_script_to_final_cut(studio, alice_work, tmp_path, attack_dirs):
    script = tmp_path / "script.txt"
    script.write_text("镜头1：清晨的海边，一只白色的风筝飞上天空。\n", encoding="utf-8")
    out = tmp_path / "final.mp4"
    client_tmp = tmp_path / "client"  # the script is another machine's client: its downloads are its own
    client_tmp.mkdir()
    env = {**os.environ, "SHOTLINE_PASSWORD": USERS["bob"], "PYTHONPATH": str(REPO), "TMPDIR": str(client_tmp),
           "GRADIO_TEMP_DIR": str(client_tmp)}
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "api_example.py"), studio.url, "--user", "bob",
                          "--script", str(script), "--out", str(out), "--timeout", "300"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.is_file() and out.read_bytes()[4:8] == b"ftyp"
    assert re.search(r"clips: (\d+)/\1 done", run.stderr) and run.stdout.strip() == str(out)
