"""studio.flow: the browser studio's service layer — projects made from scripts, the
editable storyboard, queueing and steering jobs, the timeline, renders and exports as
background tasks, the library, variants, settings, and the one-click path (script ->
storyboard -> clips -> timeline -> final cut), whose state lives in the database and
advances in the studio process (FlowRunner), never inside a UI handler."""

from studio.flow.runner import FlowRunner
from studio.flow.service import ASPECTS, StudioService
from studio.flow.studio import Studio

__all__ = ["ASPECTS", "FlowRunner", "Studio", "StudioService"]
