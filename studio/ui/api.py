"""studio.ui: the studio's JSON endpoints (gr.api) for scripts and tests — list projects,
read one project's state, its jobs and exports, make a storyboard, queue it, run the
one-click path, ask for an export. Pages only hand files to Gradio, which copies them into
its cache under an unguessable content hash; files are otherwise served by id through
studio.ui.guard (re-exported here as MediaGuard)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from studio.ui.common import guarded, user_of
from studio.ui.guard import MediaGuard

__all__ = ["MediaGuard", "add_api"]


def add_api(studio: Any) -> None:
    """Register the endpoints inside the current gr.Blocks."""

    @guarded
    def projects(request: gr.Request) -> list[dict]:
        return [{"project_id": p["project_id"], "name": p["name"], "status": p["status"], "message": p["message"],
                 "error": p["error"], "export_id": p["export_id"]} for p in studio.projects.projects(user_of(request))]

    @guarded
    def project(project_id: str, request: gr.Request) -> dict:
        flow = studio.projects.project(user_of(request), project_id)
        return {"project_id": project_id, "name": flow["name"], "status": flow["status"], "message": flow["message"],
                "error": flow["error"], "export_id": flow["export_id"], "options": flow["options"],
                "shots": [{"id": e["id"], "job_id": e.get("job_id"), **e["shot"]} for e in flow["shots"]]}

    @guarded
    def jobs(project_id: str, request: gr.Request) -> list[dict]:
        keep = ("id", "status", "priority", "progress_step", "progress_total", "progress_message", "error", "clip_id",
                "shot_id")
        return [{**{k: j.get(k) for k in keep}, "tier": (j.get("params") or {}).get("tier") or "final"}
                for j in studio.shots.project_jobs(user_of(request), project_id)]

    @guarded
    def exports(project_id: str, request: gr.Request) -> list[dict]:
        return [{"id": r["id"], "format": r["format"], "duration_s": r["duration_s"], "size_bytes": r["size_bytes"],
                 "file_name": Path(r["path"]).name, "verify": r["metadata"].get("verify")}
                for r in studio.renders.exports(user_of(request), project_id or None)]

    @guarded
    def storyboard(script: str, style: str, aspect: str, request: gr.Request) -> str:
        return studio.projects.create_from_script(user_of(request), script, style=style or None, aspect=aspect or "16:9")[0]

    @guarded
    def queue(project_id: str, request: gr.Request) -> list[str]:
        return studio.shots.queue_all(user_of(request), project_id)

    @guarded
    def one_click_api(script: str, request: gr.Request) -> str:
        return studio.pipeline.one_click(user_of(request), script)

    @guarded
    def export_api(project_id: str, preset: str, request: gr.Request) -> str:
        return studio.renders.request_render(user_of(request), project_id, preset=preset or None)

    @guarded
    def preview_api(project_id: str, request: gr.Request) -> str:
        return studio.renders.request_render(user_of(request), project_id, preview=True)

    @guarded
    def task(task_id: str, request: gr.Request) -> dict:
        row = studio.renders.render(user_of(request), task_id)
        result = row["result"] or {}  # server paths stay on the server (and a "path" key reads as a file)
        public = {k: result[k] for k in ("export_id", "preset", "duration_s", "content_id", "verify") if k in result}
        return {**{k: row[k] for k in ("id", "kind", "status", "progress", "message", "error")}, "result": public}

    @guarded
    def export_file(export_id: str, request: gr.Request) -> gr.FileData | None:
        from gradio.processing_utils import save_file_to_cache
        from gradio.utils import get_upload_folder

        from studio.ui.common import served

        path = served(studio.renders.export(user_of(request), export_id)["path"])
        # a copy in Gradio's cache, under a content hash with a secret seed: the only URL that serves it
        return gr.FileData(path=save_file_to_cache(path, get_upload_folder())) if path else None

    @guarded
    def held_clips(request: gr.Request) -> list[dict]:
        from studio.safety import live

        return live.holds(studio.db, studio.user_id(user_of(request)))

    @guarded
    def release_clip(clip_id: str, request: gr.Request) -> str:
        from studio.safety import live

        live.release(studio.db, studio.user_id(user_of(request)), clip_id)
        return clip_id

    from studio.ui.api_options import add_option_api

    add_option_api(studio)  # tiers, LoRAs, voice, planner, re-make, the mix
    gr.api(held_clips, api_name="held_clips")
    gr.api(release_clip, api_name="release_clip")
    for fn, name in ((projects, "list_projects"), (project, "project"), (jobs, "jobs"), (exports, "exports"),
                     (storyboard, "storyboard"), (queue, "queue"), (one_click_api, "one_click_api"),
                     (export_api, "export_api"), (preview_api, "preview_api"), (task, "task"), (export_file, "export_file")):
        gr.api(fn, api_name=name)
