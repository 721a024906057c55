"""Local worker processes: the pool the studio starts, restarts and stops. Stopping a
worker mid-job hands the job back at once (no attempt spent); a job that kills its worker
every time ends failed after its budget while the pool keeps replacing the worker."""

from __future__ import annotations

import pytest

from studio.jobs import WorkerPool, start_local_workers
from tests.studio.jobs.conftest import HEARTBEAT_S, wait_until

pytestmark = pytest.mark.timeout(120)


def test_stopping_the_pool_mid_job_requeues_it_and_a_new_pool_finishes_it(studio, queue_url):
    job_id = studio.jobs.submit({"steps": 60, "step_s": 0.05, "echo": "long"}, kind="diagnostic")
    pool = start_local_workers(queue_url, devices=["cpu"], heartbeat_s=HEARTBEAT_S, poll_s=0.05)
    try:
        wait_until(lambda: studio.jobs.get(job_id)["progress_step"] >= 3, what="the job to run")
    finally:
        pool.stop()
    job = wait_until(lambda: (j := studio.jobs.get(job_id))["status"] == "queued" and j, timeout=10,
                     what="the job to be handed back")
    assert job["attempt"] == 1  # an interrupt spends no attempt
    assert [r["outcome"] for r in studio.jobs.runs(job_id)] == ["interrupted"]
    with WorkerPool(["cpu"], redis_url=queue_url, heartbeat_s=HEARTBEAT_S, poll_s=0.05):
        done = studio.mirror.wait_for([job_id], timeout=60)[0]
    assert done["status"] == "done" and done["result"]["echo"] == "long"
    assert [r["outcome"] for r in studio.jobs.runs(job_id)] == ["interrupted", "finished"]


def test_a_job_that_kills_its_worker_fails_after_its_budget_and_the_pool_replaces_workers(sqlite_studio):
    studio = sqlite_studio
    poison = studio.jobs.submit({"steps": 3, "fail": "crash", "crash_at": 1}, kind="diagnostic", max_attempts=2)
    with WorkerPool(["cpu"], heartbeat_s=HEARTBEAT_S, poll_s=0.05) as pool:
        job = studio.mirror.wait_for([poison], timeout=60)[0]
        assert job["status"] == "failed" and job["error_kind"] == "WorkerLost"
        assert "stopped responding 2 times" in job["error"]
        assert [r["outcome"] for r in studio.jobs.runs(poison)] == ["lost", "lost"]
        assert pool.restarts >= 2
        after = studio.jobs.submit({"echo": "still working"}, kind="diagnostic")
        assert studio.mirror.wait_for([after], timeout=30)[0]["status"] == "done"
