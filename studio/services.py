"""studio: the one place the rooms' services are composed for the browser studio. The UI
gets a `StudioServices`, which only *holds* each room's service (no inheritance, no
methods of its own beyond wiring):

    services.projects   studio.projects   projects from scripts, storyboard editing
    services.shots      studio.jobs       a storyboard's shots as jobs; cancel, retry, priority
    services.pipeline   studio.pipeline   one-click, moved on by job events
    services.assets     studio.assets     uploads and their checks
    services.timelines  studio.timeline   a project's timeline: assemble, edit, save
    services.renders    studio.export     exports and previews as jobs; the exports list
    services.library    studio.library    search, reuse, thumbnails
    services.variants   studio.library    A/B variants and winners
    services.models     studio.jobs       models as the workers report them; downloads as jobs
    services.settings   studio.projects   per-user settings and usage
    services.cards      studio.projects   a shot card's images, continuity, tier, voice check, thumbnail
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from studio.assets.uploads import UploadService
from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.export.renders import RenderService
from studio.jobs.fleet import ModelService
from studio.jobs.queue import QueueBackend
from studio.jobs.service import JobService
from studio.jobs.shots import ShotQueue
from studio.library.service import LibraryService
from studio.library.variants import VariantService
from studio.pipeline import Pipeline
from studio.projects import ProjectService, SettingsService
from studio.projects.cards import CardService
from studio.timeline.service import TimelineService


@dataclass
class StudioServices:
    conn: Connections
    backend: QueueBackend
    projects: ProjectService
    shots: ShotQueue
    pipeline: Pipeline
    assets: UploadService
    timelines: TimelineService
    renders: RenderService
    library: LibraryService
    variants: VariantService
    models: ModelService
    settings: SettingsService
    cards: CardService

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    @property
    def jobs(self) -> JobService:
        return JobService(self.conn.db, self.backend)

    def user_id(self, user: str) -> str:
        return get_or_create_user(self.conn.db, user)


def compose(backend: QueueBackend, *, db_path: str | os.PathLike[str] | None = None,
            defaults: dict[str, Any] | None = None, max_upload_bytes: int = 200 * 1024 * 1024) -> StudioServices:
    """Every room's service over one database (a connection per thread) and one queue."""
    conn = Connections(db_path)
    models = ModelService(conn, backend)
    projects = ProjectService(conn, default_model=models.default_model, defaults=defaults)
    shots = ShotQueue(conn, backend)
    pipeline = Pipeline(conn, backend, projects=projects, shots=shots)
    shots.on_job_ended = pipeline.job_ended  # a job cancelled here moves its project on at once
    timelines = TimelineService(conn)
    library = LibraryService(conn, timelines)
    assets = UploadService(conn, max_upload_bytes=max_upload_bytes)
    return StudioServices(conn=conn, backend=backend, projects=projects, shots=shots, pipeline=pipeline,
                          assets=assets, timelines=timelines,
                          renders=RenderService(conn, backend, timelines), library=library,
                          variants=VariantService(conn, shots, library), models=models,
                          settings=SettingsService(conn), cards=CardService(conn, assets, library))
