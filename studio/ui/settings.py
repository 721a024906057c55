"""studio.ui: page 8, Models and settings — which models are downloaded (download one as
a background task with progress), memory mode and speed options, device information,
background tasks, and usage charts per project (gr.BarPlot over the usage table)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.loras import LORA_COLUMNS, lora_rows
from studio.ui import project_options
from studio.ui.common import PageContext, guarded, user_of
from studio.ui.i18n import say

MODEL_COLUMNS = ["model", "weights", "size GB", "frames", "fps", "licence"]
TASK_COLUMNS = ["kind", "status", "progress", "message", "error"]


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    MEMORY_MODES, ATTENTION_BACKENDS, CACHES = studio.models.speed_choices()
    models = gr.Dataframe(headers=MODEL_COLUMNS, label=t("models"), interactive=False, elem_id="model-table")
    # the LoRA library (engine.lora_library), read on each page load
    lora_table = gr.Dataframe(value=lora_rows, headers=LORA_COLUMNS, label=t("loras"), interactive=False,
                              elem_id="lora-table")
    with gr.Accordion(t("add_lora"), open=False, elem_id="add-lora"):
        with gr.Row():
            lora_file = gr.File(label=t("lora_file"), file_types=[".safetensors"], type="filepath", height=90, scale=2)
            with gr.Column(scale=3):
                lora_hub = gr.Textbox(label=t("lora_hub"), max_lines=1)
                with gr.Row():
                    lora_model = gr.Dropdown([], label=t("lora_model"), allow_custom_value=True)
                    lora_name = gr.Textbox(label=t("lora_name"), max_lines=1)
                    lora_scale = gr.Number(1.0, label=t("lora_default_scale"), minimum=0, maximum=4, step=0.05)
                add_lora = gr.Button(t("add_lora"), variant="primary", elem_id="add-lora-button")
    project_options.build(ctx)  # the current project's tier, LoRAs, voice and planner
    with gr.Row():
        model_pick = gr.Dropdown([], label=t("model"), scale=3, allow_custom_value=True)
        download = gr.Button(t("download_model"), scale=1)
    with gr.Row():
        memory = gr.Dropdown(list(MEMORY_MODES), value="auto", label=t("memory_mode"))
        attention = gr.Dropdown([""] + list(ATTENTION_BACKENDS), value="", label=t("attention"))
        cache = gr.Dropdown([""] + list(CACHES), value="", label=t("cache"))
        steps = gr.Number(None, label=t("steps"), precision=0, minimum=1, maximum=200)
        save = gr.Button(t("save_settings"), variant="primary")
    device = gr.Markdown()
    tasks = gr.Dataframe(headers=TASK_COLUMNS, label=t("tasks"), interactive=False)
    usage = gr.BarPlot(x="project", y="device_seconds", title=t("usage_chart"), label=t("usage"), height=260,
                       elem_id="usage-chart")
    timer = gr.Timer(2.0, active=False)
    ctx.shared.setdefault("timers", {})["tab_settings"] = timer  # ticks only while its page is open

    def load(request: gr.Request) -> Any:
        import pandas as pd

        user = user_of(request)
        rows = [[m["id"], m["status"], m["size_gb"], m["max_frames"], m["fps"], m["licence"]] for m in studio.models.models()]
        s = studio.settings.settings(user)
        data = pd.DataFrame(studio.settings.usage(user, "project") or [], columns=["project", "device_seconds", "clips",
                                                                          "exports", "user", "day"])
        return (rows, gr.update(choices=[r[0] for r in rows]), s.get("memory_mode", "auto"),
                s.get("attention_backend", ""), s.get("cache", ""), s.get("steps"), "\n".join(f"- {line}" for line in studio.models.device_info()),
                data[["project", "device_seconds"]])

    def follow(request: gr.Request) -> Any:
        return [[x["kind"], x["status"], f"{x['progress']:.0f}%", x["message"], x["error"] or ""]
                for x in studio.renders.renders(user_of(request))[:10]]

    @guarded
    def on_download(model_id, request: gr.Request) -> None:
        if not model_id:
            raise ValueError("Choose a model to download.")
        studio.models.request_download(user_of(request), model_id)
        gr.Info(f"Downloading {model_id} in the background; progress is under Background tasks.")

    @guarded
    def on_save(memory_v, attention_v, cache_v, steps_v, request: gr.Request) -> None:
        studio.settings.set_settings(user_of(request), memory_mode=memory_v or None, attention_backend=attention_v or None,
                            cache=cache_v or None, steps=int(steps_v) if steps_v else None)
        gr.Info("Settings saved; they apply to clips queued from now on.")

    @guarded
    def on_add_lora(path, hub, model_v, name_v, scale_v, request: gr.Request) -> Any:
        from engine.lora_library import add_entry

        source = (hub or "").strip() or path
        if not source:
            raise ValueError(say(request, "lora_source"))
        if not model_v:
            raise ValueError(say(request, "lora_model"))
        entry = add_entry(source, model_v, name=(name_v or "").strip() or None,
                          scale=1.0 if scale_v in (None, "") else float(scale_v))
        gr.Info(say(request, "lora_added", name=entry["name"]))
        return lora_rows()

    outs = [models, model_pick, memory, attention, cache, steps, device, usage]
    ctx.shared["tab_settings"] = (load, [], outs)
    ctx.shared["load"].append((lambda: gr.update(choices=[m["id"] for m in studio.models.models()]), [], [lora_model]))
    refresh_options = ctx.shared["project_options_load"]  # the new LoRA becomes a choice for the project
    add_lora.click(on_add_lora, [lora_file, lora_hub, lora_model, lora_name, lora_scale], lora_table,
                   api_visibility="private").success(*refresh_options, api_visibility="private")
    download.click(on_download, model_pick, None, api_name="download_model")
    save.click(on_save, [memory, attention, cache, steps], None, api_name="save_settings")
    timer.tick(follow, None, tasks, show_progress="hidden", api_visibility="private")
