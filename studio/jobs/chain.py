"""studio.jobs: chained clips and continued shots, on the job side.

A shot stays one shot. When it is longer than one clip of its model (the card's
`max_frames` at its `fps`), it is generated as a chain of parts: on a model that takes a
start image, each part waits for the one before and starts from that clip's last frame,
and the parts are joined without a cut (each continuation's first frame, a copy of the
previous part's last, is dropped) into ONE clip recorded for the shot (`shot_clip`). On a
text-only model true continuity is impossible: the parts are separate clips of the same
prompt with their own seeds, run in parallel and joined end to end, and the plan's `note`
says so (VACE, I2V or TI2V models are needed for a seamless chain).

A shot can also continue from the previous shot (`after=` its last job): its first part
is held until that job is done and gets that clip's last frame as its start image; if the
predecessor fails or is cancelled, the held parts fail with a sentence saying why.
Reference images (a character's or product's card) go on every part of every shot that
names them, on models that take references.

Held parts are job records with status 'queued' and no message; `release_ready` (called
by the mirror after each finished, failed or cancelled job, and in its sweep) enqueues the
ones whose predecessor is done, fails the ones whose predecessor is lost, and joins
finished chains. Every step is idempotent: guarded by `released_at` and `clip_id`."""

from __future__ import annotations

import json
import math
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import paths
from studio.db.migrations import transaction

PREDECESSOR_LOST = "PredecessorLost"


@dataclass(frozen=True)
class ShotPlan:
    """How a shot of `duration_s` is generated on `model`: the frames of each part."""

    model: str
    fps: int
    parts: tuple[int, ...]
    continuous: bool  # each part starts from the last frame of the one before
    note: str

    @property
    def frames(self) -> int:
        """Frames of the joined clip (continuations drop their first, repeated frame)."""
        return sum(self.parts) - (len(self.parts) - 1 if self.continuous else 0)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def _split(total: int, parts: int, max_frames: int) -> tuple[int, ...]:
    """`parts` clip lengths of 4k+1 frames, each at most `max_frames`, summing to about `total`."""
    base = max(1, round(total / parts / 4)) * 4
    return tuple(min(base + 1, max_frames) for _ in range(parts))


