"""studio.ui: page 6, Export — choose a preset, export the project's timeline as a
background task (progress read every second), then download the file, its subtitles and
.otio, and read its provenance report (C2PA, label, watermark, library match)."""

from __future__ import annotations

import re
from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, served, user_of
from studio.ui.i18n import say


def _presets() -> list[tuple[str, str]]:
    from studio.export.presets import list_presets

    return [(f"{p.name} — {p.description}", p.name) for p in list_presets()]


def public_line(line: str) -> str:
    """A provenance line without server paths (a path becomes its file name)."""
    return re.sub(r"\((/[^()]*/)([^/()]+)\)", r"(\2)", line)


def set_smooth_motion(studio: Any, user: str, project_id: str, smooth: bool) -> None:
    """Store the export's "smooth motion" choice on the project's timeline (it is the
    timeline's `smooth_motion`; the render reads it)."""
    data = studio.timelines.timeline(user, project_id)
    if data and bool(data.get("smooth_motion")) != smooth:
        studio.timelines.save_timeline(user, project_id, {**data, "smooth_motion": smooth})


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    with gr.Row():
        preset = gr.Dropdown(_presets(), value="720p", label=t("preset"), scale=3)
        smooth = gr.Checkbox(False, label=t("smooth_motion"), info=t("smooth_motion_info"), scale=2,
                             elem_id="smooth-motion")
        go = gr.Button(t("export"), variant="primary", scale=1, elem_id="export-button")
    progress = gr.Markdown(elem_id="export-progress")
    exports = gr.Dropdown([], label=t("exports"), elem_id="export-choice", allow_custom_value=True)
    with gr.Row():
        video = gr.Video(label=t("preview"), interactive=False, height=300)
        with gr.Column():
            files = gr.File(label=t("download"), file_count="multiple", interactive=False, elem_id="export-files")
            report = gr.Markdown(label=t("provenance"), elem_id="provenance")
    task_state = gr.State(None)
    timer = gr.Timer(1.0, active=False)
    ctx.shared.setdefault("timers", {})["tab_export"] = timer  # ticks only while its page is open

    def export_list(project_id, request: gr.Request) -> Any:
        try:
            rows = studio.renders.exports(user_of(request), project_id) if project_id else []
        except ValueError:
            rows = []
        return gr.update(choices=[(f"{r['format']} · {r['duration_s'] or 0:.1f} s · {r['id'][:8]}", r["id"])
                                  for r in rows], value=rows[0]["id"] if rows else None)

    @guarded
    def show(export_id, request: gr.Request) -> Any:
        if not export_id:
            return None, None, ""
        row = studio.renders.export(user_of(request), export_id)
        meta = row["metadata"]
        sidecars = [served(p) for k, p in (meta.get("sidecars") or {}).items() if k in ("srt", "otio")]
        lines = [public_line(line) for line in meta.get("verify") or [] if not line.startswith("file:")]
        text = "\n".join(f"- {line}" for line in lines) or "No provenance report was stored for this file."
        main = served(row["path"])
        return main, [p for p in [main, *sidecars] if p], f"**{t('provenance')}**\n\n{text}"

    @guarded
    def start(project_id, preset_v, smooth_v, request: gr.Request) -> Any:
        if not project_id:
            raise ValueError(say(request, "choose_project"))
        set_smooth_motion(studio, user_of(request), project_id, bool(smooth_v))
        task = studio.renders.request_render(user_of(request), project_id, preset=preset_v)
        return task, "Export queued…"

    def follow(project_id, task_id, request: gr.Request) -> Any:
        if not task_id:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            task = studio.renders.render(user_of(request), task_id)
        except ValueError:
            return None, "", gr.skip()
        if task["status"] == "done":
            return None, "Export done.", export_list(project_id, request)
        if task["status"] in ("failed", "cancelled"):
            return None, f"**Export stopped:** {task['error']}", gr.skip()
        return task_id, f"{task['status']} · {task['progress']:.0f}% {task['message']}", gr.skip()

    def smooth_of(project_id, request: gr.Request) -> Any:
        try:
            data = studio.timelines.timeline(user_of(request), project_id) if project_id else None
        except ValueError:
            data = None
        return bool((data or {}).get("smooth_motion"))

    go.click(start, [ctx.project, preset, smooth], [task_state, progress], api_name="export")
    ctx.project.change(smooth_of, ctx.project, smooth, api_visibility="private")
    ctx.shared["load"].append((smooth_of, [ctx.project], [smooth]))
    timer.tick(follow, [ctx.project, task_state], [task_state, progress, exports], show_progress="hidden",
               api_visibility="private")
    exports.change(show, exports, [video, files, report], api_visibility="private")
    ctx.project.change(export_list, ctx.project, exports, api_visibility="private")
    ctx.shared["tab_export"] = (export_list, [ctx.project], [exports])
