"""studio.projects: a user's settings (model, memory mode, speed options, steps, frame cap)
and their usage figures."""

from __future__ import annotations

from typing import Any

from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.projects import repository as store


class SettingsService:
    def __init__(self, conn: Connections):
        self.conn = conn

    def settings(self, user: str) -> dict[str, Any]:
        return store.get_settings(self.conn.db, get_or_create_user(self.conn.db, user))

    def set_settings(self, user: str, **values: Any) -> dict[str, Any]:
        from engine import ATTENTION_BACKENDS, CACHES, MEMORY_MODES, get_card

        checks = {"memory_mode": MEMORY_MODES, "attention_backend": ATTENTION_BACKENDS, "cache": CACHES}
        for key, value in values.items():
            if key in checks and value and value not in checks[key]:
                raise ValueError(f"{key} {value!r} is not accepted; choose one of {', '.join(map(str, checks[key]))}.")
            if key == "model" and value:
                get_card(value)
        uid = get_or_create_user(self.conn.db, user)
        for key, value in values.items():
            store.set_setting(self.conn.db, uid, key, value)
        return self.settings(user)

    def usage(self, user: str, group_by: str = "project") -> list[dict[str, Any]]:
        from studio.usage import query_usage

        db = self.conn.db
        return [r.to_dict() for r in query_usage(db, group_by, user_id=get_or_create_user(db, user))]
