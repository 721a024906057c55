"""studio.ui: page 2, Storyboard — editable shot cards (text, prompt, style, camera,
duration, seed, subtitle) rendered with @gr.render and keyed by shot id; reorder by
dragging inside a gr.Draggable (the new order is read from the page and saved); add,
split, merge, delete, regenerate one shot; safety warnings inline on each card; where the
prompt was rewritten or edited, the rule-based prompt beside it and a button to go back."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, user_of

# reads the cards' order as the page shows it after a drag (Draggable has no change event; a card's id shows on two nested elements)
ORDER_JS = """(project, order, v) => [project, Array.from(document.querySelectorAll('#shot-board .shot-card'))
    .map(e => e.id.replace('shot-', '')).filter((v, i, a) => a.indexOf(v) === i).join(','), v]"""


def _camera_sizes() -> list[str]:
    from studio.prompts.presets import default_presets

    return [c.id for c in default_presets().camera["sizes"]]


def _card_header(entry: dict[str, Any], job: dict[str, Any] | None) -> str:
    shot = entry["shot"]
    cam = shot.get("camera") or {}
    parts = [f"### Shot {shot.get('index')}", f"{shot.get('duration_s', 0):.1f} s",
             f"{cam.get('size', '')} · {cam.get('movement', '')}"]
    if job:
        parts.append(f"clip: **{job['status']}**")
    text = " · ".join(parts)
    safety = shot.get("safety") or {}
    for warning in shot.get("warnings") or []:
        strong = safety.get("blocked") and warning == safety.get("message")
        text += f"\n\n{'**' + warning + '**' if strong else '*' + warning + '*'}"
    return text


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    version = gr.State(0)
    sizes = _camera_sizes()
    from studio.ui.script import _styles

    styles = _styles()

    with gr.Row():
        add_text = gr.Textbox(label=t("add_shot_text"), max_lines=2, scale=4)
        add = gr.Button(t("add_shot"), scale=1)
        save_order = gr.Button(t("save_order"), scale=1, elem_id="save-order")
        queue = gr.Button(t("queue_all"), variant="primary", scale=1, elem_id="queue-all")
    order_box = gr.Textbox(visible=False)

    hidden = gr.State(False)  # True for one render after a drag: the Draggable must start afresh

    @gr.render(inputs=[ctx.project, version, hidden], triggers=[ctx.project.change, version.change])
    def board(project_id: str | None, _version: int, _hidden: bool, request: gr.Request) -> None:
        user = user_of(request)
        if _hidden:
            gr.Markdown("…")
            return
        try:
            flow = studio.flow(user, project_id) if project_id else None
        except ValueError:
            flow = None
        if flow is None:
            gr.Markdown(t("no_project"))
            return
        jobs = {j["id"]: j for j in studio.project_jobs(user, project_id)}
        with gr.Draggable(elem_id="shot-board", key=f"board-{_version}"):
            for entry in flow["board"]["shots"]:
                sid = entry["id"]
                shot = entry["shot"]
                with gr.Group(key=f"card-{sid}-{_version}", elem_id=f"shot-{sid}", elem_classes=["shot-card"]):
                    gr.Markdown(_card_header(entry, jobs.get(entry.get("job_id") or "")), key=f"h-{sid}-{_version}")
                    with gr.Row():
                        text = gr.Textbox(shot.get("text", ""), label=t("shot_text"), lines=2, scale=3, key=f"t-{sid}-{_version}", interactive=True)
                        prompt = gr.Textbox(shot.get("prompt", ""), label=t("prompt"), lines=2, scale=4,
                                            key=f"p-{sid}-{_version}", interactive=True)
                    rule = shot.get("rule_prompt") or ""
                    back = None
                    planned = str(shot.get("prompt_source", "")).startswith("planner:") or any(
                        "language model" in w for w in shot.get("warnings") or [])
                    if planned:  # what the language model is and is not, without a figure nobody measured
                        gr.Markdown(t("planner_about"), key=f"pa-{sid}-{_version}")
                    if rule and rule != shot.get("prompt", ""):  # rewritten or edited: the rule-based one stays
                        with gr.Row():
                            gr.Textbox(rule, label=t("rule_prompt"), lines=2, scale=6, interactive=False,
                                       key=f"r-{sid}-{_version}")
                            back = gr.Button(t("use_rule_prompt"), size="sm", scale=1, key=f"bb-{sid}-{_version}")
                    with gr.Row():
                        style = gr.Dropdown(styles, value=shot.get("style") or "", label=t("style"), key=f"s-{sid}-{_version}", interactive=True)
                        camera = gr.Dropdown(sizes, value=(shot.get("camera") or {}).get("size"), label=t("camera"),
                                             key=f"c-{sid}-{_version}", interactive=True)
                        duration = gr.Number(shot.get("duration_s"), label=t("duration"), minimum=0.1, key=f"d-{sid}-{_version}", interactive=True)
                        seed = gr.Number(shot.get("seed", 0), label=t("seed"), precision=0, minimum=0, key=f"e-{sid}-{_version}", interactive=True)
                        subtitle = gr.Textbox(shot.get("subtitle", ""), label=t("subtitle"), scale=2, key=f"u-{sid}-{_version}", interactive=True)
                    with gr.Row():
                        save = gr.Button(t("save"), size="sm", key=f"bs-{sid}-{_version}")
                        regen = gr.Button(t("regenerate"), size="sm", key=f"br-{sid}-{_version}")
                        split = gr.Button(t("split"), size="sm", key=f"bp-{sid}-{_version}")
                        merge = gr.Button(t("merge"), size="sm", key=f"bm-{sid}-{_version}")
                        delete = gr.Button(t("delete"), size="sm", variant="stop", key=f"bd-{sid}-{_version}")

                @guarded
                def on_save(text_v, prompt_v, style_v, camera_v, duration_v, seed_v, subtitle_v, v,
                            request: gr.Request, _sid=sid, _shot=shot) -> int:
                    fields: dict[str, Any] = {"style": style_v or "", "camera_size": camera_v,
                                              "duration_s": duration_v, "seed": int(seed_v or 0),
                                              "subtitle": subtitle_v or ""}
                    if (text_v or "") != _shot.get("text", ""):
                        fields["text"] = text_v
                    if (prompt_v or "") != _shot.get("prompt", ""):
                        fields["prompt"] = prompt_v
                    studio.edit_shot(user_of(request), project_id, _sid, **fields)
                    return v + 1

                @guarded
                def on_action(v: int, request: gr.Request, _sid=sid, _what="") -> int:
                    user = user_of(request)
                    {"regen": lambda: studio.regenerate_shot(user, project_id, _sid),
                     "split": lambda: studio.split_shot(user, project_id, _sid),
                     "merge": lambda: studio.merge_shot(user, project_id, _sid),
                     "delete": lambda: studio.delete_shot(user, project_id, _sid)}[_what]()
                    if _what == "regen":
                        gr.Info("The shot is queued again; follow it on the Generate page.")
                    return v + 1

                save.click(on_save, [text, prompt, style, camera, duration, seed, subtitle, version], version,
                           api_visibility="private")
                if back is not None:
                    @guarded
                    def on_back(v: int, request: gr.Request, _sid=sid, _rule=rule) -> int:
                        studio.edit_shot(user_of(request), project_id, _sid, prompt=_rule)
                        return v + 1

                    back.click(on_back, version, version, api_visibility="private")
                for button, what in ((regen, "regen"), (split, "split"), (merge, "merge"), (delete, "delete")):
                    button.click(_bind(on_action, what), version, version, api_visibility="private")

    @guarded
    def on_add(project_id, text_v, v, request: gr.Request) -> tuple[str, int]:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        studio.add_shot(user_of(request), project_id, text_v or "")
        return "", v + 1

    @guarded
    def on_order(project_id, order, v, request: gr.Request) -> tuple[int, bool]:
        if not project_id:
            raise ValueError("Choose a project first.")
        studio.reorder(user_of(request), project_id, (order or "").split(","))
        gr.Info("The new order is saved.")
        return v + 1, True

    def show_again(v: int) -> tuple[int, bool]:
        return v + 1, False

    @guarded
    def on_queue(project_id, v, request: gr.Request) -> int:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        ids = studio.queue_all(user_of(request), project_id)
        gr.Info(f"{len(ids)} shot(s) queued; follow them on the Generate page.")
        return v + 1

    add.click(on_add, [ctx.project, add_text, version], [add_text, version], api_visibility="private")
    save_order.click(on_order, [ctx.project, order_box, version], [version, hidden], js=ORDER_JS,
                     api_visibility="private").then(show_again, version, [version, hidden], api_visibility="private")
    queue.click(on_queue, [ctx.project, version], version, api_name="queue_all")
    ctx.shared["board_version"] = version


def _bind(fn, what: str):  # noqa: ANN001, ANN202
    def handler(v: int, request: gr.Request) -> int:
        return fn(v, request, _what=what)

    return handler
