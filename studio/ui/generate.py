"""studio.ui: page 3, Generate — the queue from the database (status, step i/N, ETA,
priority), a live animated preview of the running job (its latest x0 preview strip cut
into frames), and cancel / retry / priority on the selected job. A gr.Timer reads the
records every second; nothing here runs a model."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr

from studio.ui.common import PageContext, fmt_seconds, guarded, served, user_of
from studio.ui.i18n import say

COLUMNS = ["#", "shot", "status", "tier", "step", "ETA", "priority", "message", "job"]
HELD_COLUMNS = ["clip", "why", "held at"]


def eta(job: dict[str, Any]) -> float | None:
    step, total = job.get("progress_step") or 0, job.get("progress_total") or 0
    if job["status"] != "running" or not step or not total or not job.get("started_at"):
        return None
    elapsed = time.time() - job["started_at"]
    return elapsed / step * (total - step)


def job_rows(jobs: list[dict[str, Any]], shot_index: dict[str, int]) -> list[list[Any]]:
    rows = []
    for job in jobs:
        step = f"{job['progress_step']}/{job['progress_total']}" if job.get("progress_total") else "–"
        tier = (job.get("params") or {}).get("tier") or "final"
        rows.append([job["seq"], shot_index.get(job.get("shot_id") or "", ""), job["status"], tier, step,
                     fmt_seconds(eta(job)) if job["status"] == "running" else "–", job["priority"],
                     (job.get("error") or job.get("progress_message") or "")[:120], job["id"]])
    return rows


def animated_preview(job: dict[str, Any]) -> str | None:
    """The job's latest preview strip (latent frames side by side) as an animated GIF next to it."""
    src = served(job.get("preview_path"))
    if not src:
        return None
    from PIL import Image

    params = job.get("params") or {}
    out = Path(src).with_name(f"anim-{job.get('progress_step', 0)}.gif")
    if out.is_file():
        return str(out)
    with Image.open(src) as strip:
        strip.load()
        w, h = strip.size
        ratio = (params.get("width") or 1) / (params.get("height") or 1)
        frame_w = max(1, round(h * ratio))
        n = max(1, round(w / frame_w))
        frame_w = w // n
        frames = [strip.crop((i * frame_w, 0, (i + 1) * frame_w, h)).convert("RGB") for i in range(n)]
    scale = max(1, 192 // max(h, 1))
    frames = [f.resize((f.width * scale, f.height * scale), Image.NEAREST) for f in frames]
    tmp = out.with_suffix(".part.gif")
    frames[0].save(tmp, save_all=True, append_images=frames[1:], duration=160, loop=0)
    tmp.replace(out)
    for old in out.parent.glob("anim-*.gif"):
        if old != out:
            old.unlink(missing_ok=True)
    return str(out)


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.Dataframe(headers=COLUMNS, label=t("jobs"), interactive=False, wrap=True, elem_id="job-table",
                                 column_widths=["6%", "7%", "11%", "8%", "8%", "7%", "8%", "26%", "19%"])
        with gr.Column(scale=2):
            now = gr.Markdown(elem_id="job-now")
            preview = gr.Image(label=t("live_preview"), type="filepath", interactive=False, height=220,
                               elem_id="live-preview")
    with gr.Row():
        job_id = gr.Textbox(label=t("job_id"), max_lines=1, scale=3, elem_id="job-id")
        cancel = gr.Button(t("cancel"), variant="stop", scale=1)
        retry = gr.Button(t("retry"), scale=1)
        priority = gr.Number(0, label=t("priority"), precision=0, minimum=-100, maximum=100, scale=1)
        set_priority = gr.Button(t("set_priority"), scale=1)
        remake = gr.Button(t("remake_final"), scale=1, elem_id="remake-final")
    queue_all = gr.Button(t("queue_all"), variant="primary")
    with gr.Accordion(t("held_clips"), open=True, elem_id="held-clips"):
        held = gr.Dataframe(headers=HELD_COLUMNS, interactive=False, wrap=True, elem_id="held-table")
        with gr.Row():
            held_id = gr.Textbox(label=t("held_clip"), max_lines=1, scale=3, elem_id="held-id")
            release = gr.Button(t("release_clip"), scale=1, elem_id="release-clip")
    last_preview = gr.State(None)
    timer = gr.Timer(1.0, active=False)
    ctx.shared.setdefault("timers", {})["tab_generate"] = timer  # ticks only while its page is open

    def refresh(project_id: str | None, last: str | None, request: gr.Request) -> Any:
        user = user_of(request)
        try:
            jobs = studio.shots.project_jobs(user, project_id or None)
            flow = studio.projects.project(user, project_id) if project_id else None
        except ValueError:
            return [], "", gr.skip(), last
        index = {e["id"]: e["shot"].get("index") for e in (flow["shots"] if flow else [])}
        running = next((j for j in jobs if j["status"] == "running"), None)
        counts: dict[str, int] = {}
        for j in jobs:
            counts[j["status"]] = counts.get(j["status"], 0) + 1
        summary = " · ".join(f"{k}: {v}" for k, v in counts.items()) or "No jobs yet."
        if running:
            summary = (f"**Shot {index.get(running.get('shot_id') or '', '?')}** · "
                       f"step {running['progress_step']}/{running['progress_total'] or '?'} · "
                       f"ETA {fmt_seconds(eta(running))}\n\n{summary}")
        anim = animated_preview(running) if running else None
        if anim is None or anim == last:
            return job_rows(jobs, index), summary, gr.skip(), last
        return job_rows(jobs, index), summary, anim, anim

    def pick(evt: gr.SelectData, rows: Any) -> Any:
        try:
            return rows.iloc[evt.index[0]]["job"] if hasattr(rows, "iloc") else rows[evt.index[0]][-1]
        except (IndexError, KeyError, TypeError):
            return gr.skip()

    @guarded
    def on_cancel(job: str, request: gr.Request) -> None:
        status = studio.shots.cancel_job(user_of(request), (job or "").strip())
        gr.Info(f"Job {job[:8]} is {status}." if status == "cancelled" else f"Job {job[:8]} stops at its next step.")

    @guarded
    def on_retry(job: str, request: gr.Request) -> str:
        new = studio.shots.retry_job(user_of(request), (job or "").strip())
        gr.Info(f"Queued again as job {new[:8]}.")
        return new

    @guarded
    def on_priority(job: str, value: float, request: gr.Request) -> None:
        studio.shots.set_priority(user_of(request), (job or "").strip(), int(value or 0))
        gr.Info(f"Job {job[:8]} now has priority {int(value or 0)}.")

    @guarded
    def on_queue(project_id: str | None, request: gr.Request) -> None:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        ids = studio.shots.queue_all(user_of(request), project_id)
        gr.Info(f"{len(ids)} shot(s) queued.")

    @guarded
    def on_remake(job: str, request: gr.Request) -> str:
        from studio.jobs.remake import remake_own

        if not (job or "").strip():
            raise ValueError(say(request, "choose_job"))
        new = remake_own(studio.jobs, user_of(request), job.strip())
        gr.Info(say(request, "remake_queued", job=new[:8]))
        return new

    def held_rows(request: gr.Request) -> list[list[Any]]:
        from studio.safety import live

        return [[h["clip_id"], h["message"], time.strftime("%m-%d %H:%M", time.localtime(h["created_at"]))]
                for h in live.holds(studio.db, studio.user_id(user_of(request)))]

    def pick_held(evt: gr.SelectData, rows: Any) -> Any:
        try:
            return rows.iloc[evt.index[0]]["clip"] if hasattr(rows, "iloc") else rows[evt.index[0]][0]
        except (IndexError, KeyError, TypeError):
            return gr.skip()

    @guarded
    def on_release(clip_id: str, request: gr.Request) -> Any:
        from studio.safety import live

        clip_id = (clip_id or "").strip()
        live.release(studio.db, studio.user_id(user_of(request)), clip_id)
        gr.Info(say(request, "released", clip=clip_id[:8]))
        return held_rows(request), ""

    timer.tick(refresh, [ctx.project, last_preview], [table, now, preview, last_preview], show_progress="hidden",
               api_visibility="private")
    ctx.shared["tab_generate"] = (refresh, [ctx.project, last_preview], [table, now, preview, last_preview])
    table.select(pick, table, job_id, api_visibility="private")
    cancel.click(on_cancel, job_id, None, api_name="cancel_job")
    retry.click(on_retry, job_id, job_id, api_name="retry_job")
    set_priority.click(on_priority, [job_id, priority], None, api_name="set_priority")
    queue_all.click(on_queue, ctx.project, None, api_visibility="private")
    remake.click(on_remake, job_id, job_id, api_visibility="private")
    held.select(pick_held, held, held_id, api_visibility="private")
    release.click(on_release, held_id, [held, held_id], api_visibility="private")
    ctx.shared["load"].append((held_rows, [], [held]))
    timer.tick(held_rows, None, held, show_progress="hidden", api_visibility="private")  # a hold comes from a worker
