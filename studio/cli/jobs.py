"""studio.cli: the queue's commands: `shotline jobs submit|list|show|cancel|priority|wait`,
`shotline batch FILE.csv`, `shotline worker` and `shotline usage`. Commands that read
job records first apply whatever workers reported (a one-off mirror drain), so they are
current even when no studio process is running."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from studio.cli import UserError

_REQ_INT = {"width": "width", "height": "height", "frames": "num_frames", "steps": "steps", "seed": "seed"}
_REQ_FLOAT = {"guidance": "guidance", "guidance_2": "guidance_2", "flow_shift": "flow_shift"}


def _redis_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--redis", metavar="URL", default=None,
                   help="use the Redis queue at URL (default: SHOTLINE_REDIS_URL, else SQLite under SHOTLINE_HOME)")


def _studio(args: argparse.Namespace, drain: bool = True) -> Any:
    from studio.jobs import open_studio_side

    side = open_studio_side(getattr(args, "redis", None))
    if drain:
        side.mirror.drain()
    return side


def _out(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if getattr(args, "json", False) else text)


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if ts else "-"


def _line(job: dict[str, Any]) -> str:
    params = job.get("params") or {}
    what = params.get("prompt") or params.get("echo") or job["kind"]
    prog = f"{job['progress_step']}/{job['progress_total']}" if job["progress_total"] else "-"
    return (f"{job['id']}  {job['status']:<9} p={job['priority']:<3} {prog:>7}  {params.get('model', job['kind']):<8} "
            f"{what[:50]}")


# ---- jobs ---------------------------------------------------------------------------------
def _request_from(values: dict[str, Any], where: str = "") -> dict[str, Any]:
    req: dict[str, Any] = {"prompt": values.get("prompt") or "", "model": values.get("model") or "tiny"}
    for key, field in (*_REQ_INT.items(), *_REQ_FLOAT.items()):
        raw = values.get(key)
        if raw in (None, ""):
            continue
        try:
            req[field] = int(raw) if key in _REQ_INT else float(raw)
        except (TypeError, ValueError):
            kind = "a whole number" if key in _REQ_INT else "a number"
            raise UserError(f"{where}{key} {raw!r} is not accepted: {kind}.") from None
    for key in ("negative_prompt", "memory_mode", "tier"):
        if values.get(key):
            req[key] = values[key]
    if values.get("lora"):
        from studio.cli.generate import lora_specs

        req["loras"] = [spec.to_dict() for spec in lora_specs(values["lora"])]
    return req


def _submit(args: argparse.Namespace) -> int:
    side = _studio(args, drain=False)
    labels = {k: v for k, v in (("style", args.style), ("characters", args.character or None),
                                ("tags", args.tag or None)) if v}
    job_id = side.jobs.submit(_request_from(vars(args)), priority=args.priority, user=args.user,
                              project_id=args.project, idempotency_key=args.key, max_attempts=args.max_attempts,
                              labels=labels)
    if args.wait:
        return _follow(side, job_id, args)
    _out(args, {"id": job_id, "status": side.jobs.get(job_id)["status"]}, job_id)
    return 0


def _list(args: argparse.Namespace) -> int:
    side = _studio(args)
    jobs = side.jobs.list(status=args.status, limit=args.limit)
    _out(args, jobs, "\n".join(_line(j) for j in jobs) if jobs else "No jobs.")
    return 0


def _show(args: argparse.Namespace) -> int:
    side = _studio(args)
    job = side.jobs.get(args.id)
    job["runs"] = side.jobs.runs(job["id"])
    text = "\n".join(f"{k}: {v}" for k, v in job.items() if k not in ("params", "runs", "labels", "result"))
    text += f"\nparams: {json.dumps(job['params'], ensure_ascii=False)}"
    if job.get("result"):
        text += f"\nresult: {json.dumps(job['result'], ensure_ascii=False, default=str)[:500]}"
    text += "".join(f"\nrun {r['slot']} (attempt {r['attempt']}): {r['outcome'] or 'running'} on {r['worker']}"
                    f"{' - ' + r['error'] if r['error'] else ''}" for r in job["runs"])
    _out(args, job, text)
    return 0


def _cancel(args: argparse.Namespace) -> int:
    side = _studio(args)
    status = side.jobs.cancel(args.id)
    note = {"cancelled": "cancelled", "running": "cancel requested; it stops at its next step"}.get(status, status)
    _out(args, {"id": side.jobs.get(args.id)["id"], "status": status}, f"{args.id}: {note}")
    return 0


def _remake(args: argparse.Namespace) -> int:
    from studio.jobs.remake import remake

    side = _studio(args)
    job_id = remake(side.jobs, args.id, tier=args.tier, priority=args.priority)
    _out(args, {"id": job_id, "status": side.jobs.get(job_id)["status"], "tier": args.tier}, job_id)
    return 0


def _priority(args: argparse.Namespace) -> int:
    side = _studio(args)
    side.jobs.set_priority(args.id, args.priority)
    _out(args, {"id": args.id, "priority": args.priority}, f"{args.id}: priority {args.priority}")
    return 0


def _follow(side: Any, job_id: str, args: argparse.Namespace) -> int:
    last = None
    deadline = time.monotonic() + args.timeout
    while True:
        side.mirror.drain()
        job = side.jobs.get(job_id)
        line = f"{job['status']} {job['progress_message']}"
        if line != last and not getattr(args, "json", False):
            print(f"{job['id']}: {line}", file=sys.stderr)
            last = line
        if job["status"] in ("done", "failed", "cancelled"):
            _out(args, job, f"{job['id']}: {job['status']}" + (f" - {job['error']}" if job["error"] else "")
                 + (f" - {job['result'].get('path')}" if job.get("result") and job["kind"] == "generate" else ""))
            return 0 if job["status"] == "done" else 1
        if time.monotonic() > deadline:
            raise UserError(f"job {job_id} is still {job['status']} after {args.timeout} s; it keeps going.")
        time.sleep(0.1)


def _wait(args: argparse.Namespace) -> int:
    side = _studio(args)
    return _follow(side, side.jobs.get(args.id)["id"], args)


# ---- batch --------------------------------------------------------------------------------
BATCH_COLUMNS = ("prompt", "model", "negative_prompt", "width", "height", "frames", "steps", "seed", "guidance",
                 "guidance_2", "flow_shift", "memory_mode", "priority", "style", "characters", "tags")


MAX_BATCH_ROWS = 1000  # rows in one batch file
MAX_BATCH_BYTES = 10 * 1024 * 1024


def _names(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(";") if s.strip()]


def _batch(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.is_file() and path.stat().st_size > MAX_BATCH_BYTES:
        raise UserError(f"batch file {path.name} is {path.stat().st_size // (1024 * 1024)} MB; at most "
                        f"{MAX_BATCH_BYTES // (1024 * 1024)} MB and {MAX_BATCH_ROWS} rows are accepted in one batch.")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    try:
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    except (UnicodeDecodeError, csv.Error) as err:
        raise UserError(f"batch file {path.name} is not readable as UTF-8 CSV: {err}.") from None
    if not rows:
        raise UserError(f"batch file {path.name} has no rows; the first line names the columns, e.g. prompt,seed.")
    if len(rows) > MAX_BATCH_ROWS:
        raise UserError(f"batch file {path.name} has {len(rows)} rows; at most {MAX_BATCH_ROWS} rows are accepted in "
                        "one batch, so split it into several files.")
    unknown = sorted(set(rows[0]) - set(BATCH_COLUMNS))
    if "prompt" not in rows[0] or unknown:
        raise UserError(f"batch columns {unknown or list(rows[0])} are not accepted; a 'prompt' column is needed and"
                        f" the others may be: {', '.join(BATCH_COLUMNS)}.")
    from studio.jobs.service import check_priority, validate_generate

    planned, bad = [], []
    for i, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"row {i}: "
        try:
            req = validate_generate(_request_from(row, where))
            prio = check_priority(int(row["priority"])) if row.get("priority") else args.priority
            labels = {"style": row.get("style") or None, "characters": _names(row.get("characters")) or None,
                      "tags": _names(row.get("tags")) or None}
            planned.append((i, req, prio, {k: v for k, v in labels.items() if v}))
        except (UserError, ValueError) as err:
            msg = str(err)
            bad.append(msg if msg.startswith("row ") else where + msg)
    if bad and not args.skip_bad:
        raise UserError(f"{len(bad)} bad row(s), nothing queued (use --skip-bad to queue the others): "
                        + "; ".join(b.rstrip(".") for b in bad[:5])
                        + (f"; and {len(bad) - 5} more." if len(bad) > 5 else "."))
    for msg in bad:
        print(f"skipped {msg}", file=sys.stderr)
    if args.dry_run:
        _out(args, [{"row": i, "request": r, "priority": p} for i, r, p, _ in planned],
             f"{len(planned)} row(s) are valid; nothing queued (--dry-run).")
        return 0
    side = _studio(args, drain=False)
    ids = [side.jobs.submit(req, priority=prio, user=args.user, project_id=args.project, labels=labels,
                            idempotency_key=f"batch:{digest}:{i}") for i, req, prio, labels in planned]
    _out(args, {"jobs": ids, "skipped": bad}, "\n".join(ids))
    return 0 if not bad else 1


# ---- worker, usage ------------------------------------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    from studio.jobs.worker import run_worker
    from studio.logs import configure_json_logging

    configure_json_logging()
    if args.threads is not None and args.threads < 1:
        raise UserError(f"--threads {args.threads} is not accepted: 1 or more.")
    return run_worker(args.redis, device=args.device, heartbeat_s=args.heartbeat, poll_s=args.poll,
                      retry_base_s=args.retry_base, threads=args.threads)


def _usage(args: argparse.Namespace) -> int:
    from studio.db import open_database
    from studio.usage import query_usage

    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            raise UserError(f"--since {args.since!r} is not accepted: a date like 2026-01-31.") from None
    _studio(args)  # count what workers have reported so far
    db = open_database()
    rows = [r.to_dict() for r in query_usage(db, args.by, since=since)]
    head = f"{'user':<12} {'project':<24} {'day':<10} {'device-s':>10} {'clips':>6} {'exports':>7}"
    body = [f"{str(r['user'] or '-'):<12} {str(r['project'] or '-')[:24]:<24} {str(r['day'] or '-'):<10} "
            f"{r['device_seconds']:>10.1f} {r['clips']:>6} {r['exports']:>7}" for r in rows]
    _out(args, rows, "\n".join([head, *body]) if rows else "No usage yet.")
    return 0


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not accepted: a number of seconds above 0")
    return number


def register(sub: argparse._SubParsersAction) -> None:
    jobs = sub.add_parser("jobs", help="submit, list, show, cancel and re-prioritise generation jobs")
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    jsub.required = True

    p = jsub.add_parser("submit", help="queue one clip; prints the job id")
    p.add_argument("--prompt", required=True)
    p.add_argument("--model", default="tiny")
    p.add_argument("--negative-prompt", dest="negative_prompt")
    for flag in ("width", "height", "frames", "steps", "seed"):
        p.add_argument(f"--{flag}", type=int)
    p.add_argument("--guidance", type=float)
    p.add_argument("--memory-mode", dest="memory_mode")
    p.add_argument("--lora", action="append", default=[], metavar="PATH[:SCALE]", help="a LoRA (repeatable)")
    p.add_argument("--tier", choices=("final", "draft"), default=None, help="draft: the model's distilled LoRA")
    p.add_argument("--priority", type=int, default=0, help="higher runs first (-100..100, default 0)")
    p.add_argument("--project", help="project id (default: your first project)")
    p.add_argument("--user", help="user name (default: local)")
    p.add_argument("--key", help="idempotency key: submitting the same key again returns the same job")
    p.add_argument("--max-attempts", dest="max_attempts", type=int, default=3)
    p.add_argument("--style")
    p.add_argument("--character", action="append", help="a character in the clip (repeatable; for search)")
    p.add_argument("--tag", action="append", help="a tag for the library (repeatable)")
    p.add_argument("--wait", action="store_true", help="follow the job until it ends (a worker must be running)")
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_submit)

    p = jsub.add_parser("list", help="jobs: running, then queued in run order, then finished")
    p.add_argument("--status", choices=("queued", "running", "done", "failed", "cancelled"))
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_list)

    for name, func, text in (("show", _show, "one job with its status, progress, runs and result"),
                             ("cancel", _cancel, "cancel a queued or running job"),
                             ("wait", _wait, "follow a job until it ends")):
        p = jsub.add_parser(name, help=text)
        p.add_argument("id", help="job id (or its first 6+ characters)")
        p.add_argument("--json", action="store_true")
        if name == "wait":
            p.add_argument("--timeout", type=float, default=3600)
        _redis_arg(p)
        p.set_defaults(func=func)

    p = jsub.add_parser("remake", help="queue a clip again at another tier (same prompt, seed and LoRAs)")
    p.add_argument("id", help="job id (or its first 6+ characters)")
    p.add_argument("--tier", default="final", choices=("final", "draft"), help="default: final")
    p.add_argument("--priority", type=int, default=None, help="default: the original job's")
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_remake)

    p = jsub.add_parser("priority", help="re-prioritise a queued job")
    p.add_argument("id")
    p.add_argument("priority", type=int)
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_priority)

    p = sub.add_parser("batch", help="queue one clip per row of a CSV file (re-running the same file adds nothing)")
    p.add_argument("file")
    p.add_argument("--priority", type=int, default=0, help="for rows without a priority column value")
    p.add_argument("--project")
    p.add_argument("--user")
    p.add_argument("--skip-bad", dest="skip_bad", action="store_true", help="queue the good rows, skip the bad")
    p.add_argument("--dry-run", dest="dry_run", action="store_true")
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_batch)

    p = sub.add_parser("worker", help="run a worker: takes jobs from the queue, keeps the model warm")
    _redis_arg(p)
    p.add_argument("--device", help="e.g. cuda:0 or cpu (default: the engine's choice)")
    p.add_argument("--heartbeat", type=_positive, default=2.0, help="seconds between heartbeats (default 2)")
    p.add_argument("--poll", type=_positive, default=0.25, help="seconds between cancel checks (default 0.25)")
    p.add_argument("--retry-base", dest="retry_base", type=_positive, default=1.0,
                   help="first retry backoff in seconds, doubling (default 1)")
    p.add_argument("--threads", type=int, help="CPU threads for torch in this worker (default: torch's choice)")
    p.set_defaults(func=_worker)

    p = sub.add_parser("usage", help="device-seconds, clips and exports per user and project")
    p.add_argument("--by", choices=("user", "project", "day", "user_project"), default="user_project")
    p.add_argument("--since", help="a UTC date, e.g. 2026-01-31")
    p.add_argument("--json", action="store_true")
    _redis_arg(p)
    p.set_defaults(func=_usage)
