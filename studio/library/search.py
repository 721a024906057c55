"""studio.library: the search index. FTS5 over prompts, shot text, tags, characters,
styles and project names. Chinese is indexed as jieba tokens (stored pre-tokenised and
space-joined, so FTS5's unicode61 tokenizer sees words) plus each CJK character alone in
a `chars` column; queries are tokenised the same way. Ranked by bm25, filtered by
project (origin or reuse), style, model, character and date."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from studio import zh

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# bm25 weights per column: prompt, shot_text, tags, characters, style, project_names, chars, model, project_ids
_WEIGHTS = "3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 0.5, 0.0, 0.0"
MAX_LIMIT = 500


def tokenize(text: str | None, *, for_search: bool = True) -> list[str]:
    """Lower-cased word tokens: jieba's search mode (overlapping words) for indexing,
    its precise mode for queries; punctuation dropped."""
    if not text:
        return []
    jieba = zh.jieba()
    cut = jieba.cut_for_search(text) if for_search else jieba.cut(text)
    out: list[str] = []
    for piece in cut:
        out.extend(_WORD.findall(piece.lower()))
    return out


def _chars(text: str) -> list[str]:
    return _CJK.findall(text)


def _joined(values: Any) -> str:
    if isinstance(values, str):
        values = json.loads(values or "[]")
    return " ".join(str(v) for v in values or [])


def _words(value: str | None) -> list[str]:
    """Whole words, lower-cased, no jieba: for names and ids that filters match exactly."""
    return _WORD.findall((value or "").lower())


def index_clip(db: sqlite_utils.Database, clip_id: str) -> None:
    """(Re)build the search row of one clip from its record and its projects."""
    row = db.execute(
        "SELECT n, prompt, shot_text, tags, characters, style, project_id, model FROM clips WHERE id = ?", [clip_id]
    ).fetchone()
    if row is None:
        raise ValueError(f"clip {clip_id!r} is not known.")
    n, prompt, shot_text, tags, characters, style, project_id, model = row
    projects = db.execute(
        "SELECT id, name FROM projects WHERE id = ? OR id IN (SELECT project_id FROM project_clips WHERE clip_id = ?)",
        [project_id, clip_id],
    ).fetchall()
    names = " ".join(p[1] for p in projects)
    people = json.loads(characters or "[]") if isinstance(characters, str) else list(characters or [])
    words = [" ".join(tokenize(prompt)), " ".join(tokenize(shot_text)), " ".join(tokenize(_joined(tags))),
             " ; ".join(" ".join(_words(c)) for c in people), " ".join(_words(style)), " ".join(tokenize(names))]
    chars = " ".join(_chars(" ".join([prompt or "", shot_text or "", _joined(tags), " ".join(people), style or "",
                                      names])))
    db.execute("DELETE FROM clip_search WHERE rowid = ?", [n])
    db.execute(
        "INSERT INTO clip_search (rowid, prompt, shot_text, tags, characters, style, project_names, chars, model,"
        " project_ids) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [n, *words, chars, " ".join(_words(model)), " ".join(p[0] for p in projects)],
    )


def _column_phrase(column: str, value: str) -> str | None:
    words = _words(value)
    return f'{column} : "{" ".join(words)}"' if words else None


def reindex_project(db: sqlite_utils.Database, project_id: str) -> int:
    """Re-index every clip made in or reused by a project (after a rename). Returns the count."""
    ids = [r[0] for r in db.execute(
        "SELECT id FROM clips WHERE project_id = ? UNION SELECT clip_id FROM project_clips WHERE project_id = ?",
        [project_id, project_id],
    ).fetchall()]
    for clip_id in ids:
        index_clip(db, clip_id)
    return len(ids)


def query_tokens(query: str) -> str:
    """The FTS5 MATCH expression for a user's query: every word must match; a Chinese
    word matches as a jieba word or as its characters in a row; the last Latin word also
    matches as a prefix (search as you type). Empty when the query has no words."""
    words = tokenize(query, for_search=False)
    terms = []
    for i, word in enumerate(words):
        chars = _chars(word)
        if chars and len(word) > 1:
            terms.append(f'("{word}" OR "{" ".join(chars)}")')
        elif not chars and i == len(words) - 1:
            terms.append(f'"{word}"*')
        else:
            terms.append(f'"{word}"')
    return " AND ".join(terms)


@dataclass(frozen=True)
class ClipHit:
    """One search result; `score` is bm25 (lower is better; 0 when there was no query)."""

    clip_id: str
    path: str
    prompt: str
    model: str
    style: str | None
    characters: list[str]
    tags: list[str]
    project_id: str | None
    width: int | None
    height: int | None
    duration_s: float | None
    created_at: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search(db: sqlite_utils.Database, query: str = "", *, project_id: str | None = None, style: str | None = None,
           model: str | None = None, character: str | None = None, since: float | None = None,
           until: float | None = None, limit: int = 50, offset: int = 0,
           user_id: str | None = None) -> list[ClipHit]:
    """Clips matching `query` (all words) and the filters, best first; newest first when
    the query is empty. `project_id` matches clips made in the project or reused by it;
    `user_id` keeps the clips that user made or reused in one of their projects."""
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise ValueError(f"limit {limit!r} is not accepted: a whole number from 1 to {MAX_LIMIT}.")
    if int(offset) < 0:
        raise ValueError(f"offset {offset!r} is not accepted: zero or more.")
    match = query_tokens(query)
    narrowing = [f"({match})"] if match else []
    for column, value in (("style", style), ("model", model), ("characters", character), ("project_ids", project_id)):
        phrase = _column_phrase(column, value) if value and match else None
        if phrase:  # with a text query, filters narrow inside FTS5 too; without one, the date index is faster
            narrowing.append(phrase)
    exact: list[str] = []
    params: list[Any] = []
    if project_id:
        exact.append("(c.project_id = ? OR c.id IN (SELECT clip_id FROM project_clips WHERE project_id = ?))")
        params += [project_id, project_id]
    if user_id:
        exact.append("(c.user_id = ? OR c.id IN (SELECT pc.clip_id FROM project_clips pc JOIN projects p"
                     " ON p.id = pc.project_id WHERE p.user_id = ?))")
        params += [user_id, user_id]
    if style:
        exact.append("c.style = ? COLLATE NOCASE")
        params.append(style)
    if model:
        exact.append("c.model = ?")
        params.append(model)
    if character:
        exact.append("EXISTS (SELECT 1 FROM json_each(c.characters) WHERE lower(value) = lower(?))")
        params.append(character)
    if since is not None:
        exact.append("c.created_at >= ?")
        params.append(since)
    if until is not None:
        exact.append("c.created_at < ?")
        params.append(until)
    cols = ("c.id, c.path, c.prompt, c.model, c.style, c.characters, c.tags, c.project_id, c.width, c.height,"
            " c.duration_s, c.created_at")
    where = (" WHERE " + " AND ".join(exact)) if exact else ""
    if narrowing:
        # FTS5 finds and ranks the candidates (filters narrow it as index terms); the join to
        # clips re-checks each filter exactly. Without filters the top N is cut inside FTS5.
        score = f"bm25(clip_search, {_WEIGHTS})"
        inner = f"SELECT rowid AS r, {score} AS s FROM clip_search WHERE clip_search MATCH ?"
        inner_params: list[Any] = [" AND ".join(narrowing)]
        order = "q.s, c.created_at DESC"
        if not exact:
            inner += " ORDER BY s LIMIT ? OFFSET ?"
            inner_params += [int(limit), int(offset)]
            sql = f"SELECT {cols}, q.s FROM ({inner}) q JOIN clips c ON c.n = q.r ORDER BY {order}"
            rows = db.execute(sql, inner_params).fetchall()
        else:
            sql = (f"SELECT {cols}, q.s FROM ({inner}) q JOIN clips c ON c.n = q.r{where}"
                   f" ORDER BY {order} LIMIT ? OFFSET ?")
            rows = db.execute(sql, [*inner_params, *params, int(limit), int(offset)]).fetchall()
    else:
        sql = f"SELECT {cols}, 0.0 FROM clips c{where} ORDER BY c.created_at DESC, c.n DESC LIMIT ? OFFSET ?"
        rows = db.execute(sql, [*params, int(limit), int(offset)]).fetchall()
    return [
        ClipHit(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "[]"), json.loads(r[6] or "[]"), r[7], r[8], r[9],
                r[10], r[11], float(r[12]))
        for r in rows
    ]
