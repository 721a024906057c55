"""studio.projects: projects made from scripts and their editable storyboard (edit, add,
split, merge, delete and undo, reorder: studio.storyboard.edit's functions, so merge adds
durations and keeps both subtitles, split keeps every line of speech), and script files read
in every format the storyboard reads. The shots are read and written through the one
repository (`studio.projects.repository`); every method takes the user's name and only
touches that user's rows. Nothing here runs a model or queues a job: `studio.jobs.shots`
queues a storyboard's shots, `studio.pipeline` carries the one-click path."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.migrations import transaction
from studio.db.records import create_project, create_storyboard, get_or_create_user
from studio.projects import repository as store
from studio.storyboard.model import Shot
from studio.storyboard.source import Script

ASPECTS = {"16:9": ("720p", 16 / 9), "9:16": ("vertical-pad", 9 / 16), "1:1": ("square", 1.0)}
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SHOT_FIELDS = {"text": str, "prompt": str, "style": str, "duration_s": float, "seed": int, "camera_size": str,
               "camera_movement": str, "subtitle": str}
MAX_SHOTS = 200
MAX_SHOT_SECONDS = 600  # the longest shot a chain of clips makes (studio.jobs.chain)
MAX_SCRIPT_FILE_BYTES = 4_000_000  # what studio.storyboard.read_file accepts
UNDO_DEPTH = 20  # deleted shots kept per project for undo (since the studio started)


def pick_size(model: str, aspect: str) -> tuple[int, int]:
    """The model's trained resolution closest to `aspect`, nearest to its default size."""
    from engine import get_card

    card = get_card(model)
    target = ASPECTS[aspect][1]
    area = card.default_width * card.default_height
    return min(card.resolutions, key=lambda wh: (round(abs(math.log(wh[0] / wh[1] / target)), 3),
                                                 abs(math.log(wh[0] * wh[1] / area))))


