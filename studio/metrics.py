"""studio: Prometheus metrics for operations. One registry the studio mounts at
`/metrics` (`metrics_app()` is an ASGI app; `metrics_text()` the exposition bytes):
queue depth and jobs by status (read from the job records at scrape time), job run
durations, failures and retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, make_asgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

DURATION_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600)


class _JobsCollector(Collector):
    def __init__(self, counts: Callable[[], dict[str, int]], queue_length: Callable[[], int] | None):
        self.counts = counts
        self.queue_length = queue_length

    def collect(self) -> Any:
        jobs = GaugeMetricFamily("shotline_jobs", "Jobs by status (from the job records).", labels=["status"])
        for status, n in self.counts().items():
            jobs.add_metric([status], n)
        yield jobs
        depth = GaugeMetricFamily("shotline_queue_depth", "Jobs waiting to run.")
        depth.add_metric([], self.counts().get("queued", 0))
        yield depth
        if self.queue_length is not None:
            msgs = GaugeMetricFamily("shotline_queue_messages", "Messages in the huey queue (includes revoked ones).")
            msgs.add_metric([], self.queue_length())
            yield msgs


class Metrics:
    """The studio's metrics. `bind_jobs` attaches the live counts; the mirror records
    durations, failures and retries as it applies worker events."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.job_duration = Histogram("shotline_job_run_seconds", "Device time of a job run, by kind and outcome.",
                                      ["kind", "outcome"], buckets=DURATION_BUCKETS, registry=self.registry)
        self.queue_wait = Histogram("shotline_job_queue_wait_seconds", "From submit to first start.", ["kind"],
                                    buckets=DURATION_BUCKETS, registry=self.registry)
        self.failures = Counter("shotline_job_failures_total", "Jobs that ended failed, by kind and error.",
                                ["kind", "error_kind"], registry=self.registry)
        self.retries = Counter("shotline_job_retries_total", "Runs retried or requeued, by reason.", ["reason"],
                               registry=self.registry)
        self.completed = Counter("shotline_jobs_completed_total", "Jobs that ended, by kind and status.",
                                 ["kind", "status"], registry=self.registry)
        self._collector: _JobsCollector | None = None

    def bind_jobs(self, counts: Callable[[], dict[str, int]], queue_length: Callable[[], int] | None = None) -> None:
        if self._collector is not None:
            self.registry.unregister(self._collector)
        self._collector = _JobsCollector(counts, queue_length)
        self.registry.register(self._collector)

    def text(self) -> bytes:
        return generate_latest(self.registry)

    def asgi_app(self) -> Any:
        return make_asgi_app(registry=self.registry)


def metrics_text(metrics: Metrics) -> bytes:
    return metrics.text()


def metrics_app(metrics: Metrics) -> Any:
    """An ASGI app serving the registry (mount it at /metrics)."""
    return metrics.asgi_app()


class MetricsRoute:
    """ASGI middleware that answers `GET /metrics` from the registry and passes every other
    request on, so the studio's web app serves Prometheus without a second port."""

    def __init__(self, app: Any, metrics: Metrics, path: str = "/metrics"):
        self.app, self.metrics_app, self.path = app, metrics.asgi_app(), path

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("path") == self.path:
            await self.metrics_app({**scope, "path": "/", "raw_path": b"/"}, receive, send)
            return
        await self.app(scope, receive, send)