def plan_shot(model: str, duration_s: float | None, num_frames: int | None = None,
              max_frames: int | None = None) -> ShotPlan:
    """Split a shot into clips of its model. `duration_s` (else `num_frames`, else the card's
    default clip) is the shot's length; the tiny models chain at the same lengths as the
    real ones, so a CPU demo keeps the script's timing. `max_frames` (a user's cap on the
    frames of one clip, for speed) makes shorter clips, never a shorter shot."""
    from engine import get_card

    card = get_card(model)
    if max_frames and 5 <= max_frames < card.max_frames:
        card = card.model_copy(update={"max_frames": 4 * ((int(max_frames) - 1) // 4) + 1})
    continuous = "image" in card.takes
    if duration_s is not None:
        if isinstance(duration_s, bool) or not isinstance(duration_s, (int, float)) or not 0 < duration_s <= 600:
            raise ValueError(f"duration_s {duration_s!r} is not accepted: seconds above 0 and at most 600.")
        wanted = max(1, round(duration_s * card.fps))
    else:
        wanted = num_frames or card.default_frames
    if wanted <= card.max_frames:
        return ShotPlan(card.id, card.fps, (min(card.max_frames, 4 * max(0, round((wanted - 1) / 4)) + 1),), continuous,
                        "one clip")
    if continuous:
        n = math.ceil((wanted - 1) / (card.max_frames - 1))
        parts = _split(wanted - 1, n, card.max_frames)
        note = f"{n} chained clips, each starting from the last frame of the one before"
    else:
        n = math.ceil(wanted / card.max_frames)
        parts = _split(wanted, n, card.max_frames)
        note = (f"{n} separate clips of the same prompt joined end to end: {card.id} takes no start image, so the "
                "joins are cuts; a model that takes one (VACE, I2V, TI2V) chains without a cut")
    return ShotPlan(card.id, card.fps, parts, continuous, note)


def references_for(names: Iterable[str], cards: Iterable[Any]) -> list[str]:
    """The reference images of the character/product cards that `names` name (by name or
    alias), in card order, each once."""
    wanted = {n.strip() for n in names if isinstance(n, str)}
    out: list[str] = []
    for card in cards:
        aliases = {card.name, *getattr(card, "aliases", ())}
        image = getattr(card, "reference_image", None)
        if image and wanted & aliases and image not in out:
            out.append(image)
    return out


@dataclass(frozen=True)
class ShotJobs:
    chain_id: str
    job_ids: tuple[str, ...]
    plan: ShotPlan
    references_used: bool


def submit_shot(jobs: Any, params: Mapping[str, Any], *, duration_s: float | None = None, after: str | None = None,
                references: Iterable[str] = (), priority: int = 0, user: str | None = None,
                project_id: str | None = None, shot_id: str | None = None, labels: dict[str, Any] | None = None,
                idempotency_key: str | None = None, max_attempts: int = 3, max_frames: int | None = None) -> ShotJobs:
    """Queue one shot as one chain of jobs (see the module docstring). `params` is a
    generation request (its `num_frames` and `seed` are the chain's to set per part);
    `after` is the previous shot's last job id to continue from; `references` are card
    images, used where the model takes references. Returns the chain and its job ids."""
    from engine import get_card

    params = dict(params)
    model = params.get("model", "tiny")
    card = get_card(model)
    plan = plan_shot(model, duration_s, params.get("num_frames"), max_frames)
    if after is not None:
        if not plan.continuous:
            takers = ", ".join(c.id for c in _image_models())
            raise ValueError(f"after {after!r} is not accepted: {card.id} takes no start image, so a shot cannot "
                             f"continue from the previous one; models that can: {takers}.")
        after = jobs.get(after)["id"]
    refs = [str(r) for r in references]
    use_refs = bool(refs) and "reference_images" in card.takes
    if use_refs:
        params["reference_images"] = [*params.get("reference_images", []), *refs]
    seed = int(params.get("seed", 0))
    chain_id = uuid.uuid4().hex
    with transaction(jobs.db):
        jobs.db.execute("INSERT INTO shot_chains (id, project_id, shot_id, model, parts, continuous, duration_s,"
                        " created_at) VALUES (?,?,?,?,?,?,?,?)",
                        [chain_id, project_id, shot_id, card.id, len(plan.parts), int(plan.continuous),
                         plan.duration_s, time.time()])
    try:
        ids = _submit_parts(jobs, chain_id, plan, params, after, seed, priority=priority, user=user,
                            project_id=project_id, shot_id=shot_id, labels=labels, idempotency_key=idempotency_key,
                            max_attempts=max_attempts)
    except BaseException as err:  # a refused request: the chain is not left waiting for parts that never come
        jobs.db.execute("UPDATE shot_chains SET status='failed', error=?, finished_at=? WHERE id=?",
                        [str(err), time.time(), chain_id])
        raise
    release_ready(jobs)  # a predecessor that is already done releases the first part at once
    return ShotJobs(chain_id, tuple(ids), plan, use_refs)


SHOT_KEYS = {"prompt", "duration_s", "characters", "image", "last_image", "continues", "shot_id", "seed",
             "negative_prompt"}


def submit_storyboard(jobs: Any, shots: Iterable[Mapping[str, Any]], defaults: Mapping[str, Any], *,
                      cards: Iterable[Any] = (), priority: int = 0, user: str | None = None,
                      project_id: str | None = None, labels: dict[str, Any] | None = None) -> list[ShotJobs]:
    """Queue a storyboard's shots in order, each as one chain (`submit_shot`). A shot with
    `continues: true` starts from the last frame of the shot before (its jobs wait for
    it); `characters` pick the reference images of `cards`; `image` / `last_image` are the
    shot's own start / end images. `defaults` is the rest of the request (model, size,
    steps, ...). A bad shot raises one sentence naming it; shots before it stay queued."""
    cards = list(cards)
    out: list[ShotJobs] = []
    for n, shot in enumerate(shots, start=1):
        unknown = sorted(set(shot) - SHOT_KEYS)
        if unknown:
            raise ValueError(f"shot {n}: key(s) {unknown} are not known; accepted: {', '.join(sorted(SHOT_KEYS))}.")
        params = {**defaults, **{k: shot[k] for k in ("prompt", "image", "last_image", "seed", "negative_prompt")
                                 if shot.get(k) is not None}}
        after = None
        if shot.get("continues"):
            if not out:
                raise ValueError(f"shot {n}: continues is not accepted on the first shot: there is no shot before it.")
            if shot.get("image"):
                raise ValueError(f"shot {n}: continues and image are not accepted together: a continued shot "
                                 "starts from the last frame of the shot before.")
            after = out[-1].job_ids[-1]
        try:
            out.append(submit_shot(jobs, params, duration_s=shot.get("duration_s"), after=after,
                                   references=references_for(shot.get("characters") or [], cards),
                                   priority=priority, user=user, project_id=project_id, shot_id=shot.get("shot_id"),
                                   labels=labels))
        except ValueError as err:
            raise ValueError(f"shot {n}: {err}") from None
    return out


def _submit_parts(jobs: Any, chain_id: str, plan: ShotPlan, params: dict[str, Any], after: str | None, seed: int,
                  *, idempotency_key: str | None, **submit: Any) -> list[str]:
    ids: list[str] = []
    previous = after
    for i, frames in enumerate(plan.parts):
        held = previous is not None and plan.continuous
        part = {**params, "num_frames": frames, "seed": seed + i}
        if held:
            part.pop("image", None)  # it comes from the clip before
        if i < len(plan.parts) - 1:
            part.pop("last_image", None)  # the shot's end image ends its last clip only
        key = f"{idempotency_key}:part{i + 1}" if idempotency_key else None
        job_id = jobs.submit(part, idempotency_key=key, held=held, **submit)
        with transaction(jobs.db):
            jobs.db.execute("INSERT OR IGNORE INTO chain_parts (job_id, chain_id, part, after_job_id, from_last_frame,"
                            " released_at) VALUES (?,?,?,?,?,?)",
                            [job_id, chain_id, i + 1, previous if held else None, int(held),
                             None if held else time.time()])
        ids.append(job_id)
        previous = job_id if plan.continuous else None
    return ids


def _image_models() -> list[Any]:
    from engine import list_cards

    return [c for c in list_cards() if "image" in c.takes]


def is_held(db: Any, job_id: str) -> bool:
    """True while a job waits for its predecessor (no message is queued for it yet)."""
    row = db.execute("SELECT released_at FROM chain_parts WHERE job_id = ?", [job_id]).fetchone()
    return row is not None and row[0] is None


def release_ready(jobs: Any) -> int:
    """Release held parts whose predecessor is done (with its last frame as their start
    image), fail those whose predecessor failed or was cancelled, and join finished
    chains. Returns how many parts were released or failed."""
    changed = 0
    while True:  # a failed part fails the one after it in the next pass
        step = _release_pass(jobs)
        changed += step
        if not step:
            break
    _join_finished(jobs)
    return changed


def _release_pass(jobs: Any) -> int:
    db, changed = jobs.db, 0
    rows = db.execute("SELECT p.job_id, p.after_job_id, p.from_last_frame, j.status, j.clip_id, c.path"
                      " FROM chain_parts p JOIN jobs j ON j.id = p.after_job_id LEFT JOIN clips c ON c.id = j.clip_id"
                      " WHERE p.released_at IS NULL AND j.status IN ('done','failed','cancelled')").fetchall()
    for job_id, after_id, from_frame, status, _clip_id, clip_path in rows:
        job = jobs.get(job_id)
        if job["status"] != "queued":  # cancelled while held, say
            db.execute("UPDATE chain_parts SET released_at=? WHERE job_id=? AND released_at IS NULL", [time.time(), job_id])
            continue
        if status != "done" or not clip_path:
            why = f"the clip it continues (job {after_id[:8]}) {'was cancelled' if status == 'cancelled' else 'failed'}"
            with transaction(db):
                cur = db.execute("UPDATE jobs SET status='failed', error=?, error_kind=?, finished_at=?"
                                 " WHERE id=? AND status='queued'",
                                 [f"Not generated: {why}.", PREDECESSOR_LOST, time.time(), job_id])
                db.execute("UPDATE chain_parts SET released_at=? WHERE job_id=?", [time.time(), job_id])
            changed += cur.rowcount
            continue
        params = dict(job["params"])
        if from_frame:
            params["image"] = str(last_frame(clip_path, paths.new_media_path("assets", ".png")))
        with transaction(db):
            cur = db.execute("UPDATE chain_parts SET released_at=? WHERE job_id=? AND released_at IS NULL",
                             [time.time(), job_id])
            if cur.rowcount:
                db.execute("UPDATE jobs SET params=?, queued_at=? WHERE id=?",
                           [json.dumps(params, ensure_ascii=False), time.time(), job_id])
        if cur.rowcount:
            from studio.jobs import inputs

            inputs.ship(jobs.backend, job_id, params)
            jobs.backend.enqueue(jobs.message_for(jobs.get(job_id), run_id=job["run_id"]))
            changed += 1
    return changed


def _join_finished(jobs: Any) -> None:
    db = jobs.db
    chains = db.execute("SELECT id, parts FROM shot_chains WHERE status = 'running'").fetchall()
    for chain_id, count in chains:
        parts = db.execute("SELECT j.id, j.status, c.path, c.id, j.error FROM chain_parts p JOIN jobs j ON j.id = p.job_id"
                           " LEFT JOIN clips c ON c.id = j.clip_id WHERE p.chain_id = ? ORDER BY p.part",
                           [chain_id]).fetchall()
        statuses = [p[1] for p in parts]
        if len(parts) < count or any(s in ("queued", "running") for s in statuses):  # still being submitted, or running
            continue
        if any(s != "done" or not p[2] for s, p in zip(statuses, parts, strict=True)):
            bad = next(p for p in parts if p[1] != "done")
            db.execute("UPDATE shot_chains SET status='failed', error=?, finished_at=? WHERE id=? AND status='running'",
                       [f"Part {parts.index(bad) + 1} of {len(parts)} {bad[1]}: {bad[4] or ''}".strip(), time.time(),
                        chain_id])
            continue
        _join(jobs, chain_id, parts)


def _join(jobs: Any, chain_id: str, parts: list[tuple]) -> None:
    from studio.library import add_clip, get_clip

    db = jobs.db
    chain = dict(zip(("model", "continuous", "project_id", "shot_id"), db.execute(
        "SELECT model, continuous, project_id, shot_id FROM shot_chains WHERE id=?", [chain_id]).fetchone(), strict=True))
    clips = [get_clip(db, p[3]) for p in parts]
    if len(parts) == 1:
        clip_id = clips[0]["id"]
    else:
        first = clips[0]
        fps = first["fps"] or 16
        frames = sum(c["num_frames"] or 0 for c in clips) - (len(clips) - 1 if chain["continuous"] else 0)
        metadata = {"chain": chain_id, "parts": [{"job_id": p[0], "clip_id": p[3]} for p in parts],
                    "continuous": bool(chain["continuous"]),
                    "images": [i for c in clips for i in (c.get("metadata") or {}).get("images", [])]}
        out = join_clips([c["path"] for c in clips], paths.new_media_path("clips", ".mp4"), fps,
                         drop_first=bool(chain["continuous"]), metadata=metadata)
        clip_id = add_clip(db, str(out), chain["model"], characters=first.get("characters"), tags=first.get("tags"),
                           metadata=metadata, project_id=chain["project_id"], shot_id=chain["shot_id"],
                           user_id=first.get("user_id"), prompt=first.get("prompt") or "",
                           negative_prompt=first.get("negative_prompt"), shot_text=first.get("shot_text") or "",
                           width=first.get("width"), height=first.get("height"), num_frames=frames, fps=fps,
                           duration_s=frames / fps, seed=first.get("seed"), steps=first.get("steps"),
                           guidance=first.get("guidance"), flow_shift=first.get("flow_shift"), style=first.get("style"),
                           size_bytes=out.stat().st_size)
        from studio.safety.live import check_clip

        check_clip(db, clip_id, out, first.get("user_id"))  # the joined clip is a new clip: frame safety sees it too
    db.execute("UPDATE shot_chains SET status='done', clip_id=?, finished_at=? WHERE id=? AND status='running'",
               [clip_id, time.time(), chain_id])


def shot_clip(db: Any, job_id: str) -> dict[str, Any] | None:
    """The one clip of the shot that job `job_id` is a part of (the parts joined), once
    every part is done; None before. A job outside any chain: None."""
    row = db.execute("SELECT s.clip_id, s.status, s.id, s.parts FROM chain_parts p JOIN shot_chains s"
                     " ON s.id = p.chain_id WHERE p.job_id = ?", [job_id]).fetchone()
    if row is None or row[0] is None:
        return None
    from studio.library import get_clip

    return {**get_clip(db, row[0]), "chain_id": row[2], "parts": row[3]}


def shot_state(db: Any, job_id: str) -> tuple[str, str | None, str | None] | None:
    """(status, clip_id, error) of the shot whose chain holds job `job_id`, read as one
    job: 'running' until every part is done and joined, then 'done' with the joined clip,
    or 'failed' with a sentence. None for a job outside any chain."""
    row = db.execute("SELECT s.status, s.clip_id, s.error FROM chain_parts p JOIN shot_chains s ON s.id = p.chain_id"
                     " WHERE p.job_id = ?", [job_id]).fetchone()
    if row is None:
        return None
    status, clip_id, error = row
    if status == "done" and clip_id:
        return "done", clip_id, None
    if status == "failed":
        return "failed", None, error
    bad = db.execute("SELECT j.status, j.error FROM chain_parts p JOIN chain_parts p2 ON p2.chain_id = p.chain_id"
                     " JOIN jobs j ON j.id = p2.job_id WHERE p.job_id = ? AND j.status IN ('failed', 'cancelled')"
                     " ORDER BY p2.part LIMIT 1", [job_id]).fetchone()
    if bad is not None:  # a part failed or was cancelled: the shot has, whatever its other parts do
        return bad[0], None, bad[1]
    return "running", None, None


def sibling_jobs(db: Any, job_id: str) -> list[str]:
    """Every job of the chain that holds `job_id`, in part order ([job_id] outside a chain)."""
    rows = db.execute("SELECT p2.job_id FROM chain_parts p JOIN chain_parts p2 ON p2.chain_id = p.chain_id"
                      " WHERE p.job_id = ? ORDER BY p2.part", [job_id]).fetchall()
    return [r[0] for r in rows] or [job_id]


def chain_status(db: Any, chain_id: str) -> dict[str, Any]:
    """A chain's state for a UI or CLI: its parts in order with their job status."""
    head = db.execute("SELECT model, parts, continuous, status, clip_id, error FROM shot_chains WHERE id=?",
                      [chain_id]).fetchone()
    if head is None:
        raise ValueError(f"chain {chain_id!r} is not known.")
    parts = db.execute("SELECT p.part, p.job_id, j.status, p.after_job_id, p.released_at FROM chain_parts p"
                       " JOIN jobs j ON j.id = p.job_id WHERE p.chain_id=? ORDER BY p.part", [chain_id]).fetchall()
    return {"model": head[0], "parts": head[1], "continuous": bool(head[2]), "status": head[3], "clip_id": head[4],
            "error": head[5], "jobs": [{"part": p[0], "job_id": p[1], "status": p[2], "after": p[3],
                                        "held": p[4] is None} for p in parts]}


# ---- frames ------------------------------------------------------------------------------

def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def last_frame(video: str | Path, out: Path) -> Path:
    """The last frame of `video` as a PNG at `out` (ffmpeg decodes only the last second)."""
    tmp = out.with_name(f".{out.name}.part.png")
    cmd = [_ffmpeg(), "-v", "error", "-y", "-sseof", "-1", "-i", str(video), "-update", "1", "-pix_fmt", "rgb24",
           "-f", "image2", str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"could not read the last frame of {video}: {proc.stderr.decode(errors='replace')[-200:]}")
    tmp.replace(out)
    return out


def join_clips(videos: list[str], out: Path, fps: int, *, drop_first: bool, metadata: dict[str, Any]) -> Path:
    """Concatenate clips into one H.264 MP4 (re-encoded once, crf 17 like the engine's),
    dropping each later clip's first frame where it repeats the previous clip's last."""
    from engine.video import METADATA_TAG

    inputs: list[str] = []
    chains = []
    for i, v in enumerate(videos):
        inputs += ["-i", str(v)]
        trim = "trim=start_frame=1," if drop_first and i > 0 else ""
        chains.append(f"[{i}:v]{trim}setpts=PTS-STARTPTS,fps={fps}[v{i}]")
    graph = ";".join(chains) + ";" + "".join(f"[v{i}]" for i in range(len(videos))) + \
        f"concat=n={len(videos)}:v=1:a=0[out]"
    tmp = out.with_name(f".{out.stem}.part.mp4")
    cmd = [_ffmpeg(), "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[out]", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", "-crf", "17", "-preset", "medium", "-movflags", "+use_metadata_tags+faststart",
           "-metadata", f"{METADATA_TAG}={json.dumps(metadata, ensure_ascii=False, sort_keys=True)}", str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"could not join the shot's clips: {proc.stderr.decode(errors='replace')[-300:]}")
    tmp.replace(out)
    return out
