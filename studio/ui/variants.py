"""studio.ui: page 4, Variants — the A/B board: prompts x styles x seeds queued as jobs,
the finished clips side by side in a grid, and a winner recorded in the database."""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, served, user_of


def parse_seeds(text: str) -> list[int]:
    seeds = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"Seed {part!r} is not accepted: whole numbers separated by commas, like 1, 2, 3.")
        seeds.append(int(part))
    if not seeds:
        raise ValueError("Give at least one seed, like 1, 2.")
    return seeds


def build(ctx: PageContext) -> None:
    studio = ctx.studio
    t = ctx.t
    from studio.ui.script import _styles

    with gr.Row():
        prompts = gr.Textbox(label=t("variant_prompts"), lines=4, scale=3)
        with gr.Column(scale=2):
            styles = gr.Dropdown([s for s in _styles() if s[1]], multiselect=True, label=t("variant_styles"))
            seeds = gr.Textbox("1, 2", label=t("variant_seeds"), max_lines=1)
            go = gr.Button(t("queue_variants"), variant="primary")
    grid = gr.Gallery(label=t("variant_board"), columns=4, height=360, elem_id="variant-grid")
    with gr.Row():
        chosen = gr.Dropdown([], label=t("variant_board"), scale=3, allow_custom_value=True)
        win = gr.Button(t("pick_winner"), scale=1)
    board_md = gr.Markdown()
    timer = gr.Timer(2.0, active=False)
    ctx.shared.setdefault("timers", {})["tab_variants"] = timer  # ticks only while its page is open
    seen = gr.State("")

    @guarded
    def queue(project_id, prompts_v, styles_v, seeds_v, request: gr.Request) -> None:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        ids = studio.variants.queue_variants(user_of(request), project_id, (prompts_v or "").splitlines(),
                                    list(styles_v or []) or [None], parse_seeds(seeds_v))
        gr.Info(f"{len(ids)} variant(s) queued.")

    def refresh(project_id, last, request: gr.Request) -> Any:
        try:
            rows = studio.variants.variant_board(user_of(request), project_id) if project_id else []
        except ValueError:
            rows = []
        key = "|".join(f"{r['job_id']}:{r['status']}:{r['winner']}" for r in rows)
        if key == last:
            return gr.skip(), gr.skip(), gr.skip(), last
        items = [(served(r["path"]), ("★ " if r["winner"] else "") + r["label"]) for r in rows if served(r["path"])]
        choices = [(r["label"], f"{r['clip_id']}|{r['label']}") for r in rows if r["clip_id"]]
        lines = [f"- {'★ ' if r['winner'] else ''}{r['label']}: {r['status']}" for r in rows]
        return items, gr.update(choices=choices), "\n".join(lines), key

    @guarded
    def pick(project_id, value, request: gr.Request) -> str:
        if not value:
            raise ValueError("Choose a finished variant first.")
        clip_id, _, label = value.partition("|")
        studio.variants.pick_winner(user_of(request), project_id, clip_id, label)
        gr.Info(f"{label} is recorded as the winner.")
        return ""

    go.click(queue, [ctx.project, prompts, styles, seeds], None, api_name="queue_variants")
    timer.tick(refresh, [ctx.project, seen], [grid, chosen, board_md, seen], show_progress="hidden",
               api_visibility="private")
    ctx.shared["tab_variants"] = (refresh, [ctx.project, seen], [grid, chosen, board_md, seen])
    win.click(pick, [ctx.project, chosen], seen, api_name="pick_winner")
