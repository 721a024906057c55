"""studio.flow: the studio service the browser calls — projects made from scripts, the
editable storyboard (edit, add, split, merge, delete, reorder, regenerate one shot),
queueing shots as jobs, and steering those jobs (cancel, retry, priority). Every method
takes the user's name and only touches that user's rows. Nothing here runs a model or
ffmpeg: jobs go to the workers, renders to the FlowRunner's background thread."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from studio.db import open_database
from studio.db.records import add_shot, create_project, create_storyboard, get_or_create_user
from studio.flow import store
from studio.jobs import JobService, QueueBackend

ASPECTS = {"16:9": ("720p", 16 / 9), "9:16": ("vertical-pad", 9 / 16), "1:1": ("square", 1.0)}
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SHOT_FIELDS = {"text": str, "prompt": str, "style": str, "duration_s": float, "seed": int, "camera_size": str,
               "camera_movement": str, "subtitle": str}
MAX_SHOTS = 200


def pick_size(model: str, aspect: str) -> tuple[int, int]:
    """The model's trained resolution closest to `aspect`, nearest to its default size."""
    from engine import get_card

    card = get_card(model)
    target = ASPECTS[aspect][1]
    area = card.default_width * card.default_height
    return min(card.resolutions, key=lambda wh: (round(abs(math.log(wh[0] / wh[1] / target)), 3),
                                                 abs(math.log(wh[0] * wh[1] / area))))


