"""studio.ui: the ONE place the pages are composed into a gr.Blocks — the banner, the
project selector, the eight pages as tabs, the JSON API endpoints the tests and scripts
use, and the launch options (auth, narrow allowed_paths, upload limit, no tracebacks,
English/Chinese by the browser's language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from shotline.data import asset_path
from studio.ui import export, generate, library, script, settings, storyboard, timeline, variants
from studio.ui.api import add_api
from studio.ui.common import PageContext, project_choices, user_of
from studio.ui.i18n import make_i18n

PAGES = [("tab_script", script), ("tab_storyboard", storyboard), ("tab_generate", generate),
         ("tab_variants", variants), ("tab_timeline", timeline), ("tab_export", export),
         ("tab_library", library), ("tab_settings", settings)]

CSS = """
#shot-board .shot-card, .clip-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 6px; }
#one-click { min-height: 56px; font-size: 1.1em; }
#shot-board .sl-handle-box { min-height: 0; padding: 0; }
#shot-board .sl-handle { cursor: grab; user-select: none; font-size: 1.2em; padding: 0 6px; }
.sl-thumb { display: block; width: 100%; max-width: 240px; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 6px; background: #222; }
.sl-thumb-empty { display: flex; align-items: center; justify-content: center; color: #999; font-size: 0.85em; }
.sl-offscreen { position: absolute !important; left: -10000px !important; width: 1px !important; height: 1px !important; overflow: hidden !important; }
#banner { background: var(--color-accent-soft); border-radius: 8px; padding: 4px 12px; }
"""
# the shipped CJK font (assets/fonts, OFL) as a web font: Chinese renders even where the system has none
CJK_FONT = asset_path("fonts/NotoSansSC-Shotline-Subset.otf")


def page_css() -> str:
    if not CJK_FONT.is_file():
        return CSS
    return CSS + (f'@font-face {{ font-family: "Shotline CJK"; src: url("/gradio_api/file={CJK_FONT}") '
                  'format("opentype"); font-display: swap; }\n'
                  '.gradio-container, .gradio-container textarea, .gradio-container input, .gradio-container button,'
                  ' .gradio-container table, .gradio-container span, .gradio-container p, .gradio-container label '
                  '{ font-family: var(--font), "Shotline CJK", sans-serif; }\n')


def build_ui(studio: Any, *, banner: str | Callable[[], str | None] | None = None,
             i18n: gr.I18n | None = None) -> gr.Blocks:
    """The studio's gr.Blocks. `studio` is the composed services (studio.services.StudioServices)."""
    i18n = i18n or make_i18n()
    t = i18n
    with gr.Blocks(title="Shotline") as demo:
        gr.Markdown("# " + t("app_title"), elem_id="app-title")
        gr.Markdown(t("tagline"), elem_id="tagline")
        # the banner is read when a page opens: workers report their models after the studio starts
        if banner:
            first = banner() if callable(banner) else banner
            banner_md = gr.Markdown(first or "", visible=bool(first), elem_id="banner")
        else:
            banner_md = None
        with gr.Row():
            project = gr.Dropdown([], label=t("project"), scale=5, elem_id="project-choice", allow_custom_value=True)
            refresh = gr.Button(t("refresh"), scale=1, size="sm")
        ctx = PageContext(studio=studio, t=t, project=project, shared={"load": []})
        tabs: dict[str, gr.Tab] = {}
        with gr.Tabs():
            for key, page in PAGES:
                with gr.Tab(t(key), id=key, elem_id=key.replace("_", "-")) as tab:
                    page.build(ctx)
                tabs[key] = tab
        for key, tab in tabs.items():  # pages that read on demand refresh when opened
            if key in ctx.shared:
                fn, inputs, outputs = ctx.shared[key]
                tab.select(fn, inputs, outputs, api_visibility="private", show_progress="hidden")
        timers = ctx.shared.get("timers", {})
        for key, tab in tabs.items():  # only the open page's timer reads the database every second
            tab.select(_only_timer(key, timers), None, list(timers.values()), api_visibility="private",
                       show_progress="hidden")

        def projects(current: str | None, request: gr.Request) -> Any:
            choices = project_choices(studio, user_of(request))
            ids = [c[1] for c in choices]
            return gr.update(choices=choices, value=current if current in ids else (ids[0] if ids else None))

        demo.load(projects, project, project, api_visibility="private")
        if banner_md is not None:
            def show_banner() -> Any:
                text = banner() if callable(banner) else banner
                return gr.update(value=text or "", visible=bool(text))

            demo.load(show_banner, None, banner_md, api_visibility="private")
        refresh.click(projects, project, project, api_visibility="private")
        for fn, inputs, outputs in ctx.shared["load"]:
            demo.load(fn, inputs, outputs, api_visibility="private")
        for js in ctx.shared.get("js_load", []):  # page scripts installed once per page load
            demo.load(None, None, None, js=js, api_visibility="private")
        add_api(studio)
    demo.i18n_for_launch = i18n  # launch() takes it; see launch_options()
    return demo


def _only_timer(key: str, timers: dict[str, gr.Timer]):  # noqa: ANN202
    intervals = {k: t.value for k, t in timers.items()}

    def switch() -> list[gr.Timer]:
        return [gr.Timer(interval, active=k == key) for k, interval in intervals.items()]

    return switch


def launch_options(*, allowed_paths: list[str], max_file_size: str, auth: Any, i18n: gr.I18n,
                   middleware: list[Any] | None = None) -> dict[str, Any]:
    """The launch() keyword arguments every studio uses."""
    opts: dict[str, Any] = {"allowed_paths": allowed_paths, "max_file_size": max_file_size, "show_error": False,
                            "i18n": i18n, "css": page_css(), "footer_links": [], "ssr_mode": False,
                            "app_kwargs": {"middleware": list(middleware or [])}}
    if auth is not None:
        opts.update(auth=auth, auth_message="Shotline: sign in with your studio user.")
    return opts
