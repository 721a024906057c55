"""studio.jobs: how a person names a job. An id is the full 32-hex id or a prefix of at
least 8 hex characters (what `shotline jobs list` and the job table show); anything else,
a wildcard, a long string or odd characters, is refused without being echoed back. A
prefix is matched with LIKE on an escaped pattern, filtered by the caller's user where
there is one, and must match exactly one job: "not yours" and "does not exist" read the
same."""

from __future__ import annotations

import re
from typing import Any

MIN_PREFIX = 8
FULL = 32
JOB_ID = re.compile(rf"[0-9a-f]{{{MIN_PREFIX},{FULL}}}")


def check_job_id(text: Any) -> str:
    """The id, lower-cased and stripped, or a ValueError that does not repeat the input."""
    value = text.strip().lower() if isinstance(text, str) else ""
    if not JOB_ID.fullmatch(value):
        raise ValueError(f"A job id is {MIN_PREFIX} to {FULL} characters from 0-9 and a-f, as the job list shows it;"
                         " that one is not accepted.")
    return value


def like_escape(text: str) -> str:
    """`text` as a LIKE pattern that matches it literally (used with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_job_id(db: Any, text: Any, *, user_id: str | None = None) -> str:
    """The one job id `text` names (filtered by `user_id` when given)."""
    value = check_job_id(text)
    owner, args = ("", []) if user_id is None else (" AND user_id = ?", [user_id])
    if len(value) == FULL:
        row = db.execute(f"SELECT id FROM jobs WHERE id = ?{owner}", [value, *args]).fetchone()
        rows = [row] if row else []
    else:
        rows = db.execute(f"SELECT id FROM jobs WHERE id LIKE ? ESCAPE '\\'{owner} LIMIT 2",
                          [like_escape(value) + "%", *args]).fetchall()
    if not rows:
        raise ValueError(f"Job {value!r} is not known.")
    if len(rows) > 1:
        raise ValueError(f"Job id {value!r} starts more than one job; give more of its characters.")
    return rows[0][0]