class ProjectService:
    """Projects and their storyboards for the UI. `default_model(user)` is asked of the
    models service (what the workers report) when a script names no model."""

    def __init__(self, conn: Connections, *, default_model: Callable[[str], str],
                 defaults: dict[str, Any] | None = None):
        self.conn = conn
        self.default_model = default_model
        self.defaults = dict(defaults or {})  # e.g. {"steps": 2, "max_frames": 9} for tests and demos
        self._deleted: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}  # (user id, project) -> undo stack

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def user_id(self, user: str) -> str:
        return get_or_create_user(self.db, user)

    def project(self, user: str, project_id: str) -> dict[str, Any]:
        """The project's state and its shots (`shots`: [{"id", "job_id", "shot"}] in order)."""
        return store.get_flow(self.db, self.user_id(user), project_id)

    def projects(self, user: str) -> list[dict[str, Any]]:
        return store.list_flows(self.db, self.user_id(user))

    def _entry(self, flow: dict[str, Any], shot_id: str) -> tuple[int, dict[str, Any]]:
        for i, entry in enumerate(flow["shots"]):
            if entry["id"] == shot_id:
                return i, entry
        raise ValueError(f"Shot {shot_id!r} is not in this storyboard.")

    # ---- script -> storyboard -------------------------------------------------------------
    @staticmethod
    def read_script_file(path: str) -> Script:
        """An uploaded script file decoded in its own format and encoding (named on the
        Script); ValueError / FormatRefused (one sentence) for what the storyboard does not read."""
        from studio.assets.uploads import file_size_ok
        from studio.storyboard import read_file

        file_size_ok(path, MAX_SCRIPT_FILE_BYTES)
        return read_file(path)

    def create_from_script(self, user: str, script: str | Script, *, name: str = "", style: str | None = None,
                           template: str = "wan", model: str | None = None, aspect: str = "16:9",
                           characters_file: str | None = None, csv_file: str | None = None, auto_export: bool = False,
                           music: str = "demo", logo: str = "demo", label_position: str = "top-left",
                           seed: int = 0) -> list[str]:
        """One project per script (one per CSV row with `csv_file`), each with its storyboard.
        `script` is pasted text or a read file (`read_script_file`: its format is kept). A
        Fountain title page's title names the project when `name` is empty. Returns the
        project ids; nothing is queued yet."""
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
        scripts: list[tuple[str | Script, Any, str]] = [(script, cards, "")]
        if csv_file:
            text = script.text if isinstance(script, Script) else script
            if isinstance(script, Script) and script.format not in ("text", "markdown"):
                raise ValueError(f"A personalisation CSV fills plain-text scripts; this script is {script.format}.")
            scripts = [(filled, row_cards, f" #{row.number}")
                       for row, filled, row_cards in personalise(text, read_csv(csv_file), cards)]
        uid = self.user_id(user)
        width, height = pick_size(model, aspect)
        options = {"model": model, "style": style or "", "template": template, "aspect": aspect,
                   "preset": ASPECTS[aspect][0], "width": width, "height": height, "music": music, "logo": logo,
                   "label_position": label_position, **self.defaults}
        out = []
        for source, row_cards, suffix in scripts:
            board = build(source, model=model, style=style, characters=row_cards, template=template, seed=seed,
                          presets=presets)
            text = source.text if isinstance(source, Script) else source
            title = (name.strip() or board.title.strip() or _title_from(text))[:80] + suffix
            with transaction(self.db):
                pid = create_project(self.db, title, uid)
                sid = create_storyboard(self.db, pid, title=title, script=text, style=style)
                store.set_storyboard_meta(self.db, sid, model=board.model, warnings=board.warnings)
                for i, shot in enumerate(board.shots, start=1):
                    store.insert_shot(self.db, sid, pid, i, shot.to_dict())
                store.insert_flow(self.db, uid, pid, sid, options, auto_export)
            out.append(pid)
        return out

    # ---- storyboard editing ---------------------------------------------------------------
    # every edit goes through studio.storyboard.edit, so the flow, the page and the tests edit alike
    def _board(self, flow: dict[str, Any]) -> list[Shot]:
        known = {f.name for f in dataclasses.fields(Shot)}
        return [Shot.from_dict({k: v for k, v in e["shot"].items() if k in known}) for e in flow["shots"]]

    def _write(self, shot_id: str, shot: Shot | dict[str, Any]) -> dict[str, Any]:
        data = shot.to_dict() if isinstance(shot, Shot) else shot
        _check_safety(data)
        store.write_shot(self.db, shot_id, data)
        return data

    def edit_shot(self, user: str, project_id: str, shot_id: str, **fields: Any) -> dict[str, Any]:
        """Change a shot's text, prompt, style, duration, seed, camera or subtitle. A new text,
        style or camera composes the prompt again (unless a prompt is given with it); the prompt
        is checked against the safety policy again, and its warning shows on the card."""
        from studio.storyboard import edit

        unknown = sorted(set(fields) - set(SHOT_FIELDS))
        if unknown:
            raise ValueError(f"Shot field(s) {unknown} are not known; accepted: {sorted(SHOT_FIELDS)}.")
        flow = self.project(user, project_id)
        i, entry = self._entry(flow, shot_id)
        model, template = flow["options"]["model"], flow["options"].get("template", "wan")
        # the page sends every field of the card: only what differs from the shot is a change
        changed = {k: v for k, v in fields.items() if v is not None and v != _current(entry["shot"], k)}
        board = self._board(flow)
        if "text" in changed:
            board = edit.set_text(board, i + 1, changed.pop("text"), model, template)
        if "style" in changed:
            board = edit.set_style(board, i + 1, model, changed.pop("style") or "", template)
        if "camera_size" in changed or "camera_movement" in changed:
            board = edit.set_camera(board, i + 1, model, size=changed.pop("camera_size", None),
                                    movement=changed.pop("camera_movement", None), template=template)
        shot = board[i].to_dict()
        for key, value in changed.items():
            if key == "duration_s":
                from engine import get_card

                card = get_card(model)
                value = float(value)
                # a shot keeps the script's length: longer than one clip, it is made of chained clips
                if not math.isfinite(value) or not 0 < value <= MAX_SHOT_SECONDS:
                    raise ValueError(f"Duration {value:g} s is not accepted: more than 0 and at most "
                                     f"{MAX_SHOT_SECONDS} s.")
                shot["num_frames"] = min(card.max_frames, 4 * max(1, round(value * card.fps / 4)) + 1)
            if key == "seed" and (not isinstance(value, int) or not 0 <= value < 2**32):
                raise ValueError(f"Seed {value!r} is not accepted: a whole number from 0 to 4294967295.")
            if key == "subtitle":
                shot["dialogue"] = [{"speaker": "", "text": value.strip()}] if value.strip() else []
                shot["subtitle"] = value.strip()
                continue
            shot[key] = value
        return self._write(entry["id"], shot)

    def add_shot(self, user: str, project_id: str, text: str, after: str | None = None) -> str:
        from studio.storyboard import edit, split

        flow = self.project(user, project_id)
        shots = flow["shots"]
        if len(shots) >= MAX_SHOTS:
            raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
        if not text or not text.strip():
            raise ValueError("The new shot's text is empty; describe what the shot shows.")
        model = flow["options"]["model"]
        shot = split(text, model=model).shots[0]
        shot.text = text.strip()
        shot.seed = max((int(e["shot"].get("seed", 0)) for e in shots), default=-1) + 1
        shot.style = flow["options"].get("style") or ""
        edit.recompose(shot, model, flow["options"].get("template", "wan"))
        at = self._entry(flow, after)[0] + 1 if after else len(shots)
        data = shot.to_dict()
        _check_safety(data)
        with transaction(self.db):
            new_id = store.insert_shot(self.db, flow["storyboard_id"], project_id, at + 1, data)
            store.set_order(self.db, [e["id"] for e in shots[:at]] + [new_id] + [e["id"] for e in shots[at:]])
        return new_id

    def delete_shot(self, user: str, project_id: str, shot_id: str) -> None:
        """Delete a shot; `undo_delete` puts the last deleted shot back where it was."""
        from studio.storyboard import edit

        flow = self.project(user, project_id)
        i, entry = self._entry(flow, shot_id)
        _, token = edit.delete(self._board(flow), i + 1)
        with transaction(self.db):
            store.delete_shot(self.db, shot_id)
            store.set_order(self.db, [e["id"] for e in flow["shots"] if e["id"] != shot_id])
        stack = self._deleted.setdefault((self.user_id(user), project_id), [])
        stack.append((token, entry.get("job_id")))
        del stack[:-UNDO_DEPTH]

    def can_undo_delete(self, user: str, project_id: str) -> bool:
        return bool(self._deleted.get((self.user_id(user), project_id)))

    def undo_delete(self, user: str, project_id: str) -> str:
        """Put the last deleted shot of the project back at its place (with its clip); its new id."""
        from studio.storyboard import edit

        flow = self.project(user, project_id)
        stack = self._deleted.get((self.user_id(user), project_id))
        if not stack:
            raise ValueError("No deleted shot to bring back in this project.")
        if len(flow["shots"]) >= MAX_SHOTS:
            raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
        token, job_id = stack.pop()
        board = edit.undo(self._board(flow), token)
        at = min(token.position, len(flow["shots"]))
        ids = [e["id"] for e in flow["shots"]]
        with transaction(self.db):
            new_id = store.insert_shot(self.db, flow["storyboard_id"], project_id, at + 1, board[at].to_dict())
            if job_id:
                store.set_shot_job(self.db, new_id, job_id)
            store.set_order(self.db, ids[:at] + [new_id] + ids[at:])
        return new_id

    def split_shot(self, user: str, project_id: str, shot_id: str) -> str:
        """Split a shot in two at the sentence break nearest its middle; every line of speech
        stays (with the half it is said in) and the duration is shared. The new shot's id."""
        from studio.storyboard import edit

        flow = self.project(user, project_id)
        i, entry = self._entry(flow, shot_id)
        if len(flow["shots"]) >= MAX_SHOTS:
            raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
        board = edit.split(self._board(flow), i + 1, flow["options"]["model"], flow["options"].get("template", "wan"))
        first, second = board[i], board[i + 1]
        second.seed = max((int(e["shot"].get("seed", 0)) for e in flow["shots"]), default=-1) + 1
        data = second.to_dict()
        _check_safety(data)
        ids = [e["id"] for e in flow["shots"]]
        with transaction(self.db):
            self._write(entry["id"], first)
            new_id = store.insert_shot(self.db, flow["storyboard_id"], project_id, i + 2, data)
            store.set_order(self.db, ids[: i + 1] + [new_id] + ids[i + 1:])
        return new_id

    def merge_shot(self, user: str, project_id: str, shot_id: str) -> None:
        """Merge a shot with the one after it: texts joined, durations added, both shots'
        subtitles kept in order, the prompt composed again."""
        from studio.storyboard import edit

        flow = self.project(user, project_id)
        i, entry = self._entry(flow, shot_id)
        if i + 1 >= len(flow["shots"]):
            raise ValueError("The last shot has no next shot to merge with.")
        board = edit.merge(self._board(flow), i + 1, flow["options"]["model"], flow["options"].get("template", "wan"))
        gone = flow["shots"][i + 1]["id"]
        with transaction(self.db):
            self._write(entry["id"], board[i])
            store.delete_shot(self.db, gone)
            store.set_order(self.db, [e["id"] for e in flow["shots"] if e["id"] != gone])

    def reorder(self, user: str, project_id: str, order: Sequence[str]) -> None:
        flow = self.project(user, project_id)
        order = [o for o in order if o]
        if sorted(order) != sorted(e["id"] for e in flow["shots"]):
            raise ValueError("The new order must name every shot of the storyboard exactly once.")
        with transaction(self.db):
            store.set_order(self.db, order)


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


def _check_safety(shot: dict[str, Any]) -> None:
    """The safety policy on an edited shot: its prompt (what the model draws) may be blocked;
    words only in its speech (burned in as subtitles) give a warning. The result shows on the card."""
    from studio.safety.policy import default_policy

    policy = default_policy()
    result = policy.check(shot.get("prompt", ""))
    if not result.flagged and shot.get("subtitle"):
        result = policy.check_speech(shot["subtitle"])
    shot["safety"] = result.to_dict()
    shot["warnings"] = [w for w in shot.get("warnings", []) if not w.startswith(("Blocked", "已拦截", "Warning", "注意"))]
    if result.flagged:
        shot["warnings"].append(result.message)
