"""studio.jobs: the studio side's job API. The SQLite job record is the system of record;
a huey message is only the work order. submit / cancel / re-prioritise / list / show.

Submit writes the record first, then the message: if the process dies in between, the
mirror's orphan check finds a queued record with no message and enqueues it."""

from __future__ import annotations

import dataclasses
import functools
import json
import time
import uuid
from typing import Any

import sqlite_utils
from pydantic import BaseModel, ValidationError

from engine.errors import UserError
from engine.schema import field_sentence, model_of
from studio import safety
from studio.db.migrations import transaction
from studio.db.records import default_project, get_or_create_user
from studio.jobs import inputs as job_inputs
from studio.jobs.kinds import validate_diagnostic, validate_speak
from studio.jobs.queue import Message, QueueBackend, frame

STATUSES = ("queued", "running", "done", "failed", "cancelled")
TERMINAL = ("done", "failed", "cancelled")
PRIORITY_RANGE = (-100, 100)
MAX_ATTEMPTS_RANGE = (1, 20)
JOB_COLUMNS = ("id, seq, kind, status, priority, user_id, project_id, shot_id, params, labels, memory_mode,"
               " idempotency_key, slot, attempt, attempts, max_attempts, run_id, worker, cancel_requested, progress_step, progress_total,"
               " progress_message, preview_path, heartbeat_at, error, error_kind, result, clip_id, device_seconds,"
               " created_at, queued_at, started_at, finished_at")


def check_priority(value: Any) -> int:
    lo, hi = PRIORITY_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"priority {value!r} is not accepted: a whole number from {lo} to {hi} (higher runs first).")
    return value


def validate_generate(params: dict[str, Any], *, image_pending: bool = False) -> dict[str, Any]:
    """Check a generation request with the engine's own validation before anything is
    queued. Where the MP4 goes and which device runs it are the worker's to decide.
    `image_pending`: a held chain part, whose start image is the previous clip's last frame."""
    from engine import GenerationRequest, InvalidRequest, resolve_request

    try:
        _generation_params().model_validate(params)
    except ValidationError as err:  # the types (a prompt that is text, a width that is a number) before the ranges
        raise InvalidRequest(*field_sentence(err, _generation_params())) from None
    request = GenerationRequest.from_dict(params)
    if request.output_path is not None:
        raise InvalidRequest("output_path", request.output_path, "unset: a job's clip goes into the library")
    resolve_request(dataclasses.replace(request, device=None), image_pending=image_pending)
    # the prompt is gated; a negative prompt that names what to avoid is legitimate
    verdict = safety.check(request.prompt)
    if verdict.blocked:
        raise PolicyBlocked(verdict.message)
    return request.to_dict()


@functools.cache
def _generation_params() -> type[BaseModel]:
    """A generation job's parameters as a strict pydantic model of engine.GenerationRequest (its fields, kept in step)."""
    from engine import GenerationRequest

    return model_of(GenerationRequest, name="GenerationParams")


class PolicyBlocked(UserError, ValueError):
    """The prompt is blocked by the safety policy; a permanent refusal, nothing is queued."""


def _validate_render(params: dict[str, Any]) -> dict[str, Any]:
    from studio.export.jobs import validate_render

    return validate_render(params)


def _validate_download(params: dict[str, Any]) -> dict[str, Any]:
    from studio.jobs.machine import validate_download

    return validate_download(params)


VALIDATORS = {"generate": validate_generate, "diagnostic": validate_diagnostic, "render": _validate_render,
              "preview": _validate_render, "download": _validate_download,
              "speak": validate_speak}


def _row(cur: Any) -> dict[str, Any] | None:
    row = cur.fetchone()
    if row is None:
        return None
    data = dict(zip([c[0] for c in cur.description], row, strict=True))
    return _decode(data)


