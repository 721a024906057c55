"""The queue suite, run against both backends (SQLite, and Redis with real worker
processes): priority order, crash safety, studio restarts, cancel, retry and poison jobs.
Mechanics tests use the `diagnostic` task (the queue really runs it); the issue's
done-when tests run the real tiny model."""

from __future__ import annotations

import random

import pytest

from tests.studio.jobs.conftest import wait_until

pytestmark = pytest.mark.timeout(120)


def diag(**params):
    return {"steps": 1, "step_s": 0.0, **params}


def start_order(side, job_ids):
    """Job ids in the order their first run started (worker clock)."""
    rows = side.db.execute(
        f"SELECT job_id, MIN(started_at) FROM job_runs WHERE job_id IN ({','.join('?' * len(job_ids))})"
        " GROUP BY job_id ORDER BY MIN(started_at)", list(job_ids)).fetchall()
    return [r[0] for r in rows]


def runs(side, job_id):
    return side.jobs.runs(job_id)


def test_priorities_run_highest_first_fifo_within(studio, workers):
    ids = {p: studio.jobs.submit(diag(echo=str(p)), kind="diagnostic", priority=p) for p in (0, 5, 9)}
    same = [studio.jobs.submit(diag(echo=f"five-{i}"), kind="diagnostic", priority=5) for i in range(3)]
    workers.start()
    studio.mirror.wait_for([*ids.values(), *same], timeout=60)
    order = start_order(studio, [*ids.values(), *same])
    assert order == [ids[9], ids[5], *same, ids[0]]


def test_priority_order_over_200_queued_jobs(studio, workers):
    rng = random.Random(200)
    jobs = [(rng.randrange(10), studio.jobs.submit(diag(steps=0), kind="diagnostic", priority=0)) for _ in range(200)]
    # re-prioritising a queued job keeps its record and moves it to the back of its new priority
    jobs = [(p, jid) for p, jid in jobs]
    for p, jid in jobs:
        if p:
            studio.jobs.set_priority(jid, p)
    workers.start()
    studio.mirror.wait_for([jid for _, jid in jobs], timeout=90)
    expected = [jid for _, jid in sorted(jobs, key=lambda pj: -pj[0])]  # stable sort: FIFO within a priority
    assert start_order(studio, [jid for _, jid in jobs]) == expected
    assert all(len(runs(studio, jid)) == 1 for _, jid in jobs)  # revoked messages never ran


def test_sigkill_mid_job_is_requeued_and_finishes_once(studio, workers):
    ids = [studio.jobs.submit(diag(steps=30, step_s=0.05, echo=str(i)), kind="diagnostic", priority=i)
           for i in range(3)]
    first = workers.start()
    if studio.backend.kind == "redis":
        workers.start()  # two workers on Redis
    wait_until(lambda: any(j["status"] == "running" and j["progress_step"] >= 3 and j["worker"]
                           and str(first.pid) in j["worker"] for j in map(studio.jobs.get, ids)),
               what="a job running on the first worker")
    victim = next(j for j in map(studio.jobs.get, ids) if j["status"] == "running" and str(first.pid) in j["worker"])
    workers.kill(first)
    workers.start()
    done = studio.mirror.wait_for(ids, timeout=60)
    assert [j["status"] for j in done] == ["done"] * 3
    assert [j["result"]["echo"] for j in done] == ["0", "1", "2"]
    outcomes = [r["outcome"] for r in runs(studio, victim["id"])]
    assert outcomes == ["lost", "finished"]
    assert studio.jobs.get(victim["id"])["attempts"] == 2
    for j in done:
        if j["id"] != victim["id"]:
            assert [r["outcome"] for r in runs(studio, j["id"])] == ["finished"]


