"""studio.ui: the current project's options block (on the Models & settings page) — the
quality tier with what it means for the project's model, the project's LoRAs and their
strength, the voice-over (on/off, the narrator's voice per language, speed; eSpeak NG is
labelled as the robotic fallback) and the language-model planner switch with what it does
on this machine. Checking and storing are studio.projects.options'; the rewrite runs as
`plan` jobs on the workers (studio.projects.rewrite)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, user_of
from studio.ui.i18n import say

DEFAULT_PLANNER = "tiny-planner"


def voice_choices(lang: str, robotic_word: str) -> list[tuple[str, str]]:
    """(label, name) of every voice that speaks `lang`; robotic engines say so."""
    from engine.voice import list_voices

    return [(f"{v.name} · {card.label}" + (f" ({robotic_word})" if card.robotic else ""), v.name)
            for card, v in list_voices() if v.lang == lang]


def planner_choices() -> list[tuple[str, str]]:
    from engine.text import list_text_cards

    return [(c.id, c.id) for c in list_text_cards()]


def lora_names(model: str | None = None) -> list[str]:
    from engine.lora_library import list_entries

    return [e["name"] for e in list_entries() if model is None or e["base_model"] == model]


def tier_text(model: str, request: gr.Request | None) -> str:
    from studio.projects.options import tier_summary

    info = tier_summary(model)
    if info["draft"] is None:
        return say(request, "tier_no_draft", model=model, final_steps=info["final_steps"],
                   final_guidance=info["final_guidance"])
    return say(request, "tier_about", final_steps=info["final_steps"], final_guidance=info["final_guidance"],
               **info["draft"])


def fields_from_form(tier: str, loras: list[str] | None, scale: float | None, voice: str, narrator_zh: str | None,
                     narrator_en: str | None, speed: float, use_planner: bool, planner: str | None) -> dict[str, Any]:
    """The form's values as project option fields (studio.projects.options.check_options)."""
    return {"tier": tier or "final",
            "loras": [{"name": n, "scale": None if scale in (None, "") else float(scale)} for n in loras or []],
            "voice": voice or "auto", "narrator": {k: v for k, v in (("zh", narrator_zh), ("en", narrator_en)) if v},
            "voice_speed": 1.0 if speed in (None, "") else float(speed),
            "planner": (planner or DEFAULT_PLANNER) if use_planner else ""}


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    with gr.Accordion(t("project_options"), open=True, elem_id="project-options"):
        with gr.Row():
            tier = gr.Radio([(t("tier_final"), "final"), (t("tier_draft"), "draft")], value="final", label=t("tier"),
                            elem_id="project-tier", scale=2)
            tier_about = gr.Markdown(elem_id="tier-about")
        with gr.Row():
            loras = gr.Dropdown([], multiselect=True, label=t("project_loras"), scale=3, elem_id="project-loras")
            scale = gr.Number(None, label=t("lora_strength"), minimum=0, maximum=4, step=0.05, scale=1)
        with gr.Row():
            voice = gr.Radio([(t("voice_auto"), "auto"), (t("voice_off"), "off")], value="auto", label=t("voice_mode"))
            narrator_zh = gr.Dropdown([], label=t("narrator_zh"), elem_id="narrator-zh")
            narrator_en = gr.Dropdown([], label=t("narrator_en"), elem_id="narrator-en")
            speed = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label=t("voice_speed"))
        with gr.Row():
            use_planner = gr.Checkbox(False, label=t("use_planner"), elem_id="use-planner", scale=1)
            planner = gr.Dropdown([], label=t("planner_model"), scale=1)
            planner_note = gr.Markdown(elem_id="planner-note")
        with gr.Row():
            save = gr.Button(t("save_options"), variant="primary", elem_id="save-options")
            rewrite = gr.Button(t("rewrite_prompts"), elem_id="rewrite-prompts")

    def load(project_id: str | None, request: gr.Request) -> Any:
        robotic = say(request, "robotic")
        zh, en = voice_choices("zh", robotic), voice_choices("en", robotic)
        try:
            flow = studio.projects.project(user_of(request), project_id) if project_id else None
        except ValueError:
            flow = None
        opts = flow["options"] if flow else {}
        model = opts.get("model")
        narrator = opts.get("narrator") or {}
        chosen = [e.get("name") for e in opts.get("loras") or [] if e.get("name")]
        scales = {e.get("scale") for e in opts.get("loras") or []}
        return (opts.get("tier") or "final", tier_text(model, request) if model else "",
                gr.update(choices=lora_names(model), value=chosen),
                scales.pop() if len(scales) == 1 else None, opts.get("voice") or "auto",
                gr.update(choices=zh, value=narrator.get("zh") or "espeak-zh"),
                gr.update(choices=en, value=narrator.get("en") or "espeak-en"),
                float(opts.get("voice_speed") or 1.0), bool(opts.get("planner")),
                gr.update(choices=planner_choices(), value=opts.get("planner") or DEFAULT_PLANNER),
                say(request, "planner_note"))

    @guarded
    def on_save(project_id, tier_v, loras_v, scale_v, voice_v, zh_v, en_v, speed_v, use_v, planner_v,
                request: gr.Request) -> None:
        if not project_id:
            raise ValueError(say(request, "choose_project"))
        from studio.projects.options import set_options

        fields = fields_from_form(tier_v, loras_v, scale_v, voice_v, zh_v, en_v, speed_v, use_v, planner_v)
        set_options(studio.db, studio.user_id(user_of(request)), project_id, fields)
        gr.Info(say(request, "options_saved"))

    @guarded
    def on_rewrite(project_id, request: gr.Request) -> None:
        if not project_id:
            raise ValueError(say(request, "choose_project"))
        from studio.projects.rewrite import rewrite_prompts

        user = user_of(request)
        if not studio.projects.project(user, project_id)["options"].get("planner"):
            raise ValueError(say(request, "planner_off"))
        gr.Info(say(request, "planner_started"))
        result = rewrite_prompts(studio.jobs, user, project_id)
        gr.Info(say(request, "planner_done", **result))

    outs = [tier, tier_about, loras, scale, voice, narrator_zh, narrator_en, speed, use_planner, planner, planner_note]
    ctx.project.change(load, ctx.project, outs, api_visibility="private")
    ctx.shared["load"].append((load, [ctx.project], outs))
    ctx.shared["project_options_load"] = (load, [ctx.project], outs)
    save.click(on_save, [ctx.project, tier, loras, scale, voice, narrator_zh, narrator_en, speed, use_planner, planner],
               None, api_visibility="private")
    rewrite.click(on_rewrite, ctx.project, None, api_visibility="private")
