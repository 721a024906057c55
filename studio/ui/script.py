"""studio.ui: page 1, Script — paste or upload a script (Chinese or English; any format and
encoding the storyboard reads, see studio.ui.script_file), choose
template, style, model and aspect ratio, character cards and a personalisation CSV; make
a storyboard, or click once for the whole path to a final cut. The progress panel reads
the project's flow record every second, so a closed and reopened browser shows the same."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, project_choices, served, user_of
from studio.ui.i18n import lang_of
from studio.ui.script_file import read_upload, script_to_use


def _styles() -> list[tuple[str, str]]:
    from studio.prompts.presets import default_presets

    styles = sorted(default_presets().styles.values(), key=lambda s: s.id)
    return [("—", "")] + [(f"{s.name['en']} · {s.name['zh']}", s.id) for s in styles]


def _templates() -> list[str]:
    from studio.prompts.presets import default_presets

    return sorted(default_presets().templates)


def flow_status(studio: Any, user: str, project_id: str | None) -> tuple[str, str | None]:
    """(markdown, export path) for the project's one-click progress."""
    if not project_id:
        return "", None
    try:
        flow = studio.projects.project(user, project_id)
    except ValueError:
        return "", None
    shots = flow["shots"]
    lines = [f"**{flow['name']}** — {flow['status']}"
             + (f": {flow['message']}" if flow.get("message") else "")]
    if flow["status"] == "exporting" and flow.get("export_job_id"):
        task = studio.renders.render(user, flow["export_job_id"])
        lines.append(f"Export: {task['status']} · {task['progress']:.0f}%")
    elif flow["status"] in ("generating", "failed"):
        lines.append(f"{len(shots)} shot(s)")
    if flow.get("error"):
        lines.append(f"**Stopped:** {flow['error']}")
    path = None
    if flow.get("export_id"):
        path = served(studio.renders.export(user, flow["export_id"])["path"])
    return "\n\n".join(lines), path


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    with gr.Row():
        with gr.Column(scale=3):
            script = gr.Textbox(label=t("script"), lines=10, max_lines=30, elem_id="script-input",
                                placeholder="镜头1：清晨的咖啡馆，阳光洒在木桌上。\n旁白：每一天，从一杯好咖啡开始。")
            # no file_types filter: a file in another format reaches the readers, whose one sentence
            # names it and lists the accepted ones (Gradio's own refusal would be a Python list in English)
            script_file = gr.File(label=t("script_file"), type="filepath", height=90, elem_id="script-file")
            file_note = gr.Markdown(elem_id="script-file-note")
            read_state = gr.State(None)  # the uploaded Script, read in its own format and encoding
        with gr.Column(scale=2):
            name = gr.Textbox(label=t("project_name"), max_lines=1)
            with gr.Row():
                template = gr.Dropdown(_templates(), value="wan", label=t("template"))
                style = gr.Dropdown(_styles(), value="", label=t("style"))
            with gr.Row():
                model = gr.Dropdown([], value=None, label=t("model"), elem_id="model-choice", allow_custom_value=True)
                aspect = gr.Radio(["16:9", "9:16", "1:1"], value="16:9", label=t("aspect"))
            label_position = gr.Dropdown(["top-left", "top-right", "bottom-left", "bottom-right"], value="top-left",
                                         label=t("label_position"))
            with gr.Accordion(t("characters"), open=False):
                characters = gr.File(label=t("characters"), file_types=[".json", ".yaml", ".yml"], type="filepath",
                                     height=90)
                csv = gr.File(label=t("csv"), file_types=[".csv"], type="filepath", height=90)
    with gr.Row():
        make = gr.Button(t("make_storyboard"), variant="secondary", elem_id="make-storyboard")
        one = gr.Button(t("one_click"), variant="primary", size="lg", elem_id="one-click")
    status = gr.Markdown(elem_id="flow-status")
    with gr.Row():
        final_file = gr.File(label=t("final_cut"), elem_id="final-cut", interactive=False, height=90)
        final_video = gr.Video(label=t("final_video"), elem_id="final-video", interactive=False, height=280)
    shown = gr.State(None)
    timer = gr.Timer(1.0)
    ctx.shared.setdefault("timers", {})["tab_script"] = timer  # ticks only while its page is open

    def model_choices(request: gr.Request) -> dict[str, Any]:
        choices = [(f"{m['id']} ({_availability(m)})", m["id"]) for m in studio.models.models()]
        return gr.update(choices=choices, value=studio.models.default_model(user_of(request)))

    @guarded
    def read_script(path: str | None, request: gr.Request) -> Any:
        if not path:
            return gr.skip(), None, "", gr.skip()
        try:
            read, line = read_upload(studio.projects, path, lang_of(request))
        except ValueError as err:  # the sentence stays beside the upload; the refused file goes
            gr.Warning(str(err))
            return gr.skip(), None, f"**{err}**", None
        return read.text, read, line, gr.skip()

    def options(name_v, template_v, style_v, model_v, aspect_v, label_v, characters_v, csv_v) -> dict[str, Any]:
        return {"name": name_v or "", "template": template_v or "wan", "style": style_v or None,
                "model": model_v or None, "aspect": aspect_v or "16:9", "label_position": label_v or "top-left",
                "characters_file": characters_v or None}

    inputs = [script, name, template, style, model, aspect, label_position, characters, csv, read_state]

    @guarded
    def make_storyboard(script_v, name_v, template_v, style_v, model_v, aspect_v, label_v, characters_v, csv_v,
                        read_v, request: gr.Request) -> Any:
        user = user_of(request)
        opts = options(name_v, template_v, style_v, model_v, aspect_v, label_v, characters_v, csv_v)
        ids = studio.projects.create_from_script(user, script_to_use(script_v, read_v), csv_file=csv_v or None,
                                                 **opts)
        gr.Info(f"{len(ids)} storyboard(s) made; edit the shots on the Storyboard page.")
        return gr.update(choices=project_choices(studio, user), value=ids[0])

    @guarded
    def one_click(script_v, name_v, template_v, style_v, model_v, aspect_v, label_v, characters_v, csv_v,
                  read_v, request: gr.Request) -> Any:
        user = user_of(request)
        opts = options(name_v, template_v, style_v, model_v, aspect_v, label_v, characters_v, csv_v)
        pid = studio.pipeline.one_click(user, script_to_use(script_v, read_v), **opts)
        gr.Info("Every shot is queued; the final cut is exported when the last clip is done. "
                "You can close this page and come back.")
        return gr.update(choices=project_choices(studio, user), value=pid)

    def tick(project_id: str | None, last: str | None, request: gr.Request) -> Any:
        text, path = flow_status(studio, user_of(request), project_id)
        if path == last:
            return text, gr.skip(), gr.skip(), last
        return text, path, path, path

    script_file.upload(read_script, script_file, [script, read_state, file_note, script_file],
                       api_visibility="private")
    script_file.clear(lambda: (None, ""), None, [read_state, file_note], api_visibility="private")
    make.click(make_storyboard, inputs, ctx.project, api_name="make_storyboard")
    one.click(one_click, inputs, ctx.project, api_name="one_click")
    timer.tick(tick, [ctx.project, shown], [status, final_file, final_video, shown], show_progress="hidden",
               api_visibility="private")
    ctx.shared["load"].append((model_choices, [], [model]))


def _availability(model: dict[str, Any]) -> str:
    """What the model menu says: the tiny model is built on first use, never "missing"."""
    if model["status"] == "local":
        return "ready"
    return "built on first use" if model["built_locally"] else "not downloaded"
