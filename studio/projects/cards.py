"""studio.projects: a storyboard card's own choices beside its text — the shot's start and
end images (uploads, checked like every upload and by the engine's image checks), whether
it continues from the previous shot, its tier (draft or final), the check that its spoken
lines fit in it with the one-click lengthening, and its thumbnail (the start image, else
the first frame of its clip, else the latest preview).

Every method takes the user's name and touches only that user's projects; the shots are
read and written through the one repository (`studio.projects.repository`). The images
reach the shot's jobs through `studio.jobs.shots` (the `image` / `last_image` fields of a
shot; `continues` holds its first clip until the previous shot's clip exists)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import sqlite_utils

from studio.assets.uploads import UploadService
from studio.db.connections import Connections
from studio.db.records import get_or_create_user
from studio.projects import repository as store

SLOTS = {"image": "start image", "last_image": "end image"}
TIERS = ("draft", "final")
THUMB_SIDE = 320


def models_taking(what: str) -> str:
    """The installed models that take `what` ("image", "last_image", "reference_images")."""
    from engine import list_cards

    return ", ".join(c.id for c in list_cards() if what in c.takes) or "none installed"


class CardService:
    """A shot card's images, continuity, tier, voice check and thumbnail."""

    def __init__(self, conn: Connections, uploads: UploadService, library: Any):
        self.conn = conn
        self.uploads = uploads
        self.library = library  # studio.library.LibraryService: a clip's first-frame thumbnail
        self._spoken: dict[str, Any] = {}  # speech key -> the VoiceResult of that shot's lines (timings only)

    @property
    def db(self) -> sqlite_utils.Database:
        return self.conn.db

    def _flow(self, user: str, project_id: str) -> dict[str, Any]:
        return store.get_flow(self.db, get_or_create_user(self.db, user), project_id)

    @staticmethod
    def _entry(flow: dict[str, Any], shot_id: str) -> tuple[int, dict[str, Any]]:
        for i, entry in enumerate(flow["shots"]):
            if entry["id"] == shot_id:
                return i, entry
        raise ValueError(f"Shot {shot_id!r} is not in this storyboard.")

    def _write(self, entry: dict[str, Any]) -> None:
        store.write_shot(self.db, entry["id"], entry["shot"])

    # ---- start and end images -------------------------------------------------------------
    def set_image(self, user: str, project_id: str, shot_id: str, slot: str, source: str,
                  shown_name: str | None = None) -> str:
        """Give the shot its start (`slot="image"`) or end (`"last_image"`) image from an
        uploaded file; returns the stored copy's path. One sentence for a bad image."""
        from engine import get_card
        from engine.errors import InvalidRequest
        from engine.images import check_image

        if slot not in SLOTS:
            raise ValueError(f"Image slot {slot!r} is not known; accepted: {', '.join(SLOTS)}.")
        what = SLOTS[slot]
        flow = self._flow(user, project_id)
        i, entry = self._entry(flow, shot_id)
        shot, options = entry["shot"], flow["options"]
        card = get_card(options["model"])
        if slot not in card.takes:
            raise ValueError(f"The model {card.id} takes no {what}; models that do: {models_taking(slot)}.")
        if slot == "image" and shot.get("continues"):
            raise ValueError(f"Shot {i + 1} continues from shot {i}, so its start image is that clip's last frame; "
                             "untick “continue from the previous shot” to give it an image of its own.")
        name = shown_name or Path(source).name
        try:
            check_image(what, source, width=int(options["width"]), height=int(options["height"]))
        except InvalidRequest as err:
            raise ValueError(f"The {what} {name!r} is not accepted: {err.accepted}.") from None
        stored = self.uploads.store_upload(user, "image", source, project_id=project_id)
        shot[slot] = stored
        self._write(entry)
        return stored

    def clear_image(self, user: str, project_id: str, shot_id: str, slot: str) -> None:
        if slot not in SLOTS:
            raise ValueError(f"Image slot {slot!r} is not known; accepted: {', '.join(SLOTS)}.")
        _, entry = self._entry(self._flow(user, project_id), shot_id)
        entry["shot"][slot] = ""
        self._write(entry)

    # ---- continuity and tier ----------------------------------------------------------------
    def set_continues(self, user: str, project_id: str, shot_id: str, on: bool) -> None:
        """Start the shot from the previous shot's last frame (its jobs wait for that clip)."""
        from engine import get_card

        flow = self._flow(user, project_id)
        i, entry = self._entry(flow, shot_id)
        shot = entry["shot"]
        if bool(on) == bool(shot.get("continues")):
            return
        if on:
            card = get_card(flow["options"]["model"])
            if i == 0:
                raise ValueError("The first shot cannot continue from a previous shot: there is none before it.")
            if "image" not in card.takes:
                raise ValueError(f"The model {card.id} takes no start image, so a shot cannot continue from the "
                                 f"previous one; models that can: {models_taking('image')}.")
            if shot.get("image"):
                raise ValueError(f"Shot {i + 1} has its own start image; remove it to continue from shot {i}.")
        shot["continues"] = bool(on)
        self._write(entry)

    def set_tier(self, user: str, project_id: str, shot_id: str, tier: str) -> None:
        """Draft (the model's step-distilled LoRA: fast, for choosing) or final."""
        from engine import get_card, list_cards

        if tier not in TIERS:
            raise ValueError(f"Tier {tier!r} is not accepted; choose draft or final.")
        flow = self._flow(user, project_id)
        _, entry = self._entry(flow, shot_id)
        card = get_card(flow["options"]["model"])
        if tier == "draft" and not card.draft:
            offered = ", ".join(c.id for c in list_cards() if c.draft) or "none installed"
            raise ValueError(f"The model {card.id} has no draft tier; models with one: {offered}.")
        entry["shot"]["tier"] = tier
        self._write(entry)

    # ---- voice lines that do not fit ----------------------------------------------------------
    def voice_check(self, user: str, project_id: str) -> dict[str, dict[str, float]]:
        """Shot id -> {"voice_s", "shot_s", "lengthen_to"} for every shot whose spoken lines
        (voice-over and dialogue, as the cut will speak them) last longer than the shot."""
        flow = self._flow(user, project_id)
        options = flow["options"]
        if options.get("voice", "auto") == "off":
            return {}
        out = {}
        for entry in flow["shots"]:
            found = self._shot_voice(entry["shot"], options)
            if found:
                out[entry["id"]] = found
        return out

    def _shot_voice(self, shot: dict[str, Any], options: dict[str, Any]) -> dict[str, float] | None:
        from studio.timeline.voice import speech_lines

        length = float(shot.get("duration_s") or 0)
        one = {"index": 1, "dialogue": shot.get("dialogue") or [], "language": shot.get("language"),
               "duration_s": length}
        if not length or not any(line.kind != "subtitle" for line in speech_lines([one])):
            return None
        key = json.dumps([one["dialogue"], one["language"], options.get("narrator"), options.get("voices"),
                          options.get("voice_speed", 1.0)], sort_keys=True, ensure_ascii=False)
        if key not in self._spoken:
            self._spoken[key] = self._speak(one, options)
        result = self._spoken[key]
        spoken = max((c.start_s + float(c.duration_s or 0) for c in result.clips), default=0.0)
        if spoken <= length + 1e-6:
            return None
        from studio.timeline.voice import lengthened_shots

        return {"voice_s": round(spoken, 1), "shot_s": round(length, 1),
                "lengthen_to": lengthened_shots({"shots": [one]}, result)[1]}

    @staticmethod
    def _speak(one: dict[str, Any], options: dict[str, Any]) -> Any:
        """Speak one shot's lines as the cut would, into a scratch folder of the data folder
        that is removed after: only the lines' timings are kept (a VoiceResult)."""
        import uuid

        from studio import paths
        from studio.timeline.voice import voice_storyboard

        scratch = paths.media_dir("tmp") / f"voicecheck-{uuid.uuid4().hex}"
        try:
            result = voice_storyboard({"shots": [one]}, scratch, narrator=options.get("narrator") or {},
                                      voices=options.get("voices") or {},
                                      speed=float(options.get("voice_speed", 1.0)))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return result

    def lengthen(self, user: str, project_id: str, shot_id: str, projects: Any) -> float:
        """Give the shot the duration that holds its spoken lines (studio.timeline.voice's
        lengthened duration); returns it. `projects` is the ProjectService that edits shots."""
        flow = self._flow(user, project_id)
        i, entry = self._entry(flow, shot_id)
        found = self._shot_voice(entry["shot"], flow["options"])
        if not found:
            raise ValueError(f"Shot {i + 1}'s spoken lines already fit in it; there is nothing to lengthen.")
        projects.edit_shot(user, project_id, shot_id, duration_s=found["lengthen_to"])
        return found["lengthen_to"]

    # ---- thumbnail ------------------------------------------------------------------------
    def thumbnail(self, user: str, shot_id: str) -> str | None:
        """A JPEG for the shot's card, only for the shot's owner: its start image, else the
        first frame of its clip, else its latest preview; None when there is nothing yet."""
        row = self.db.execute("SELECT project_id FROM shots WHERE id = ?", [shot_id]).fetchone()
        if row is None:
            return None
        try:
            flow = self._flow(user, row[0])
            _, entry = self._entry(flow, shot_id)
        except ValueError:
            return None
        shot = entry["shot"]
        if shot.get("image") and Path(shot["image"]).is_file():
            return _small_copy(Path(shot["image"]))
        job_id = entry.get("job_id")
        if not job_id:
            return None
        from studio.jobs import chain

        clip = chain.shot_clip(self.db, job_id)
        if clip and clip.get("path") and Path(clip["path"]).is_file():
            return self.library.thumbnail(user, clip["path"])  # checks the clip is the user's
        parts = chain.sibling_jobs(self.db, job_id) or [job_id]
        marks = ",".join("?" * len(parts))
        found = self.db.execute(f"SELECT preview_path FROM jobs WHERE id IN ({marks}) AND preview_path IS NOT NULL"
                                " ORDER BY seq DESC LIMIT 1", parts).fetchone()
        if found and found[0] and Path(found[0]).is_file():
            return found[0]
        return None


def _small_copy(image: Path) -> str:
    """A JPEG of at most THUMB_SIDE pixels a side beside `image` (made once)."""
    thumb = image.with_suffix(".thumb.jpg")
    if not thumb.is_file():
        from PIL import Image

        with Image.open(image) as img:
            img = img.convert("RGB")
            img.thumbnail((THUMB_SIDE, THUMB_SIDE))
            img.save(thumb, quality=85)
    return str(thumb)