def test_studio_stopped_while_queued_nothing_lost_nothing_duplicated(queue_url, workers, shotline_home):
    from studio.jobs import open_studio_side

    side = open_studio_side(queue_url, heartbeat_s=0.2, stale_after_s=1.2)
    ids = [side.jobs.submit(diag(steps=2, step_s=0.02, echo=str(i)), kind="diagnostic") for i in range(6)]
    # a record whose message never made it (the studio died between the two writes)
    lost = side.jobs.submit(diag(echo="orphan"), kind="diagnostic")
    side.backend.revoke(side.jobs.get(lost)["run_id"])
    side.close()  # the studio side stops with everything queued; no mirror runs

    workers.start()
    wait_until(lambda: workers.procs[0].poll() is None and _events_waiting(queue_url) >= 6 * 4,
               what="workers to run the jobs with no studio")
    again = open_studio_side(queue_url, heartbeat_s=0.2, stale_after_s=1.2)
    again.mirror.orphan_check_s = 0.5
    again.mirror.start()
    try:
        done = again.mirror.wait_for([*ids, lost], timeout=60)
        assert [j["status"] for j in done] == ["done"] * 7
        assert [j["result"]["echo"] for j in done] == [*map(str, range(6)), "orphan"]
        for jid in [*ids, lost]:
            assert len(again.jobs.runs(jid)) == 1
        # replaying is harmless: the mirror finds nothing more to do
        again.mirror.sweep(check_orphans=True)
        assert again.db.execute("SELECT COUNT(*) FROM job_runs").fetchone()[0] == 7
    finally:
        again.close()


def _events_waiting(url):
    from studio.jobs.queue import QueueBackend

    backend = QueueBackend(url)
    try:
        return backend.events.queue_size()
    finally:
        backend.close()


def test_cancel_queued_never_starts_and_running_stops_at_next_step(studio, workers):
    queued = studio.jobs.submit(diag(echo="never"), kind="diagnostic", priority=9)
    assert studio.jobs.cancel(queued) == "cancelled"
    long = studio.jobs.submit(diag(steps=400, step_s=0.05), kind="diagnostic")
    workers.start()
    wait_until(lambda: studio.jobs.get(long)["progress_step"] >= 2, what="the long job to be running")
    assert studio.jobs.cancel(long) == "running"  # asked; the worker confirms
    job = studio.mirror.wait_for([long], timeout=20)[0]
    assert job["status"] == "cancelled"
    assert 2 <= job["progress_step"] < 400
    assert runs(studio, queued) == []
    assert studio.jobs.get(queued)["status"] == "cancelled"
    # the worker is free again
    after = studio.jobs.submit(diag(echo="after"), kind="diagnostic")
    assert studio.mirror.wait_for([after], timeout=20)[0]["status"] == "done"


def test_poison_job_fails_after_its_retry_budget(studio, workers):
    poison = studio.jobs.submit(diag(fail="error"), kind="diagnostic", max_attempts=3)
    bad = studio.jobs.submit(diag(fail="invalid"), kind="diagnostic", max_attempts=3)
    workers.start()
    jobs = studio.mirror.wait_for([poison, bad], timeout=60)
    assert jobs[0]["status"] == "failed"
    assert "gave up after 3 attempts" in jobs[0]["error"]
    assert [r["outcome"] for r in runs(studio, poison)] == ["retry", "retry", "failed"]
    # a permanent error fails at once, with the reason
    assert jobs[1]["status"] == "failed" and jobs[1]["error_kind"] == "InvalidRequest"
    assert "is not accepted" in jobs[1]["error"]
    assert len(runs(studio, bad)) == 1


def test_out_of_memory_retries_with_the_next_lower_memory_mode(studio, workers):
    job_id = studio.jobs.submit(diag(oom_above="model_offload", echo="fits"), kind="diagnostic")
    workers.start()
    job = studio.mirror.wait_for([job_id], timeout=30)[0]
    assert job["status"] == "done"
    assert job["result"]["memory_mode"] == "model_offload"
    assert [r["outcome"] for r in runs(studio, job_id)] == ["retry", "finished"]
    assert job["memory_mode"] == "model_offload"
