"""Attack: job ids through the UI API and the CLI. Wildcards act on nothing, "not yours"
reads exactly like "does not exist", and a long or odd id is refused without being
echoed; `shotline jobs cancel ______` cancels nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gradio_client.exceptions import AppError

from tests.attack.conftest import calm, env_for_cli

ODD = ["______", "%", "________________________________", "%%%%%%%%", "1234567_", "a" * 100_000, "../../shotline.db",
       "' OR 1=1 --", "abc", "\u202e" * 10]


def _refusal(client, job: str, endpoint: str) -> str:
    args = (job,) if endpoint != "/set_priority" else (job, 5)
    with pytest.raises(AppError) as err:
        client.predict(*args, api_name=endpoint)
    return str(err.value)


@pytest.mark.parametrize("job", ODD)
def test_odd_ids_are_refused_without_echo(client_for, alice_work, job):
    text = calm(_refusal(client_for("bob"), job, "/cancel_job"), names="job id")
    assert job.strip() not in text or len(job.strip()) < 3


@pytest.mark.parametrize("endpoint", ["/cancel_job", "/retry_job", "/set_priority"])
def test_not_yours_reads_like_does_not_exist(client_for, alice_work, endpoint):
    bob = client_for("bob")
    theirs = alice_work["job_ids"][0]
    answers = {probe: _refusal(bob, probe, endpoint) for probe in (theirs, theirs[:8], "0" * 32, "0" * 8)}
    shapes = {text.replace(probe, "<id>") for probe, text in answers.items()}
    assert len(shapes) == 1, answers
    calm(next(iter(answers.values())))


def test_a_prefix_walk_finds_nothing(client_for, alice_work):
    """The issue's oracle: bob guessing alice's id one character at a time learns nothing."""
    bob = client_for("bob")
    theirs = alice_work["job_ids"][0]
    seen = {_refusal(bob, theirs[:n] + "_" * (8 - n) if n < 8 else theirs[:n], "/cancel_job").replace(theirs[:n], "")
            for n in (1, 4, 8, 12)}
    assert len({s for s in seen if "not known" in s}) <= 1


@pytest.mark.parametrize("job", ["______", "%", "________", "a" * 100_000])
def test_cli_cancel_with_wildcards_acts_on_nothing(studio, alice_work, attack_dirs, job):
    before = {j: studio.service.jobs.get(j)["status"] for j in alice_work["job_ids"]}
    queued = studio.service.jobs.submit({"steps": 0}, kind="diagnostic", user="carol", priority=-100)
    try:
        out = subprocess.run([sys.executable, "-m", "studio.cli", "jobs", "cancel", job], capture_output=True, text=True,
                             env=env_for_cli(studio.home, attack_dirs["tmp"]), timeout=120)
        assert out.returncode != 0
        text = calm(out.stderr.strip().removeprefix("shotline: "))
        assert job not in text or len(job) < 3
        assert studio.service.jobs.get(queued)["status"] in ("queued", "running", "done")
        assert {j: studio.service.jobs.get(j)["status"] for j in alice_work["job_ids"]} == before
    finally:
        studio.service.jobs.cancel(queued)
