"""studio.projects: projects made from scripts and their editable storyboard (edit, add,
split, merge, delete, reorder). The shots are read and written through the one
repository (`studio.projects.repository`); every method takes the user's name and only
touches that user's rows. Nothing here runs a model or queues a job: `studio.jobs.shots`
queues a storyboard's shots, `studio.pipeline` carries the one-click path."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import sqlite_utils

from studio.db.connections import Connections
from studio.db.migrations import transaction
from studio.db.records import create_project, create_storyboard, get_or_create_user
from studio.projects import repository as store

ASPECTS = {"16:9": ("720p", 16 / 9), "9:16": ("vertical-pad", 9 / 16), "1:1": ("square", 1.0)}
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SHOT_FIELDS = {"text": str, "prompt": str, "style": str, "duration_s": float, "seed": int, "camera_size": str,
               "camera_movement": str, "subtitle": str}
MAX_SHOTS = 200
MAX_SHOT_SECONDS = 600  # the longest shot a chain of clips makes (studio.jobs.chain)


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
    def edit_shot(self, user: str, project_id: str, shot_id: str, **fields: Any) -> dict[str, Any]:
        """Change a shot's text, prompt, style, duration, seed, camera or subtitle. A changed
        prompt is checked against the safety policy again; the warning shows on the card."""
        from studio.safety.policy import default_policy

        unknown = sorted(set(fields) - set(SHOT_FIELDS))
        if unknown:
            raise ValueError(f"Shot field(s) {unknown} are not known; accepted: {sorted(SHOT_FIELDS)}.")
        flow = self.project(user, project_id)
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
                # a shot keeps the script's length: longer than one clip, it is made of chained clips
                if not math.isfinite(value) or not 0 < value <= MAX_SHOT_SECONDS:
                    raise ValueError(f"Duration {value:g} s is not accepted: more than 0 and at most "
                                     f"{MAX_SHOT_SECONDS} s.")
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
        store.write_shot(self.db, entry["id"], shot)
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
        # a new text keeps the card's own choices (studio.projects.cards: images, continues, tier)
        shot.update({k: v for k, v in fresh.to_dict().items() if k not in ("index", "seed", "safety", "image", "last_image", "continues", "tier")})
        Shot.from_dict({k: v for k, v in shot.items() if k != "subtitle"})  # still a valid shot

    def add_shot(self, user: str, project_id: str, text: str, after: str | None = None) -> str:
        flow = self.project(user, project_id)
        shots = flow["shots"]
        if len(shots) >= MAX_SHOTS:
            raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
        if not text or not text.strip():
            raise ValueError("The new shot's text is empty; describe what the shot shows.")
        from studio.storyboard import split

        shot = split(text, model=flow["options"]["model"]).shots[0]
        shot.seed = max((int(e["shot"].get("seed", 0)) for e in shots), default=-1) + 1
        at = self._entry(flow, after)[0] + 1 if after else len(shots)
        data = shot.to_dict()
        data["style"] = flow["options"].get("style") or ""
        self._recompose(data, flow)
        with transaction(self.db):
            new_id = store.insert_shot(self.db, flow["storyboard_id"], project_id, at + 1, data)
            store.set_order(self.db, [e["id"] for e in shots[:at]] + [new_id] + [e["id"] for e in shots[at:]])
        return new_id

    def delete_shot(self, user: str, project_id: str, shot_id: str) -> None:
        flow = self.project(user, project_id)
        shots = flow["shots"]
        if len(shots) <= 1:
            raise ValueError("A storyboard needs at least one shot; this is the last one.")
        self._entry(flow, shot_id)
        with transaction(self.db):
            store.delete_shot(self.db, shot_id)
            store.set_order(self.db, [e["id"] for e in shots if e["id"] != shot_id])

    def split_shot(self, user: str, project_id: str, shot_id: str) -> str:
        """Split a shot's text in two at the sentence break nearest its middle."""
        from studio.storyboard import split

        flow = self.project(user, project_id)
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
        flow = self.project(user, project_id)
        i, entry = self._entry(flow, shot_id)
        shots = flow["shots"]
        if i + 1 >= len(shots):
            raise ValueError("The last shot has no next shot to merge with.")
        nxt = shots[i + 1]["shot"]
        joiner = "" if entry["shot"].get("language") == "zh" else " "
        text = entry["shot"]["text"].rstrip() + joiner + nxt["text"].lstrip()
        subtitle = " ".join(s for s in (entry["shot"].get("subtitle", ""), nxt.get("subtitle", "")) if s)
        self.delete_shot(user, project_id, shots[i + 1]["id"])
        self.edit_shot(user, project_id, shot_id, text=text, subtitle=subtitle)

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


def _middle_break(text: str) -> int | None:
    marks = [i + 1 for i, ch in enumerate(text) if ch in "，,。.;；！!？?" and 0 < i + 1 < len(text)]
    if not marks:
        return None
    return min(marks, key=lambda i: abs(i - len(text) / 2))
