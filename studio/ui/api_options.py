"""studio.ui: the JSON endpoints (gr.api) for what the pages' options blocks do — a
project's options (tier, LoRAs, voice, planner) read and saved, the prompt rewrite by the
language model, "re-make as final", a LoRA added to the library, the timeline's mix and
smooth motion. Ids are plain strings, checked by the services like the pages' own calls."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import guarded, user_of


def add_option_api(studio: Any) -> None:
    """Register the endpoints inside the current gr.Blocks."""

    @guarded
    def project_options(project_id: str, request: gr.Request) -> dict:
        from studio.projects.options import KEYS, tier_summary

        opts = studio.projects.project(user_of(request), project_id)["options"]
        return {**{k: opts.get(k) for k in KEYS}, "model": opts["model"], "tiers": tier_summary(opts["model"])}

    @guarded
    def save_project_options(project_id: str, options: dict, request: gr.Request) -> dict:
        from studio.projects.options import KEYS, set_options

        if not isinstance(options, dict):
            raise ValueError("The project options must be an object of option names and values.")
        saved = set_options(studio.db, studio.user_id(user_of(request)), project_id, options)
        return {k: saved.get(k) for k in KEYS}

    @guarded
    def rewrite_prompts(project_id: str, request: gr.Request) -> dict:
        from studio.projects.rewrite import rewrite_prompts as run

        return run(studio.jobs, user_of(request), project_id)

    @guarded
    def remake_job(job_id: str, request: gr.Request) -> str:
        from studio.jobs.remake import remake_own

        return remake_own(studio.jobs, user_of(request), (job_id or "").strip())

    @guarded
    def loras(request: gr.Request) -> list[dict]:
        from engine.lora_library import list_entries

        return [{k: e.get(k) for k in ("name", "base_model", "scale", "size_bytes")} for e in list_entries()]

    @guarded
    def add_lora(source: str, model: str, name: str, scale: float, request: gr.Request) -> dict:
        """`source`: a hf:owner/repo/file.safetensors path (files come through the page's upload)."""
        from engine.lora_library import add_entry

        source = (source or "").strip()
        if not source.startswith("hf:"):
            raise ValueError(f"The LoRA source {source[:64]!r} is not accepted here; use hf:owner/repo/file.safetensors, "
                             "or upload the file on the Models page.")
        entry = add_entry(source, model, name=(name or "").strip() or None, scale=float(scale))
        return {k: entry.get(k) for k in ("name", "base_model", "scale")}

    @guarded
    def timeline_mix(project_id: str, voice_volume: float, music_volume: float, duck_db: float, smooth_motion: bool,
                     request: gr.Request) -> dict:
        user = user_of(request)
        data = studio.timelines.timeline(user, project_id)
        saved = studio.timelines.save_timeline(user, project_id, {**data, "voice_volume": voice_volume,
                                                                  "music_volume": music_volume, "duck_db": duck_db,
                                                                  "smooth_motion": bool(smooth_motion)})
        return {k: saved[k] for k in ("voice_volume", "music_volume", "duck_db", "smooth_motion")}

    for fn, name in ((project_options, "project_options"), (save_project_options, "save_project_options"),
                     (rewrite_prompts, "rewrite_prompts"), (remake_job, "remake_job"), (loras, "loras"),
                     (add_lora, "add_lora"), (timeline_mix, "timeline_mix")):
        gr.api(fn, api_name=name)
