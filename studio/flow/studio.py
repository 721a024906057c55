"""studio.flow: the rest of the studio service — the timeline (assemble, edit, reorder),
renders and exports (as background tasks the FlowRunner runs), uploads, the library,
A/B variants and winners, model downloads, settings and usage. Like StudioService, every
method takes the user's name and only ever touches that user's rows and files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from studio import paths
from studio.db.records import add_asset, save_timeline
from studio.flow import store
from studio.flow.assemble import timeline_for
from studio.flow.service import StudioService, file_size_ok

UPLOAD_KINDS = {"music": (".mp3", ".m4a", ".aac", ".wav", ".ogg", ".flac"), "logo": (".png", ".jpg", ".jpeg", ".webp"),
                "script": (".txt", ".md"), "characters": (".json", ".yaml", ".yml"), "csv": (".csv",)}


class Studio(StudioService):
    """Everything the browser studio asks for."""

    # ---- uploads --------------------------------------------------------------------------
    def store_upload(self, user: str, kind: str, source: str, project_id: str | None = None) -> str:
        """Copy an uploaded file into SHOTLINE_HOME/media/uploads under a fresh UUID name and
        record it; returns the stored path. The upload's own name is kept only as a label."""
        suffixes = UPLOAD_KINDS.get(kind)
        if suffixes is None:
            raise ValueError(f"Upload kind {kind!r} is not known; accepted: {', '.join(UPLOAD_KINDS)}.")
        src = Path(source)
        suffix = src.suffix.lower()
        if suffix not in suffixes:
            raise ValueError(f"A {kind} file must end in {', '.join(suffixes)}; {src.name!r} does not.")
        file_size_ok(src, self.max_upload_bytes)
        dest = paths.new_media_path("uploads", suffix)
        shutil.copyfile(src, dest)
        try:
            if kind == "music":
                from studio.export.probe import check_audio

                check_audio(dest)
            elif kind == "logo":
                from studio.export.probe import check_image

                check_image(dest)
                from studio.safety.live import check_image as frame_check

                frame_check(dest, src.name)
        except ValueError as err:  # the sentence names the file the user uploaded, not our stored copy
            shutil.rmtree(dest.parent, ignore_errors=True)
            raise ValueError(str(err).replace(dest.name, src.name)) from None
        except Exception:
            shutil.rmtree(dest.parent, ignore_errors=True)
            raise
        add_asset(self.db, kind, str(dest), project_id=project_id, user_id=self.user_id(user),
                  original_name=src.name[:200], size_bytes=dest.stat().st_size)
        return str(dest)

    # ---- timeline -------------------------------------------------------------------------
    def timeline(self, user: str, project_id: str) -> dict[str, Any]:
        """The project's timeline document, assembled from the storyboard on first use."""
        flow = self.flow(user, project_id)
        if flow.get("timeline_id"):
            row = self.db.execute("SELECT data FROM timelines WHERE id = ?", [flow["timeline_id"]]).fetchone()
            if row:
                return json.loads(row[0])
        return self.rebuild_timeline(user, project_id)

    def rebuild_timeline(self, user: str, project_id: str) -> dict[str, Any]:
        flow = self.flow(user, project_id)
        data = timeline_for(self.db, flow)
        self._store_timeline(flow, data)
        return data

    def _store_timeline(self, flow: dict[str, Any], data: dict[str, Any]) -> str:
        tid = save_timeline(self.db, flow["project_id"], data, name=flow.get("name", ""),
                            timeline_id=flow.get("timeline_id"))
        if tid != flow.get("timeline_id"):
            store.update_flow(self.db, flow["project_id"], timeline_id=tid)
            flow["timeline_id"] = tid
        return tid

    def save_timeline(self, user: str, project_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Validate (the export room's model names the wrong field) and store an edited timeline.
        Clip, music and logo files must be this user's own (their clips, uploads, or the demo assets)."""
        from studio.timeline import Timeline

        flow = self.flow(user, project_id)
        timeline = Timeline.from_dict(data)
        for source in [c.source for c in timeline.clips] + [m.source for m in timeline.music] + \
                ([timeline.logo.source] if timeline.logo else []):
            self._check_own_file(user, source)
        out = timeline.to_dict()
        self._store_timeline(flow, out)
        return out

    def _check_own_file(self, user: str, source: str) -> None:
        from studio.flow.assemble import ASSETS_DIR

        uid = self.user_id(user)
        if Path(source).resolve().is_relative_to(ASSETS_DIR.resolve()):
            return
        own = self.db.execute(
            "SELECT 1 FROM clips WHERE path = ? AND (user_id = ? OR id IN (SELECT pc.clip_id FROM project_clips pc"
            " JOIN projects p ON p.id = pc.project_id WHERE p.user_id = ?))"
            " UNION SELECT 1 FROM assets WHERE path = ? AND user_id = ?", [source, uid, uid, source, uid]).fetchone()
        if own is None:
            raise ValueError(f"File {Path(source).name!r} is not one of your clips or uploads.")

    # ---- renders and exports --------------------------------------------------------------
    def request_render(self, user: str, project_id: str, preset: str | None = None, preview: bool = False) -> str:
        """Queue an export (or a quick low-resolution preview) of the project's timeline; the
        FlowRunner renders it in the background. Returns the task id."""
        from studio.export.presets import get_preset

        data = self.timeline(user, project_id)
        flow = self.flow(user, project_id)
        from studio.safety.live import refuse_held

        refuse_held(self.db, [c["source"] for c in data.get("clips", [])])  # held clips stay out of exports
        preset = "gif-preview" if preview else (preset or data.get("preset") or "720p")
        get_preset(preset)
        return store.add_task(self.db, "preview" if preview else "render", self.user_id(user),
                              {"timeline_id": flow["timeline_id"], "preset": preset}, project_id=project_id)

    def tasks(self, user: str, project_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        if project_id:
            self.flow(user, project_id)
        return store.list_tasks(self.db, self.user_id(user), project_id, kind)

    def task(self, user: str, task_id: str) -> dict[str, Any]:
        return store.get_task(self.db, task_id, self.user_id(user))

    def exports(self, user: str, project_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM exports WHERE user_id = ?", [self.user_id(user)]
        if project_id:
            sql, args = sql + " AND project_id = ?", [*args, project_id]
        cur = self.db.execute(sql + " ORDER BY created_at DESC", args)
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            r["metadata"] = json.loads(r["metadata"] or "{}")
        return rows

    def export(self, user: str, export_id: str) -> dict[str, Any]:
        for row in self.exports(user):
            if row["id"] == export_id:
                return row
        raise ValueError(f"Export {export_id!r} is not known.")

    # ---- library --------------------------------------------------------------------------
    def search_library(self, user: str, query: str = "", *, style: str | None = None, model: str | None = None,
                       project_id: str | None = None, limit: int = 60) -> list[dict[str, Any]]:
        from studio.library import search

        if project_id:
            self.flow(user, project_id)
        hits = search(self.db, query or "", style=style or None, model=model or None, project_id=project_id or None,
                      user_id=self.user_id(user), limit=limit)
        return [h.to_dict() for h in hits]

    def own_clip(self, user: str, clip_id: str) -> dict[str, Any]:
        from studio.library import get_clip

        clip = get_clip(self.db, clip_id)
        if not self.search_library_ids(user, clip_id):
            raise ValueError(f"Clip {clip_id!r} is not known.")
        return clip

    def search_library_ids(self, user: str, clip_id: str) -> bool:
        uid = self.user_id(user)
        return self.db.execute(
            "SELECT 1 FROM clips WHERE id = ? AND (user_id = ? OR id IN (SELECT pc.clip_id FROM project_clips pc"
            " JOIN projects p ON p.id = pc.project_id WHERE p.user_id = ?))", [clip_id, uid, uid]).fetchone() is not None

    def reuse_clip(self, user: str, clip_id: str, project_id: str) -> str:
        """Add a library clip to the project, and to the end of its timeline when it has one
        (or can have one: every shot's clip done). Returns a sentence saying which."""
        from studio.library import reuse_clip

        clip = self.own_clip(user, clip_id)
        self.flow(user, project_id)
        reuse_clip(self.db, clip_id, project_id)
        try:
            data = self.timeline(user, project_id)
        except ValueError:
            return ("The clip is in the project; it can join the timeline once every shot of the storyboard "
                    "has its clip.")
        data["clips"].append({"source": clip["path"], "in_s": 0.0, "out_s": None, "speed": 1.0, "subtitles": []})
        data["transitions"].append({"kind": "cut", "duration_s": 0.0})
        self.save_timeline(user, project_id, data)
        return "The clip is at the end of the project's timeline."

    # ---- variants -------------------------------------------------------------------------
    def queue_variants(self, user: str, project_id: str, prompts: list[str], styles: list[str | None],
                       seeds: list[int]) -> list[str]:
        """Prompts x styles x seeds as jobs tagged with their variant label."""
        from studio.prompts.variants import make_variants

        flow = self.flow(user, project_id)
        opts = flow["options"]
        variants = make_variants([p for p in prompts if p.strip()], styles or [None], seeds, model=opts["model"])
        ids = []
        for v in variants:
            params = v.request.to_dict()
            params.update(width=opts["width"], height=opts["height"])
            if opts.get("steps"):
                params["steps"] = opts["steps"]
            if opts.get("max_frames"):
                params["num_frames"] = min(params.get("num_frames") or opts["max_frames"], opts["max_frames"])
            params.pop("output_path", None)
            labels = {"tags": ["variant", v.label]}
            if v.style:
                labels["style"] = v.style
            ids.append(self.jobs.submit(params, user=user, project_id=project_id, labels=labels))
        return ids

    def variant_board(self, user: str, project_id: str) -> list[dict[str, Any]]:
        """Variant jobs of the project with their label, status, clip and whether it won."""
        won = {w["clip_id"] for w in store.winners(self.db, self.user_id(user), project_id)}
        out = []
        for job in self.project_jobs(user, project_id):
            tags = (job.get("labels") or {}).get("tags") or []
            if "variant" not in tags:
                continue
            label = next((t for t in tags if t != "variant"), "")
            path = None
            if job.get("clip_id"):
                row = self.db.execute("SELECT path FROM clips WHERE id = ?", [job["clip_id"]]).fetchone()
                path = row[0] if row else None
            out.append({"job_id": job["id"], "label": label, "status": job["status"], "clip_id": job.get("clip_id"),
                        "path": path, "winner": job.get("clip_id") in won})
        return sorted(out, key=lambda v: v["label"])

    def pick_winner(self, user: str, project_id: str, clip_id: str, label: str = "") -> None:
        self.flow(user, project_id)
        self.own_clip(user, clip_id)
        store.record_winner(self.db, self.user_id(user), clip_id, project_id, label)

    # ---- models, settings, usage ----------------------------------------------------------
    def models(self) -> list[dict[str, Any]]:
        from engine import list_cards, weights_status

        return [{"id": c.id, "name": c.name, "status": weights_status(c.id), "size_gb": c.size_gb,
                 "licence": c.licence, "max_frames": c.max_frames, "fps": c.fps, "built_locally": c.is_local_only}
                for c in list_cards()]

    def request_download(self, user: str, model_id: str) -> str:
        from engine import get_card

        card = get_card(model_id)
        return store.add_task(self.db, "download", self.user_id(user), {"model": card.id})

    @staticmethod
    def speed_choices() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(memory modes, attention backends, step caches) the settings page offers."""
        from engine import ATTENTION_BACKENDS, CACHES, MEMORY_MODES

        return tuple(MEMORY_MODES), tuple(ATTENTION_BACKENDS), tuple(CACHES)

    @staticmethod
    def device_info() -> list[str]:
        import platform

        import torch

        from studio.jobs import detect_devices

        lines = [f"Python {platform.python_version()}, torch {torch.__version__}",
                 f"Workers run on: {', '.join(detect_devices())}"]
        if torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                props = torch.cuda.get_device_properties(i)
                lines.append(f"cuda:{i} {props.name}, {props.total_memory / 2**30:.0f} GiB")
        else:
            lines.append("No CUDA GPU: clips are made on the CPU (fine for the tiny model; real models are slow).")
        return lines

    def thumbnail(self, user: str, source: str) -> str | None:
        """A JPEG of one of the user's clips' first frame, beside the clip (made once)."""
        try:
            self._check_own_file(user, source)
        except ValueError:
            return None
        thumb = Path(source).with_suffix(".thumb.jpg")
        if not thumb.is_file():
            from PIL import Image

            from engine import read_frames

            frames = read_frames(source)
            if not len(frames):
                return None
            Image.fromarray(frames[0]).save(thumb, quality=85)
        return str(thumb)

    def settings(self, user: str) -> dict[str, Any]:
        return store.get_settings(self.db, self.user_id(user))

    def set_settings(self, user: str, **values: Any) -> dict[str, Any]:
        from engine import ATTENTION_BACKENDS, CACHES, MEMORY_MODES, get_card

        checks = {"memory_mode": MEMORY_MODES, "attention_backend": ATTENTION_BACKENDS, "cache": CACHES}
        for key, value in values.items():
            if key in checks and value and value not in checks[key]:
                raise ValueError(f"{key} {value!r} is not accepted; choose one of {', '.join(map(str, checks[key]))}.")
            if key == "model" and value:
                get_card(value)
        uid = self.user_id(user)
        for key, value in values.items():
            store.set_setting(self.db, uid, key, value)
        return self.settings(user)

    def usage(self, user: str, group_by: str = "project") -> list[dict[str, Any]]:
        from studio.usage import query_usage

        return [r.to_dict() for r in query_usage(self.db, group_by, user_id=self.user_id(user))]
