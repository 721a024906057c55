"""studio.ui: page 5, Timeline — the clips in order with thumbnails (drag to reorder),
trims, speed and the transition after each clip, music and logo uploads, subtitle
editing, the AI label's placement, and a quick low-resolution preview render (a render job
a worker runs through the export room; this page only asks and reads)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, served, user_of

CLIP_COLUMNS = ["clip", "in_s", "out_s", "speed", "transition", "transition_s"]
SUB_COLUMNS = ["start_s", "end_s", "text"]
ORDER_JS = """(order) => Array.from(document.querySelectorAll('#clip-strip .clip-card'))
    .map(e => e.id.replace('clip-', '')).filter((v, i, a) => a.indexOf(v) === i).join(',')"""


def to_tables(data: dict[str, Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    clips, transitions = data["clips"], data.get("transitions") or []
    rows = []
    for i, c in enumerate(clips):
        tr = transitions[i] if i < len(transitions) else {"kind": "", "duration_s": 0}
        rows.append([i + 1, c.get("in_s", 0.0), c.get("out_s"), c.get("speed", 1.0), tr["kind"], tr["duration_s"]])
    subs = [[s["start_s"], s["end_s"], s["text"]] for s in data.get("subtitles") or []]
    for i, c in enumerate(clips):  # clip subtitles are shown on the cut's clock
        start = sum(max((x.get("out_s") or 0) - x.get("in_s", 0), 0) / x.get("speed", 1) for x in clips[:i])
        subs += [[round(start + s["start_s"], 3), round(start + s["end_s"], 3), s["text"]] for s in c.get("subtitles", [])]
    return rows, sorted(subs)


def _num(value: Any, default: float | None) -> float | None:
    if value in (None, "", "None") or (isinstance(value, float) and value != value):
        return default
    return float(value)


def from_tables(data: dict[str, Any], clip_rows: Any, sub_rows: Any) -> dict[str, Any]:
    """Apply the edited tables to the timeline document (clip order stays the data's)."""
    clip_rows = clip_rows.values.tolist() if hasattr(clip_rows, "values") else list(clip_rows or [])
    sub_rows = sub_rows.values.tolist() if hasattr(sub_rows, "values") else list(sub_rows or [])
    data = dict(data)
    clips = [dict(c) for c in data["clips"]]
    transitions = []
    for i, row in enumerate(clip_rows[:len(clips)]):
        clips[i].update(in_s=_num(row[1], 0.0), out_s=_num(row[2], None), speed=_num(row[3], 1.0), subtitles=[])
        if i < len(clips) - 1:
            transitions.append({"kind": str(row[4] or "cut"), "duration_s": _num(row[5], 0.0) or 0.0})
    data["clips"], data["transitions"] = clips, transitions
    data["subtitles"] = [{"start_s": _num(r[0], 0.0), "end_s": _num(r[1], 0.0), "text": str(r[2] or "")}
                         for r in sub_rows if str(r[2] or "").strip()]
    return data


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    doc = gr.State(None)
    with gr.Row():
        rebuild = gr.Button(t("rebuild_timeline"))
        save = gr.Button(t("save_timeline"), variant="primary")
        save_order = gr.Button(t("save_order"), elem_id="timeline-save-order")
        preview_btn = gr.Button(t("preview_render"))
    order_box = gr.Textbox(visible=False)

    hidden = gr.State(False)  # True for one render after a drag: the Draggable must start afresh

    @gr.render(inputs=[doc, hidden])
    def strip(data: dict[str, Any] | None, _hidden: bool, request: gr.Request) -> None:
        if _hidden:
            gr.Markdown("…")
            return
        if not data:
            gr.Markdown("The timeline appears when every clip of the project is done.")
            return
        with gr.Draggable(orientation="row", elem_id="clip-strip"):
            for i, clip in enumerate(data["clips"]):
                with gr.Column(elem_id=f"clip-{i}", elem_classes=["clip-card"], min_width=120, key=f"clip-{i}-{clip['source']}"):
                    gr.Image(served(studio.library.thumbnail(user_of(request), clip["source"])), label=f"{i + 1}", height=90, interactive=False,
                             show_label=True, key=f"thumb-{i}-{clip['source']}")

    clips = gr.Dataframe(headers=CLIP_COLUMNS, label=t("clips"), interactive=True, elem_id="clip-table",
                         datatype=["number", "number", "number", "number", "str", "number"])
    subs = gr.Dataframe(headers=SUB_COLUMNS, label=t("subtitles"), interactive=True, elem_id="sub-table",
                        datatype=["number", "number", "str"])
    with gr.Row():
        music = gr.File(label=t("music"), file_types=["audio"], type="filepath", height=90)
        logo = gr.File(label=t("logo"), file_types=["image"], type="filepath", height=90)
        label_pos = gr.Dropdown(["top-left", "top-right", "bottom-left", "bottom-right"], label=t("label_position"))
    with gr.Row():  # the mix: the voice track, the music, and how far the music ducks under speech
        voice_vol = gr.Slider(0, 4, value=1.0, step=0.05, label=t("voice_volume"), elem_id="voice-volume")
        music_vol = gr.Slider(0, 4, value=1.0, step=0.05, label=t("music_volume"), elem_id="music-volume")
        duck = gr.Slider(0, 40, value=12.0, step=1, label=t("duck_db"), elem_id="duck-db")
    preview = gr.Image(label=t("preview"), type="filepath", interactive=False, height=270, elem_id="timeline-preview")
    preview_task = gr.State(None)
    timer = gr.Timer(1.0, active=False)
    ctx.shared.setdefault("timers", {})["tab_timeline"] = timer  # ticks only while its page is open

    def load(project_id, request: gr.Request) -> Any:
        try:
            data = studio.timelines.timeline(user_of(request), project_id) if project_id else None
        except ValueError:
            data = None
        if not data:
            return None, [], [], gr.skip(), gr.skip(), gr.skip(), gr.skip()
        rows, sub_rows = to_tables(data)
        return (data, rows, sub_rows, data.get("label", {}).get("position", "top-left"),
                data.get("voice_volume", 1.0), data.get("music_volume", 1.0), data.get("duck_db", 12.0))

    @guarded
    def on_rebuild(project_id, request: gr.Request) -> Any:
        if not project_id:
            raise ValueError("Choose a project first.")
        studio.timelines.rebuild_timeline(user_of(request), project_id)
        return load(project_id, request)

    @guarded
    def on_save(project_id, data, clip_rows, sub_rows, label_v, voice_v, music_v, duck_v, request: gr.Request) -> Any:
        if not project_id or not data:
            raise ValueError("There is no timeline to save yet; it appears when every clip is done.")
        data = from_tables(data, clip_rows, sub_rows)
        data["label"] = {**data.get("label", {}), "position": label_v or "top-left"}
        data.update(voice_volume=_num(voice_v, 1.0), music_volume=_num(music_v, 1.0), duck_db=_num(duck_v, 12.0))
        studio.timelines.save_timeline(user_of(request), project_id, data)
        gr.Info("Timeline saved.")
        return load(project_id, request)

    @guarded
    def on_order(project_id, order, data, request: gr.Request) -> Any:
        if not project_id or not data:
            raise ValueError("There is no timeline to reorder yet.")
        idx = [int(x) for x in (order or "").split(",") if x.strip().isdigit()]
        if sorted(idx) != list(range(len(data["clips"]))):
            raise ValueError("The new order must name every clip exactly once.")
        data = dict(data, clips=[data["clips"][i] for i in idx])
        studio.timelines.save_timeline(user_of(request), project_id, data)
        gr.Info("The new clip order is saved.")
        return load(project_id, request)

    @guarded
    def on_upload(project_id, path, data, kind, request: gr.Request) -> Any:
        if not path:
            return gr.skip()
        if not project_id or not data:
            raise ValueError("There is no timeline yet; upload music or a logo once every clip is done.")
        user = user_of(request)
        stored = studio.assets.store_upload(user, kind, path, project_id)
        if kind == "music":
            data = dict(data, music=[{"source": stored, "volume": 0.8, "fade_in_s": 0.3, "fade_out_s": 0.8, "loop": True}])
        else:
            data = dict(data, logo={**(data.get("logo") or {}), "source": stored})
        studio.timelines.save_timeline(user, project_id, data)
        gr.Info(f"The {kind} is in the timeline.")
        return data

    @guarded
    def on_preview(project_id, request: gr.Request) -> Any:
        if not project_id:
            raise ValueError("Choose a project first.")
        task = studio.renders.request_render(user_of(request), project_id, preview=True)
        gr.Info("Rendering a quick preview…")
        return task

    def follow(task_id, request: gr.Request) -> Any:
        if not task_id:
            return gr.skip(), gr.skip()
        try:
            task = studio.renders.render(user_of(request), task_id)
        except ValueError:
            return gr.skip(), None
        if task["status"] == "done":
            return served((task["result"] or {}).get("path")), None
        if task["status"] in ("failed", "cancelled"):
            gr.Warning(task["error"] or "The preview stopped.")
            return gr.skip(), None
        return gr.skip(), task_id

    outs = [doc, clips, subs, label_pos, voice_vol, music_vol, duck]
    ctx.project.change(load, ctx.project, outs, api_visibility="private")
    ctx.shared["tab_timeline"] = (load, [ctx.project], outs)
    rebuild.click(on_rebuild, ctx.project, outs, api_visibility="private")
    save.click(on_save, [ctx.project, doc, clips, subs, label_pos, voice_vol, music_vol, duck], outs,
               api_name="save_timeline")
    # read the dragged order from the page, hide the strip, save, show it again (a fresh Draggable)
    save_order.click(None, order_box, order_box, js=ORDER_JS, api_visibility="private").then(
        lambda: True, None, hidden, api_visibility="private").then(
        on_order, [ctx.project, order_box, doc], outs, api_visibility="private").then(
        lambda: False, None, hidden, api_visibility="private")
    def upload_music(project_id, path, data, request: gr.Request) -> Any:
        return on_upload(project_id, path, data, "music", request)

    def upload_logo(project_id, path, data, request: gr.Request) -> Any:
        return on_upload(project_id, path, data, "logo", request)

    music.upload(upload_music, [ctx.project, music, doc], doc, api_visibility="private")
    logo.upload(upload_logo, [ctx.project, logo, doc], doc, api_visibility="private")
    preview_btn.click(on_preview, ctx.project, preview_task, api_name="preview_render")
    timer.tick(follow, preview_task, [preview, preview_task], show_progress="hidden", api_visibility="private")