def _decode(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("params", "result", "labels"):
        if data.get(key):
            data[key] = json.loads(data[key])
    data["cancel_requested"] = bool(data.get("cancel_requested"))
    return data


LABEL_KEYS = {"style": str, "shot_text": str, "characters": list, "tags": list}


def check_labels(labels: dict[str, Any] | None) -> dict[str, Any]:
    """What the library indexes a job's clip under: style, shot_text, characters, tags."""
    labels = dict(labels or {})
    for key, value in labels.items():
        kind = LABEL_KEYS.get(key)
        if kind is None:
            raise ValueError(f"label {key!r} is not known; accepted: {', '.join(LABEL_KEYS)}.")
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            what = "a list of names" if kind is list else "text"
            raise ValueError(f"label {key} {value!r} is not accepted: {what}.")
    return labels


class JobService:
    """Submit and steer jobs. Needs the studio database and the queue backend."""

    def __init__(self, db: sqlite_utils.Database, backend: QueueBackend):
        self.db = db
        self.backend = backend

    # ---- submit ---------------------------------------------------------------------------
    def submit(self, params: dict[str, Any], *, kind: str = "generate", priority: int = 0, user: str | None = None,
               project_id: str | None = None, shot_id: str | None = None, idempotency_key: str | None = None,
               max_attempts: int = 3, labels: dict[str, Any] | None = None,
               inputs: dict[str, bytes] | None = None, held: bool = False) -> str:
        """Queue one job; returns its id. The same `idempotency_key` again returns the first
        job's id and queues nothing. `inputs` (files by name) travel to the worker through
        the queue's storage beside the job (`input:<job>`), dropped when the job ends; a
        generation job's own images (start/end/references) go there by themselves.
        `held`: record it but queue no message yet: a chained part that studio.jobs.chain
        releases with its start frame when the clip before is done."""
        if kind not in VALIDATORS:
            raise ValueError(f"job kind {kind!r} is not known; accepted: {', '.join(VALIDATORS)}.")
        priority = check_priority(priority)
        lo, hi = MAX_ATTEMPTS_RANGE
        if not isinstance(max_attempts, int) or not lo <= max_attempts <= hi:
            raise ValueError(f"max_attempts {max_attempts!r} is not accepted: a whole number from {lo} to {hi}.")
        params = validate_generate(dict(params), image_pending=True) if held and kind == "generate" \
            else VALIDATORS[kind](dict(params))
        labels = check_labels(labels)
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
            raise ValueError(f"idempotency key {idempotency_key!r} is not accepted: 1 to 200 characters.")
        key = idempotency_key or uuid.uuid4().hex
        user_id = get_or_create_user(self.db, user) if user else get_or_create_user(self.db)
        if project_id is None:
            project_id = default_project(self.db, user_id)
        elif self.db.execute("SELECT 1 FROM projects WHERE id = ?", [project_id]).fetchone() is None:
            raise ValueError(f"project {project_id!r} is not known.")
        job_id, run_id, now = uuid.uuid4().hex, uuid.uuid4().hex, time.time()
        memory_mode = params.get("memory_mode") if kind == "generate" else None
        with transaction(self.db):
            existing = self.db.execute("SELECT id FROM jobs WHERE idempotency_key = ?", [key]).fetchone()
            if existing:
                return existing[0]
            seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0]
            self.db.execute(
                "INSERT INTO jobs (id, seq, kind, status, priority, user_id, project_id, shot_id, params, labels,"
                " memory_mode, idempotency_key, max_attempts, run_id, slot, created_at, queued_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)",
                [job_id, seq, kind, "queued", priority, user_id, project_id, shot_id,
                 json.dumps(params, ensure_ascii=False), json.dumps(labels, ensure_ascii=False), memory_mode, key,
                 max_attempts, run_id, now, now],
            )
        if inputs:
            self.backend.put_bytes(f"input:{job_id}", frame({}, inputs))
        elif kind == "generate" and not held:
            job_inputs.ship(self.backend, job_id, params)  # its images travel with it, not by shared disk
        if not held:
            self.backend.enqueue(Message(job_id, run_id, 1, 1, max_attempts, kind, params, memory_mode, priority))
        return job_id

    # ---- steer ----------------------------------------------------------------------------
    def get(self, job_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        """A job by its id, or by a unique prefix of at least 8 hex characters (see
        studio.jobs.ids). With `user_id`, only that user's jobs are found: someone else's
        job and a job that does not exist get the same sentence."""
        from studio.jobs.ids import find_job_id

        job_id = find_job_id(self.db, job_id, user_id=user_id)
        return _row(self.db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", [job_id]))

    def cancel(self, job_id: str) -> str:
        """Cancel a job: a queued one never starts (its record says cancelled at once); a
        running one stops at its next step, and its record says so when the worker confirms.
        Returns the status after the call."""
        job = self.get(job_id)
        if job["status"] in TERMINAL:
            return job["status"]
        self.backend.request_cancel(job["id"])
        with transaction(self.db):
            status = self.db.execute("SELECT status FROM jobs WHERE id = ?", [job["id"]]).fetchone()[0]
            if status == "queued":
                self.db.execute("UPDATE jobs SET status='cancelled', cancel_requested=1, finished_at=?,"
                                " error='Cancelled before it started.' WHERE id=?", [time.time(), job["id"]])
                status = "cancelled"
            elif status == "running":
                self.db.execute("UPDATE jobs SET cancel_requested=1 WHERE id=?", [job["id"]])
        if status == "cancelled" and job["run_id"]:
            self.backend.revoke(job["run_id"])
        return status

    def set_priority(self, job_id: str, priority: int) -> None:
        """Re-prioritise a queued job: its message is revoked and a new one enqueued at the new
        priority (at the back of that priority's line); the record stays the same job."""
        priority = check_priority(priority)
        job = self.get(job_id)
        if job["status"] != "queued":
            raise ValueError(f"job {job['id']} is {job['status']}; only a queued job can be re-prioritised.")
        new_run = uuid.uuid4().hex
        with transaction(self.db):
            cur = self.db.execute("UPDATE jobs SET priority=?, run_id=? WHERE id=? AND status='queued'",
                                  [priority, new_run, job["id"]])
            if cur.rowcount != 1:
                raise ValueError(f"job {job['id']} has just started; only a queued job can be re-prioritised.")
        self.backend.revoke(job["run_id"])
        self.backend.enqueue(self.message_for(job, run_id=new_run, priority=priority))

    @staticmethod
    def message_for(job: dict[str, Any], *, run_id: str, priority: int | None = None, slot: int | None = None,
                    attempt: int | None = None) -> Message:
        """The work order for a job record (used to re-enqueue it)."""
        return Message(job["id"], run_id, job["slot"] if slot is None else slot,
                       job["attempt"] if attempt is None else attempt, job["max_attempts"], job["kind"],
                       job["params"], job["memory_mode"], job["priority"] if priority is None else priority)

    # ---- read -----------------------------------------------------------------------------
    def list(self, *, status: str | None = None, project_id: str | None = None, limit: int = 1000,
             offset: int = 0) -> list[dict[str, Any]]:
        """Running first, then queued in the order they will run, then the rest newest first."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"status {status!r} is not accepted; accepted: {', '.join(STATUSES)}.")
        if not 1 <= limit <= 100_000:
            raise ValueError(f"limit {limit!r} is not accepted: a whole number from 1 to 100000.")
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if project_id:
            where.append("project_id = ?")
            params.append(project_id)
        sql = (f"SELECT {JOB_COLUMNS} FROM jobs {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY"
               " CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END,"
               " CASE WHEN status IN ('running','queued') THEN -priority ELSE 0 END,"
               " CASE WHEN status IN ('running','queued') THEN seq ELSE -COALESCE(finished_at, created_at) END"
               " LIMIT ? OFFSET ?")
        cur = self.db.execute(sql, [*params, limit, offset])
        names = [c[0] for c in cur.description]
        out = []
        for row in cur.fetchall():
            out.append(_decode(dict(zip(names, row, strict=True))))
        return out

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {s: 0 for s in STATUSES} | {r[0]: int(r[1]) for r in rows}

    def runs(self, job_id: str) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM job_runs WHERE job_id = ? ORDER BY started_at", [self.get(job_id)["id"]])
        return [dict(zip([c[0] for c in cur.description], r, strict=True)) for r in cur.fetchall()]


def progress_fraction(job: dict[str, Any]) -> float:
    total = job.get("progress_total") or 0
    return 1.0 if job.get("status") == "done" else (job.get("progress_step", 0) / total if total else 0.0)


__all__ = ["JobService", "STATUSES", "TERMINAL", "check_priority", "progress_fraction", "validate_generate"]


def _validate_plan(params: dict[str, Any]) -> dict[str, Any]:
    from studio.jobs.plan import validate_plan  # the language model's jobs (studio.prompts' planner)

    return validate_plan(params)


VALIDATORS["plan"] = _validate_plan
