"""studio.timeline: a project's timeline for the UI — assembled from its storyboard's
finished clips on first use, edited and saved (validated by the Timeline model; every
file it names must be the user's own)."""

from __future__ import annotations

import json
from typing import Any

from studio.assets.uploads import check_own_file
from studio.db.connections import Connections
from studio.db.records import get_or_create_user, save_timeline
from studio.projects import repository as store
from studio.timeline.assemble import timeline_for


class TimelineService:
    def __init__(self, conn: Connections):
        self.conn = conn

    def _project(self, user: str, project_id: str) -> dict[str, Any]:
        return store.get_flow(self.conn.db, get_or_create_user(self.conn.db, user), project_id)

    def timeline(self, user: str, project_id: str) -> dict[str, Any]:
        """The project's timeline document, assembled from the storyboard on first use."""
        flow = self._project(user, project_id)
        if flow.get("timeline_id"):
            row = self.conn.db.execute("SELECT data FROM timelines WHERE id = ?", [flow["timeline_id"]]).fetchone()
            if row:
                return json.loads(row[0])
        return self.rebuild_timeline(user, project_id)

    def rebuild_timeline(self, user: str, project_id: str) -> dict[str, Any]:
        flow = self._project(user, project_id)
        data = timeline_for(self.conn.db, flow)
        self._store(flow, data)
        return data

    def _store(self, flow: dict[str, Any], data: dict[str, Any]) -> str:
        db = self.conn.db
        tid = save_timeline(db, flow["project_id"], data, name=flow.get("name", ""), timeline_id=flow.get("timeline_id"))
        if tid != flow.get("timeline_id"):
            store.update_flow(db, flow["project_id"], timeline_id=tid)
            flow["timeline_id"] = tid
        return tid

    def save_timeline(self, user: str, project_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Validate (the Timeline model names the wrong field) and store an edited timeline.
        Clip, music and logo files must be this user's own (their clips, uploads, or the demo assets)."""
        from studio.timeline import Timeline

        flow = self._project(user, project_id)
        timeline = Timeline.from_dict(data)
        uid = get_or_create_user(self.conn.db, user)
        for source in [c.source for c in timeline.clips] + [m.source for m in timeline.music] + \
                ([timeline.logo.source] if timeline.logo else []):
            check_own_file(self.conn.db, uid, source)
        out = timeline.to_dict()
        self._store(flow, out)
        return out
