"""Usage accounting (counted once per thing, grouped for the UI) and Prometheus metrics."""

from __future__ import annotations

import asyncio

import pytest

from studio.db import open_database
from studio.db.records import create_project, get_or_create_user, record_export
from studio.metrics import Metrics, metrics_app
from studio.usage import query_usage, record_usage


def test_usage_counts_each_ref_once_and_groups_by_user_project_and_day():
    db = open_database()
    ana, ben = get_or_create_user(db, "ana"), get_or_create_user(db, "ben")
    p1, p2 = create_project(db, "Pilot", ana), create_project(db, "Ads", ben)
    day = 1_795_000_000.0
    assert record_usage(db, "device_seconds", 12.5, ref="run-1", user_id=ana, project_id=p1, at=day)
    assert not record_usage(db, "device_seconds", 12.5, ref="run-1", user_id=ana, project_id=p1, at=day)
    record_usage(db, "device_seconds", 7.5, ref="run-2", user_id=ana, project_id=p1, at=day + 86_400)
    record_usage(db, "clips", 1, ref="clip-1", user_id=ana, project_id=p1, at=day)
    record_usage(db, "device_seconds", 3, ref="run-3", user_id=ben, project_id=p2, at=day)
    record_export(db, "/x.mp4", "mp4", project_id=p2, user_id=ben)
    rows = [r.to_dict() for r in query_usage(db)]
    assert rows[0] == {"user": "ana", "project": "Pilot", "day": None, "device_seconds": 20.0, "clips": 1,
                       "exports": 0}
    assert rows[1]["user"] == "ben" and rows[1]["exports"] == 1 and rows[1]["device_seconds"] == 3.0
    days = query_usage(db, "day", user_id=ana)
    assert [(r.day, r.device_seconds) for r in days] == [("2026-11-18", 12.5), ("2026-11-19", 7.5)]
    with pytest.raises(ValueError, match="usage kind 'gpu' is not known"):
        record_usage(db, "gpu", 1, ref="x")
    with pytest.raises(ValueError, match="group_by 'week' is not accepted"):
        query_usage(db, "week")


def test_metrics_expose_queue_depth_durations_and_failures_as_text_and_asgi():
    m = Metrics()
    m.bind_jobs(lambda: {"queued": 4, "running": 1, "done": 2, "failed": 1, "cancelled": 0}, lambda: 5)
    m.job_duration.labels("generate", "finished").observe(1.5)
    m.failures.labels("generate", "OutOfMemory").inc()
    text = m.text().decode()
    assert "shotline_queue_depth 4.0" in text
    assert 'shotline_jobs{status="running"} 1.0' in text
    assert 'shotline_job_run_seconds_count{kind="generate",outcome="finished"} 1.0' in text
    assert 'shotline_job_failures_total{error_kind="OutOfMemory",kind="generate"} 1.0' in text

    app = metrics_app(m)
    sent: list[dict] = []

    async def call():
        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await app({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}, receive, send)

    asyncio.run(call())
    assert sent[0]["status"] == 200
    assert b"shotline_queue_depth 4.0" in b"".join(s.get("body", b"") for s in sent)