class StudioService:
    """The studio's operations for the UI. One instance per studio process; database
    connections are per thread (Gradio runs handlers on a thread pool)."""

    def __init__(self, backend: QueueBackend, *, db_path: str | None = None, defaults: dict[str, Any] | None = None,
                 max_upload_bytes: int = 200 * 1024 * 1024):
        self.backend = backend
        self.db_path = db_path
        self.defaults = dict(defaults or {})  # e.g. {"steps": 2, "max_frames": 9} for tests and demos
        self.max_upload_bytes = max_upload_bytes
        self._local = threading.local()

    # ---- plumbing -------------------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.db_path)
        return db

    @property
    def jobs(self) -> JobService:
        return JobService(self.db, self.backend)

    def user_id(self, user: str) -> str:
        return get_or_create_user(self.db, user)

    def flow(self, user: str, project_id: str) -> dict[str, Any]:
        return store.get_flow(self.db, self.user_id(user), project_id)

    def projects(self, user: str) -> list[dict[str, Any]]:
        return store.list_flows(self.db, self.user_id(user))

    def default_model(self, user: str) -> str:
        """The user's chosen model when its weights are here, else the first real model that
        is downloaded, else `tiny` (which builds itself locally)."""
        from engine import list_cards, weights_status

        chosen = store.get_settings(self.db, self.user_id(user)).get("model")
        if chosen and weights_status(chosen) == "local":
            return chosen
        for card in list_cards():
            if not card.is_local_only and weights_status(card.id) == "local":
                return card.id
        return "tiny"

    # ---- script -> storyboard -------------------------------------------------------------
    def create_from_script(self, user: str, script: str, *, name: str = "", style: str | None = None,
                           template: str = "wan", model: str | None = None, aspect: str = "16:9",
                           characters_file: str | None = None, csv_file: str | None = None, auto_export: bool = False,
                           music: str = "demo", logo: str = "demo", label_position: str = "top-left",
                           seed: int = 0) -> list[str]:
        """One project per script (one per CSV row with `csv_file`), each with its storyboard.
        Returns the project ids; nothing is queued yet."""
        from studio.prompts.characters import load_cards
        from studio.prompts.personalise import personalise, read_csv
        from studio.prompts.presets import default_presets
        from studio.storyboard import build

        if aspect not in ASPECTS:
            raise ValueError(f"Aspect ratio {aspect!r} is not accepted; choose one of {', '.join(ASPECTS)}.")
        if label_position not in CORNERS:
            raise ValueError(f"AI-label position {label_position!r} is not accepted; choose one of {', '.join(CORNERS)}.")
        presets = default_presets()
        if style:
            style = presets.style(style).id
        presets.template(template)
        model = model or self.default_model(user)
        cards = load_cards(characters_file) if characters_file else []
        scripts = [(script, cards, "")]
        if csv_file:
            scripts = [(filled, row_cards, f" #{row.number}")
                       for row, filled, row_cards in personalise(script, read_csv(csv_file), cards)]
        uid = self.user_id(user)
        width, height = pick_size(model, aspect)
        options = {"model": model, "style": style or "", "template": template, "aspect": aspect,
                   "preset": ASPECTS[aspect][0], "width": width, "height": height, "music": music, "logo": logo,
                   "label_position": label_position, **self.defaults}
        out = []
        for text, row_cards, suffix in scripts:
            board = build(text, model=model, style=style, characters=row_cards, template=template, seed=seed,
                          presets=presets)
            title = (name.strip() or board.title or _title_from(text))[:80] + suffix
            pid = create_project(self.db, title, uid)
            sid = create_storyboard(self.db, pid, title=title, script=text, style=style)
            entries = [self._new_entry(sid, pid, shot.to_dict(), i) for i, shot in enumerate(board.shots)]
            meta = {"model": board.model, "style": board.style, "title": board.title, "warnings": board.warnings}
            store.insert_flow(self.db, uid, pid, sid, {"meta": meta, "shots": entries}, options, auto_export)
            out.append(pid)
        return out

    def _new_entry(self, storyboard_id: str, project_id: str, shot: dict[str, Any], position: int) -> dict[str, Any]:
        row_id = add_shot(self.db, storyboard_id, project_id, position, shot.get("text", ""),
                          subject=shot.get("subject"), action=shot.get("action"), scene=shot.get("setting"),
                          camera=shot.get("camera", {}).get("size_en"), dialogue=shot.get("subtitle") or None,
                          style=shot.get("style") or None, prompt=shot.get("prompt"),
                          duration_s=shot.get("duration_s"), characters=shot.get("characters") or [])
        return {"id": row_id, "shot": shot, "job_id": None}

    def one_click(self, user: str, script: str, **options: Any) -> str:
        """Script -> storyboard -> every shot queued; the FlowRunner builds the timeline and
        exports when the last clip is done. Returns the project id."""
        pid = self.create_from_script(user, script, auto_export=True, **options)[0]
        self.queue_all(user, pid)
        return pid

    # ---- storyboard editing ---------------------------------------------------------------
    def _save_board(self, flow: dict[str, Any], shots: list[dict[str, Any]]) -> None:
        for i, entry in enumerate(shots, start=1):
            entry["shot"]["index"] = i
            shot = entry["shot"]
            self.db.execute("UPDATE shots SET position = ?, text = ?, prompt = ?, style = ?, duration_s = ?,"
                            " dialogue = ? WHERE id = ?", [i, shot.get("text", ""), shot.get("prompt"),
                                                           shot.get("style") or None, shot.get("duration_s"),
                                                           shot.get("subtitle") or None, entry["id"]])
        board = dict(flow["board"], shots=shots)
        store.update_flow(self.db, flow["project_id"], board=board)
        flow["board"] = board

    def _entry(self, flow: dict[str, Any], shot_id: str) -> tuple[int, dict[str, Any]]:
        for i, entry in enumerate(flow["board"]["shots"]):
            if entry["id"] == shot_id:
                return i, entry
        raise ValueError(f"Shot {shot_id!r} is not in this storyboard.")

    def edit_shot(self, user: str, project_id: str, shot_id: str, **fields: Any) -> dict[str, Any]:
        """Change a shot's text, prompt, style, duration, seed, camera or subtitle. A changed
        prompt is checked against the safety policy again; the warning shows on the card."""
        from studio.safety.policy import default_policy

        unknown = sorted(set(fields) - set(SHOT_FIELDS))
        if unknown:
            raise ValueError(f"Shot field(s) {unknown} are not known; accepted: {sorted(SHOT_FIELDS)}.")
        flow = self.flow(user, project_id)
        _, entry = self._entry(flow, shot_id)
        shot = entry["shot"]
        model = flow["options"]["model"]
        # the page sends every field of the card: only what differs from the shot is a change
        changed = {k: v for k, v in fields.items() if v is not None and v != _current(shot, k)}
        if "text" in changed or "style" in changed:
            shot["text"] = changed.pop("text", shot.get("text", ""))
            shot["style"] = changed.pop("style", shot.get("style", ""))
            if "prompt" not in changed:  # a new text or style gets a freshly composed prompt
                self._recompose(shot, flow)
        for key, value in changed.items():
            if key == "duration_s":
                from engine import get_card

                card = get_card(model)
                value = float(value)
                if not 0 < value <= card.max_seconds:
                    raise ValueError(f"Duration {value:g} s is not accepted: more than 0 and at most "
                                     f"{card.max_seconds:g} s for {model}.")
                shot["num_frames"] = min(card.max_frames, 4 * max(1, round(value * card.fps / 4)) + 1)
            if key == "seed" and (not isinstance(value, int) or not 0 <= value < 2**32):
                raise ValueError(f"Seed {value!r} is not accepted: a whole number from 0 to 4294967295.")
            if key in ("camera_size", "camera_movement"):
                shot.setdefault("camera", {})["size" if key == "camera_size" else "movement"] = value
                continue
            if key == "subtitle":
                shot["dialogue"] = [{"speaker": "", "text": value.strip()}] if value.strip() else []
                shot["subtitle"] = value.strip()
                continue
            shot[key] = value
        result = default_policy().check(shot.get("prompt", "") + "\n" + shot.get("subtitle", ""))
        shot["safety"] = result.to_dict()
        shot["warnings"] = [w for w in shot.get("warnings", []) if not w.startswith(("Blocked", "已拦截", "Warning"))]
        if result.flagged:
            shot["warnings"].append(result.message)
        self._save_board(flow, flow["board"]["shots"])
        return shot

    def _recompose(self, shot: dict[str, Any], flow: dict[str, Any]) -> None:
        """Re-analyse a shot's text and compose its prompt again (after its text changed)."""
        from studio.prompts.compose import compose_shot
        from studio.prompts.presets import default_presets
        from studio.storyboard import split
        from studio.storyboard.model import Shot

        presets = default_presets()
        model = flow["options"]["model"]
        fresh = split(shot["text"], model=model, presets=presets).shots[0]
        fresh.text = shot["text"]  # the analysis of its first sentence, the whole text kept
        fresh.seed, fresh.index = int(shot.get("seed", 0)), shot.get("index", 1)
        style = presets.style(shot["style"]) if shot.get("style") else None
        compose_shot(fresh, model, style, template=flow["options"].get("template", "wan"), presets=presets)
        shot.update({k: v for k, v in fresh.to_dict().items() if k not in ("index", "seed", "safety")})
        Shot.from_dict({k: v for k, v in shot.items() if k != "subtitle"})  # still a valid shot

    def add_shot(self, user: str, project_id: str, text: str, after: str | None = None) -> str:
        flow = self.flow(user, project_id)
        shots = flow["board"]["shots"]
        if len(shots) >= MAX_SHOTS:
            raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
        if not text or not text.strip():
            raise ValueError("The new shot's text is empty; describe what the shot shows.")
        from studio.storyboard import split

        shot = split(text, model=flow["options"]["model"]).shots[0]
        shot.seed = max((int(e["shot"].get("seed", 0)) for e in shots), default=-1) + 1
        at = self._entry(flow, after)[0] + 1 if after else len(shots)
        entry = self._new_entry(flow["storyboard_id"], project_id, shot.to_dict(), at)
        style = flow["options"].get("style") or ""
        entry["shot"]["style"] = style
        self._recompose(entry["shot"], flow)
        shots.insert(at, entry)
        self._save_board(flow, shots)
        return entry["id"]

    def delete_shot(self, user: str, project_id: str, shot_id: str) -> None:
        flow = self.flow(user, project_id)
        shots = flow["board"]["shots"]
        if len(shots) <= 1:
            raise ValueError("A storyboard needs at least one shot; this is the last one.")
        i, _ = self._entry(flow, shot_id)
        shots.pop(i)
        self.db.execute("DELETE FROM shots WHERE id = ?", [shot_id])
        self._save_board(flow, shots)

    def split_shot(self, user: str, project_id: str, shot_id: str) -> str:
        """Split a shot's text in two at the sentence break nearest its middle."""
        from studio.storyboard import split

        flow = self.flow(user, project_id)
        _, entry = self._entry(flow, shot_id)
        text = entry["shot"]["text"]
        pieces = [s.text for s in split(text, model=flow["options"]["model"]).shots]
        if len(pieces) < 2:
            cut = _middle_break(text)
            if cut is None:
                raise ValueError("This shot has one sentence only; edit its text to split it by hand.")
            pieces = [text[:cut], text[cut:]]
        half = max(1, len(pieces) // 2)
        joiner = "" if entry["shot"].get("language") == "zh" else " "
        first, second = joiner.join(pieces[:half]).strip(), joiner.join(pieces[half:]).strip()
        self.edit_shot(user, project_id, shot_id, text=first)
        return self.add_shot(user, project_id, second, after=shot_id)

    def merge_shot(self, user: str, project_id: str, shot_id: str) -> None:
        """Merge a shot with the one after it."""
        flow = self.flow(user, project_id)
        i, entry = self._entry(flow, shot_id)
        shots = flow["board"]["shots"]
        if i + 1 >= len(shots):
            raise ValueError("The last shot has no next shot to merge with.")
        nxt = shots[i + 1]["shot"]
        joiner = "" if entry["shot"].get("language") == "zh" else " "
        text = entry["shot"]["text"].rstrip() + joiner + nxt["text"].lstrip()
        subtitle = " ".join(s for s in (entry["shot"].get("subtitle", ""), nxt.get("subtitle", "")) if s)
        self.delete_shot(user, project_id, shots[i + 1]["id"])
        self.edit_shot(user, project_id, shot_id, text=text, subtitle=subtitle)

    def reorder(self, user: str, project_id: str, order: Sequence[str]) -> None:
        flow = self.flow(user, project_id)
        shots = flow["board"]["shots"]
        by_id = {e["id"]: e for e in shots}
        order = [o for o in order if o]
        if sorted(order) != sorted(by_id):
            raise ValueError("The new order must name every shot of the storyboard exactly once.")
        self._save_board(flow, [by_id[o] for o in order])

    # ---- queueing and steering jobs -------------------------------------------------------
    def _params(self, user: str, flow: dict[str, Any], shot: dict[str, Any]) -> dict[str, Any]:
        from engine import get_card

        opts = flow["options"]
        settings = store.get_settings(self.db, self.user_id(user))
        card = get_card(opts["model"])
        frames = int(shot.get("num_frames") or card.default_frames)
        cap = settings.get("max_frames") or opts.get("max_frames")
        if cap:
            frames = min(frames, 4 * ((int(cap) - 1) // 4) + 1)
        speed = {k: settings[k] for k in ("attention_backend", "cache") if settings.get(k)}
        return {"prompt": shot["prompt"], "model": opts["model"], "negative_prompt": shot.get("negative_prompt") or None,
                "width": opts["width"], "height": opts["height"], "num_frames": max(1, min(frames, card.max_frames)),
                "steps": settings.get("steps") or opts.get("steps"), "seed": int(shot.get("seed", 0)),
                "memory_mode": settings.get("memory_mode") or "auto", "speed": speed}

    def _submit_shot(self, user: str, flow: dict[str, Any], entry: dict[str, Any], priority: int = 0) -> str:
        shot = entry["shot"]
        if (shot.get("safety") or {}).get("blocked"):
            raise ValueError(f"Shot {shot.get('index')} is blocked by the safety policy: "
                             f"{shot['safety'].get('message', '')} Edit it before queueing.")
        labels = {"shot_text": shot.get("text", ""), "characters": list(shot.get("characters") or [])}
        if shot.get("style"):
            labels["style"] = shot["style"]
        return self.jobs.submit(self._params(user, flow, shot), priority=priority, user=user,
                                project_id=flow["project_id"], shot_id=entry["id"], labels=labels,
                                idempotency_key=f"{entry['id']}:{uuid.uuid4().hex}")

    def queue_all(self, user: str, project_id: str, priority: int = 0) -> list[str]:
        """Queue every shot that has no live or finished job; the whole storyboard in one click."""
        flow = self.flow(user, project_id)
        shots = flow["board"]["shots"]
        blocked = [e["shot"] for e in shots if (e["shot"].get("safety") or {}).get("blocked")]
        if blocked:
            raise ValueError(f"Shot {blocked[0].get('index')} is blocked by the safety policy: "
                             f"{blocked[0]['safety'].get('message', '')} Edit it before queueing.")
        queued = []
        for entry in shots:
            job = self.jobs.get(entry["job_id"]) if entry.get("job_id") else None
            if job is None or job["status"] in ("failed", "cancelled"):
                entry["job_id"] = self._submit_shot(user, flow, entry, priority)
                queued.append(entry["job_id"])
        self._save_board(flow, shots)
        store.update_flow(self.db, project_id, status="generating", error=None,
                          message=f"{len(shots)} shot(s) in the queue")
        return queued

    def regenerate_shot(self, user: str, project_id: str, shot_id: str, new_seed: bool = True) -> str:
        """Generate one shot again (with the next seed unless `new_seed` is False)."""
        flow = self.flow(user, project_id)
        _, entry = self._entry(flow, shot_id)
        if new_seed:
            entry["shot"]["seed"] = (int(entry["shot"].get("seed", 0)) + 1) % 2**32
        if entry.get("job_id"):
            self.jobs.cancel(entry["job_id"])
        entry["job_id"] = self._submit_shot(user, flow, entry)
        self._save_board(flow, flow["board"]["shots"])
        if flow["status"] not in ("draft",):
            store.update_flow(self.db, project_id, status="generating", error=None)
        return entry["job_id"]

    def _own_job(self, user: str, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id, user_id=self.user_id(user))
        if job["user_id"] != self.user_id(user):
            raise ValueError(f"Job {job_id!r} is not known.")
        return job

    def cancel_job(self, user: str, job_id: str) -> str:
        return self.jobs.cancel(self._own_job(user, job_id)["id"])

    def set_priority(self, user: str, job_id: str, priority: int) -> None:
        self.jobs.set_priority(self._own_job(user, job_id)["id"], int(priority))

    def retry_job(self, user: str, job_id: str) -> str:
        """Run a failed or cancelled job again as a new job (same shot, same settings)."""
        job = self._own_job(user, job_id)
        if job["status"] not in ("failed", "cancelled"):
            raise ValueError(f"Job {job['id'][:8]} is {job['status']}; only a failed or cancelled job can be retried.")
        if job["shot_id"] and job["project_id"]:
            flow = self.flow(user, job["project_id"])
            for entry in flow["board"]["shots"]:
                if entry["id"] == job["shot_id"]:
                    return self.regenerate_shot(user, job["project_id"], entry["id"], new_seed=False)
        return self.jobs.submit(job["params"], priority=job["priority"], user=user, project_id=job["project_id"],
                                labels=job.get("labels") or {})

    def project_jobs(self, user: str, project_id: str | None = None) -> list[dict[str, Any]]:
        uid = self.user_id(user)
        if project_id:
            self.flow(user, project_id)
            return self.jobs.list(project_id=project_id, limit=500)
        rows = self.db.execute("SELECT id FROM jobs WHERE user_id = ? ORDER BY seq DESC LIMIT 200", [uid]).fetchall()
        return [self.jobs.get(r[0]) for r in rows]


def _current(shot: dict[str, Any], key: str) -> Any:
    """A shot's present value of an editable field, as the card shows it."""
    if key in ("camera_size", "camera_movement"):
        return (shot.get("camera") or {}).get("size" if key == "camera_size" else "movement")
    if key == "duration_s":
        return float(shot.get("duration_s") or 0)
    return shot.get(key, "" if SHOT_FIELDS.get(key) is str else None)


def _title_from(script: str) -> str:
    line = next((ln.strip() for ln in script.splitlines() if ln.strip()), "Untitled")
    return line[:40]


def _middle_break(text: str) -> int | None:
    marks = [i + 1 for i, ch in enumerate(text) if ch in "，,。.;；！!？?" and 0 < i + 1 < len(text)]
    if not marks:
        return None
    return min(marks, key=lambda i: abs(i - len(text) / 2))


def file_size_ok(path: str | Path, limit: int) -> None:
    size = Path(path).stat().st_size
    if size > limit:
        raise ValueError(f"The file {Path(path).name!r} is {_size(size)}; at most {_size(limit)} is accepted.")


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"
