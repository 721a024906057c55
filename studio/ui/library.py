"""studio.ui: page 7, Library — search your clips in Chinese or English, filter by style,
model or project, play one, and reuse it at the end of the current project's timeline."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, served, user_of

COLUMNS = ["prompt", "style", "model", "size", "seconds", "clip"]


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    from studio.ui.script import _styles

    with gr.Row():
        query = gr.Textbox(label=t("search"), max_lines=1, scale=3, elem_id="library-query")
        style = gr.Dropdown(_styles(), value="", label=t("filter_style"), scale=1)
        model = gr.Dropdown([""], value="", label=t("filter_model"), scale=1)
        only_project = gr.Checkbox(False, label=t("only_project"), scale=1)
    results = gr.Dataframe(headers=COLUMNS, label=t("results"), interactive=False, wrap=True, elem_id="library-results")
    with gr.Row():
        clip = gr.Textbox(label="clip", max_lines=1, scale=3)
        reuse = gr.Button(t("reuse"), scale=1)
    player = gr.Video(label=t("play"), interactive=False, height=260)

    @guarded
    def search(q, style_v, model_v, only, project_id, request: gr.Request) -> list[list[Any]]:
        hits = studio.library.search_library(user_of(request), q or "", style=style_v or None, model=model_v or None,
                                     project_id=project_id if only else None)
        return [[h["prompt"][:140], h["style"] or "", h["model"], f"{h['width']}x{h['height']}",
                 round(h["duration_s"] or 0, 2), h["clip_id"]] for h in hits]

    @guarded
    def pick(evt: gr.SelectData, rows: Any, request: gr.Request) -> Any:
        row = rows.iloc[evt.index[0]].tolist() if hasattr(rows, "iloc") else rows[evt.index[0]]
        clip_id = row[-1]
        return clip_id, served(studio.library.own_clip(user_of(request), clip_id)["path"])

    @guarded
    def on_reuse(clip_id, project_id, request: gr.Request) -> None:
        if not project_id:
            raise ValueError("Choose a project first.")
        gr.Info(studio.library.reuse_clip(user_of(request), (clip_id or "").strip(), project_id))

    def models() -> Any:
        return gr.update(choices=[""] + [m["id"] for m in studio.models.models()])

    inputs = [query, style, model, only_project, ctx.project]
    query.submit(search, inputs, results, api_name="search_library")
    for comp in (style, model, only_project):
        comp.change(search, inputs, results, api_visibility="private")
    results.select(pick, results, [clip, player], api_visibility="private")
    reuse.click(on_reuse, [clip, ctx.project], None, api_name="reuse_clip")
    ctx.shared["load"].append((models, [], [model]))
    ctx.shared["tab_library"] = (search, inputs, [results])
