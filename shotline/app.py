"""Shotline's composition root: read the settings from the environment, open the database,
start the job mirror, the local workers (one per GPU, one on a CPU-only machine), compose
the rooms' services (studio.services; the one-click pipeline listens to the mirror's job
events), build the browser studio and launch it on 127.0.0.1; stop everything cleanly
on exit. `shotline studio`, `python -m studio` and ./studio.sh all land in `main()`.

Settings (environment): SHOTLINE_HOME, SHOTLINE_REDIS_URL, SHOTLINE_HOST (127.0.0.1),
SHOTLINE_PORT (7860), SHOTLINE_USERS_FILE / SHOTLINE_USERS (optional logins),
SHOTLINE_MAX_UPLOAD_MB (200). Gradio's GRADIO_SERVER_NAME / GRADIO_SERVER_PORT are read
too; SHOTLINE_HOST / SHOTLINE_PORT win where both are set. Prometheus metrics are served
at /metrics."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("shotline.app")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 7860
    redis_url: str | None = None
    max_upload_mb: int = 200
    workers: bool = True  # start local worker processes
    devices: list[str] | None = None  # None = one per GPU, else CPU
    defaults: dict[str, Any] = field(default_factory=dict)  # generation defaults (e.g. steps) for demos and tests

    @classmethod
    def from_env(cls) -> Settings:
        from studio.jobs import redis_url_from_env

        port_name = "SHOTLINE_PORT" if os.environ.get("SHOTLINE_PORT") else "GRADIO_SERVER_PORT"
        port_text = os.environ.get(port_name) or "7860"
        mb_text = os.environ.get("SHOTLINE_MAX_UPLOAD_MB", "200")
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise ValueError(f"{port_name} {port_text!r} is not accepted: a port number from 0 to 65535.")
        if not mb_text.isdigit() or not 1 <= int(mb_text) <= 100_000:
            raise ValueError(f"SHOTLINE_MAX_UPLOAD_MB {mb_text!r} is not accepted: a whole number of megabytes, 1 or more.")
        host = os.environ.get("SHOTLINE_HOST") or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
        return cls(host=host, port=int(port_text),
                   redis_url=redis_url_from_env(), max_upload_mb=int(mb_text))


def tiny_banner(models: list[dict[str, Any]]) -> str | None:
    """The banner shown when no worker has a real model's weights (the studio then uses `tiny`);
    `models` is what the workers report (studio.jobs.fleet.ModelService.models)."""
    from engine import list_cards

    if any(m["status"] == "local" and not m["built_locally"] for m in models):
        return None
    text_models = [c for c in list_cards() if not c.is_local_only and not c.needs_image and not c.needs_last_image]
    real = min(text_models, key=lambda c: c.size_gb).id if text_models else "wan2.1-t2v-1.3b"  # the lightest to start
    return ("**No real model is downloaded, so the studio runs on the tiny test model** (random weights: its clips "
            "are coloured noise, but every step — storyboard, queue, timeline, export — is real). "
            f"To make real videos, download {real} under Models & settings: a worker fetches it, and the studio "
            "uses it once the worker reports it.")


class Studio:
    """The running studio: services, workers and the web app. `close()` stops them all."""

    def __init__(self, settings: Settings):
        from studio import paths
        from studio.accounts.auth import LoginLimits, authenticator
        from studio.db import open_database
        from studio.jobs import open_studio_side, start_local_workers
        from studio.metrics import Metrics, MetricsRoute
        from studio.services import compose
        from studio.ui.app import build_ui, launch_options
        from studio.ui.guard import MediaGuard

        self.settings = settings
        self.metrics = Metrics()
        self.side = open_studio_side(settings.redis_url, metrics=self.metrics)
        self.side.mirror.start()
        self.pool = start_local_workers(settings.redis_url, settings.devices) if settings.workers else None
        self.service = compose(self.side.backend, defaults=settings.defaults,
                               max_upload_bytes=settings.max_upload_mb * 1024 * 1024)
        self.service.pipeline.start()
        self.side.mirror.listeners.append(self.service.pipeline.job_ended)
        self.service.pipeline.recover()
        self.demo = build_ui(self.service, banner=lambda: tiny_banner(self.service.models.models()))
        home = paths.home()
        from starlette.middleware import Middleware

        from shotline.data import asset_path

        allowed = [str(paths.media_dir(kind)) for kind in ("clips", "previews", "exports", "uploads")]
        self.launch_kwargs = launch_options(
            allowed_paths=[*allowed, str(asset_path())], max_file_size=f"{settings.max_upload_mb}mb",
            auth=authenticator(), i18n=self.demo.i18n_for_launch,
            middleware=[Middleware(MediaGuard, home=str(home), service=self.service, allowed=[str(asset_path())],
                                   limits=LoginLimits(open_database())), Middleware(MetricsRoute, metrics=self.metrics)])
        self.url: str | None = None
        self.home = home

    def launch(self, *, block: bool = True) -> str:
        self.demo.queue(default_concurrency_limit=8)
        _, url, _ = self.demo.launch(server_name=self.settings.host, server_port=self.settings.port or None,
                                     prevent_thread_lock=True, quiet=True, **self.launch_kwargs)
        self.url = url
        if block:
            done = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: done.set())
            print(f"Shotline studio: {url}  (Ctrl-C stops it)", file=sys.stderr)
            done.wait()
            self.close()
        return url

    def close(self) -> None:
        for step in (self.demo.close, self.service.pipeline.stop, *([self.pool.stop] if self.pool else []),
                     self.side.close):
            try:
                step()
            except Exception:  # noqa: BLE001 - stop everything even if one part fails; the log has it
                log.exception("stopping part of the studio failed")


def check_presets() -> None:
    """Read every preset the studio uses (SHOTLINE_PRESETS over the shipped ones) so a bad
    folder or file is one sentence at start, not a failure halfway through starting."""
    from engine import list_cards
    from studio.export.presets import list_presets
    from studio.prompts.presets import default_presets
    from studio.safety.policy import default_policy

    list_cards(), list_presets(), default_presets(), default_policy()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("SHOTLINE_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from studio import paths

        paths.private_files()
        settings = Settings.from_env()
        check_presets()  # before any worker or thread starts
        studio = Studio(settings)
    except (ValueError, FileNotFoundError) as err:  # a setting or a preset file: one sentence, no traceback
        print(f"shotline: {err}", file=sys.stderr)
        return 2
    studio.launch(block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
