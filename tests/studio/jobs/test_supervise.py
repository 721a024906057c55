"""Supervision without the studio: only `JobService.submit` (what `shotline jobs submit`
does) and real `shotline worker` processes, no studio and no mirror thread. Ten workers
are SIGKILLed one after another, each in the middle of a job; the next worker's
supervisor requeues the dead one's run, and in the end every job has finished exactly
once (one finished run each, every killed run recorded as lost), on SQLite and Redis."""

from __future__ import annotations

import pytest

from tests.studio.jobs.conftest import wait_until

pytestmark = pytest.mark.timeout(400)
KILLS = 10


def _running_on(backend, job_ids, pid):
    for jid in job_ids:
        state = backend.get_json(f"state:{jid}")
        if state and state.get("status") == "running" and state.get("step", 0) >= 2 \
                and f":{pid}:" in (state.get("worker") or ""):
            return jid
    return None


def test_ten_sigkilled_workers_jobs_finish_exactly_once_with_no_studio(queue_url, workers):
    from studio.db import open_database
    from studio.jobs.mirror import Mirror
    from studio.jobs.queue import QueueBackend
    from studio.jobs.service import JobService

    db = open_database()
    backend = QueueBackend(queue_url)
    jobs = JobService(db, backend)
    ids = [jobs.submit({"steps": 40, "step_s": 0.05, "echo": str(i)}, kind="diagnostic", max_attempts=20)
           for i in range(3)]
    victims = []
    worker = workers.start()
    for _ in range(KILLS):
        victim = wait_until(lambda w=worker: _running_on(backend, ids, w.pid), timeout=120,
                            what="a job running on the newest worker")
        workers.kill(worker)
        victims.append(victim)
        worker = workers.start()  # its supervisor finds the dead worker's run and requeues it
    assert worker.poll() is None

    # no studio ran; what `shotline jobs list` does (drain the reports once) records the outcome
    mirror = Mirror(backend, heartbeat_s=0.2, stale_after_s=1e9)  # this reader never requeues by itself
    try:
        done = mirror.wait_for(ids, timeout=180)
        assert [j["status"] for j in done] == ["done"] * 3, [(j["status"], j["error"]) for j in done]
        assert [j["result"]["echo"] for j in done] == ["0", "1", "2"]
        outcomes = {jid: [r["outcome"] for r in jobs.runs(jid)] for jid in ids}
        for jid in ids:
            assert outcomes[jid].count("finished") == 1, outcomes[jid]
            assert outcomes[jid].count("lost") == victims.count(jid), (outcomes[jid], victims.count(jid))
        assert sum(o.count("lost") for o in outcomes.values()) == KILLS
    finally:
        mirror.close()
        backend.close()
        db.close()
