"""studio.projects: projects made from scripts, their storyboard in the one store (the
`shots` rows, through `studio.projects.repository`), storyboard editing, and per-user
settings."""

from studio.projects.service import ASPECTS, ProjectService, pick_size
from studio.projects.settings import SettingsService

__all__ = ["ASPECTS", "ProjectService", "SettingsService", "pick_size"]
