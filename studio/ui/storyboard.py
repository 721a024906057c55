"""studio.ui: page 2, Storyboard — editable shot cards (text, prompt, style, camera,
duration, seed, subtitle) rendered with @gr.render and keyed by shot id; drag a card by
its handle to move it (insert, not swap; saved at once); add, split, merge, delete,
regenerate one shot; safety warnings inline on each card; where the prompt was rewritten
or edited, the rule-based prompt beside it with a button to go back to it.

The cards' buttons carry no handler of their own. A render replaces every component and
its handlers, so a click on a card that was just re-rendered would reach a handler that no
longer exists and a Save would silently do nothing. Instead one click listener on the page
(installed once) reads the clicked card's fields from the page and fires ONE static
handler, registered outside the render, which exists for the whole session. Dragging works
the same way: the page never moves a card's DOM node itself (gr.Draggable did, behind the
renderer's back, so a later render could show a stale order); a drop sends the new order to
one static handler, which saves it and renders the board again from the store."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from studio.ui.common import PageContext, guarded, user_of
from studio.ui.i18n import lang_of, say_in

# installed once per page: a click on a card's button becomes {action, shot id, the card's fields}
# in window.__slCard, then clicks the static, hidden #card-act button, whose handler reads it (CARD_JS)
INSTALL_JS = """() => {
  if (window.__slCardListener) return;
  window.__slCardListener = true;
  const value = (card, name) => {
    const box = card.querySelector('.f-' + name);
    if (!box) return null;
    const radios = Array.from(box.querySelectorAll('input[type=radio]'));
    if (radios.length) return String(radios.findIndex(r => r.checked));  // the choice's position
    const el = box.querySelector('textarea, input');
    if (!el) return null;
    return el.type === 'checkbox' ? String(el.checked) : el.value;
  };
  const send = (action, card) => {
    const fields = {};
    for (const name of ['text', 'prompt', 'style', 'camera', 'duration', 'seed', 'subtitle', 'continues', 'tier']) {
      fields[name] = value(card, name);
    }
    window.__slCard = JSON.stringify({action, shot: card.id.replace('shot-', ''), fields});
    document.querySelector('#card-act').click();
  };
  const cards = () => [...new Set(Array.from(document.querySelectorAll('#shot-board .shot-card')).map(e => e.id))];
  let dragged = null;
  document.addEventListener('dragstart', (e) => {
    const handle = e.target.closest && e.target.closest('#shot-board .sl-handle');
    if (!handle) return;
    dragged = handle.closest('.shot-card').id;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', dragged);
  }, true);
  document.addEventListener('dragover', (e) => {
    if (dragged && e.target.closest && e.target.closest('#shot-board .shot-card')) e.preventDefault();
  }, true);
  document.addEventListener('drop', (e) => {
    const target = dragged && e.target.closest && e.target.closest('#shot-board .shot-card');
    if (!target) return;
    e.preventDefault();
    const order = cards().filter(id => id !== dragged);
    const box = target.getBoundingClientRect();
    let at = order.indexOf(target.id);
    if (target.id !== dragged && at >= 0) {
      if (e.clientY > box.top + box.height / 2) at += 1;  // the lower half drops after the card
      order.splice(at, 0, dragged);
      window.__slOrder = order.map(id => id.replace('shot-', '')).join(',');
      document.querySelector('#order-act').click();
    }
    dragged = null;
  }, true);
  document.addEventListener('click', (e) => {
    const button = e.target.closest && e.target.closest('#shot-board .card-btn');
    if (!button) return;
    const card = button.closest('.shot-card');
    const action = Array.from(button.classList).find(c => c.startsWith('act-'));
    if (!card || !action) return;
    if (action.startsWith('act-upload_')) {  // the page's one upload button, told which card and slot
      window.__slUpload = JSON.stringify({action: action.slice(4), shot: card.id.replace('shot-', '')});
      const up = document.querySelector('#card-upload');
      (up.tagName === 'BUTTON' ? up : up.querySelector('button')).click();
      return;
    }
    send(action.slice(4), card);
  }, true);
  document.addEventListener('change', (e) => {  // a tier or continue choice is saved at once
    const box = e.target.closest && e.target.closest('#shot-board .f-tier, #shot-board .f-continues');
    const card = box && box.closest('.shot-card');
    if (card) send(box.classList.contains('f-tier') ? 'tier' : 'continues', card);
  }, true);
}"""
ORDER_JS = """(project, order, v) => { const o = window.__slOrder || ''; window.__slOrder = ''; return [project, o, v]; }"""
CARD_JS = """(project, payload, v) => { const p = window.__slCard || ''; window.__slCard = ''; return [project, p, v]; }"""
UPLOAD_JS = """(project, file, payload, v) => { const p = window.__slUpload || ''; window.__slUpload = ''; return [project, file, p, v]; }"""
ACTIONS = ("save", "regen", "split", "merge", "delete", "rule", "clear_image", "clear_last", "continues", "tier",
           "lengthen")
# the cards' pictures follow their clips while the page is open: a timer sends {shot id: <img>}
# and this swaps a changed picture in place (no render: unsaved edits on the cards stay)
THUMBS_JS = """(pictures) => {
  let map = {};
  try { map = JSON.parse(pictures || '{}'); } catch (e) { return; }
  for (const [sid, html] of Object.entries(map)) {
    const box = document.querySelector('#shot-board #shot-' + sid + ' .sl-thumb-box');
    if (!box) continue;
    const img = box.querySelector('img.sl-thumb');
    const want = html.match(/src="([^"]+)"/);
    if (want && (!img || img.getAttribute('src') !== want[1])) {
      const holder = box.querySelector('.sl-thumb') ? box.querySelector('.sl-thumb').parentElement : box;
      holder.innerHTML = html;
    }
  }
}"""
UPLOAD_SLOTS = {"upload_image": "image", "upload_last": "last_image"}
TIER_CHOICES = ("draft", "final")  # in the order of the card's radio buttons


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
        undo = gr.Button(t("undo_delete"), scale=1, elem_id="undo-delete")
        queue = gr.Button(t("queue_all"), variant="primary", scale=1, elem_id="queue-all")

    @gr.render(inputs=[ctx.project, version], triggers=[ctx.project.change, version.change])
    def board(project_id: str | None, _version: int, request: gr.Request) -> None:
        user = user_of(request)
        try:
            flow = studio.projects.project(user, project_id) if project_id else None
        except ValueError:
            flow = None
        if flow is None:
            gr.Markdown(t("no_project"))
            return
        jobs = {j["id"]: j for j in studio.shots.project_jobs(user, project_id)}
        from engine import get_card

        model = get_card(flow["options"]["model"])
        voice = studio.cards.voice_check(user, project_id)
        with gr.Column(elem_id="shot-board", key=f"board-{_version}"):
            for at, entry in enumerate(flow["shots"]):
                sid = entry["id"]
                shot = entry["shot"]
                with gr.Group(key=f"card-{sid}-{_version}", elem_id=f"shot-{sid}", elem_classes=["shot-card"]):
                    gr.HTML('<span class="sl-handle" draggable="true">⋮⋮</span>', key=f"g-{sid}-{_version}",
                            elem_classes=["sl-handle-box"])
                    gr.Markdown(_card_header(entry, jobs.get(entry.get("job_id") or "")), key=f"h-{sid}-{_version}")
                    _card_media(ctx, user, entry, at, model, voice.get(sid), flow["options"], _version)
                    with gr.Row():
                        gr.Textbox(shot.get("text", ""), label=t("shot_text"), lines=2, scale=3, key=f"t-{sid}-{_version}", elem_classes=["f-text"], interactive=True)
                        gr.Textbox(shot.get("prompt", ""), label=t("prompt"), lines=2, scale=4,
                                key=f"p-{sid}-{_version}", elem_classes=["f-prompt"], interactive=True)
                    rule = shot.get("rule_prompt") or ""
                    if str(shot.get("prompt_source", "")).startswith("planner:") or any(
                            "language model" in w for w in shot.get("warnings") or []):
                        gr.Markdown(t("planner_about"), key=f"pa-{sid}-{_version}")  # no unmeasured figure
                    if rule and rule != shot.get("prompt", ""):  # rewritten or edited: the rule-based one stays
                        with gr.Row():
                            gr.Textbox(rule, label=t("rule_prompt"), lines=2, scale=6, interactive=False,
                                       key=f"r-{sid}-{_version}")
                            gr.Button(t("use_rule_prompt"), size="sm", scale=1, key=f"brule-{sid}-{_version}",
                                      elem_classes=["card-btn", "act-rule"])
                    with gr.Row():
                        gr.Dropdown(styles, value=shot.get("style") or "", label=t("style"), key=f"s-{sid}-{_version}", elem_classes=["f-style"], interactive=True)
                        gr.Dropdown(sizes, value=(shot.get("camera") or {}).get("size"), label=t("camera"),
                               key=f"c-{sid}-{_version}", elem_classes=["f-camera"], interactive=True)
                        gr.Number(shot.get("duration_s"), label=t("duration"), minimum=0.1, key=f"d-{sid}-{_version}", elem_classes=["f-duration"], interactive=True)
                        gr.Number(shot.get("seed", 0), label=t("seed"), precision=0, minimum=0, key=f"e-{sid}-{_version}", elem_classes=["f-seed"], interactive=True)
                        gr.Textbox(shot.get("subtitle", ""), label=t("subtitle"), scale=2, key=f"u-{sid}-{_version}", elem_classes=["f-subtitle"], interactive=True)
                    with gr.Row():
                        for what, label, variant in (("save", "save", "secondary"), ("regen", "regenerate", "secondary"),
                                                     ("split", "split", "secondary"), ("merge", "merge", "secondary"),
                                                     ("delete", "delete", "stop")):
                            gr.Button(t(label), size="sm", variant=variant, key=f"b{what}-{sid}-{_version}",
                                      elem_classes=["card-btn", f"act-{what}"])

    @guarded
    def on_card(project_id: str | None, payload: str, v: int, request: gr.Request) -> int:
        """The one handler behind every card button (see the module docstring)."""
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        try:
            data = json.loads(payload or "{}")
        except ValueError:
            data = {}
        what, sid, values = data.get("action"), str(data.get("shot") or ""), data.get("fields") or {}
        if what not in ACTIONS or not sid:
            return gr.skip()
        user = user_of(request)
        if what == "save":
            _save_card(studio, user, project_id, sid, values)
        elif what == "rule":
            _back_to_rule_prompt(studio, user, project_id, sid)
        elif what in ("clear_image", "clear_last"):
            studio.cards.clear_image(user, project_id, sid, "image" if what == "clear_image" else "last_image")
        elif what == "continues":
            studio.cards.set_continues(user, project_id, sid, str(values.get("continues")).lower() == "true")
        elif what == "tier":
            at = str(values.get("tier") or "")
            if not at.isdigit() or int(at) >= len(TIER_CHOICES):
                raise ValueError("Choose the shot's tier: draft or final.")
            studio.cards.set_tier(user, project_id, sid, TIER_CHOICES[int(at)])
        elif what == "lengthen":
            seconds = studio.cards.lengthen(user, project_id, sid, studio.projects)
            gr.Info(f"The shot now lasts {seconds:.1f} s, long enough for its spoken lines.")
        elif what == "regen":
            studio.shots.regenerate_shot(user, project_id, sid)
            gr.Info("The shot is queued again; follow it on the Generate page.")
        else:
            {"split": studio.projects.split_shot, "merge": studio.projects.merge_shot, "delete": studio.projects.delete_shot}[what](
                user, project_id, sid)
        return v + 1

    @guarded
    def on_add(project_id, text_v, v, request: gr.Request) -> tuple[str, int]:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        studio.projects.add_shot(user_of(request), project_id, text_v or "")
        return "", v + 1

    @guarded
    def on_undo(project_id, v, request: gr.Request) -> int:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        studio.projects.undo_delete(user_of(request), project_id)
        gr.Info(say_in("undo_delete_done", lang_of(request)))
        return v + 1

    @guarded
    def on_order(project_id, order, v, request: gr.Request) -> int:
        if not project_id:
            raise ValueError("Choose a project first.")
        if not order:
            return gr.skip()
        studio.projects.reorder(user_of(request), project_id, order.split(","))
        gr.Info("The new order is saved.")
        return v + 1

    @guarded
    def on_queue(project_id, v, request: gr.Request) -> int:
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        ids = studio.shots.queue_all(user_of(request), project_id)
        gr.Info(f"{len(ids)} shot(s) queued; follow them on the Generate page.")
        return v + 1

    add.click(on_add, [ctx.project, add_text, version], [add_text, version], api_visibility="private")
    undo.click(on_undo, [ctx.project, version], version, api_visibility="private")
    queue.click(on_queue, [ctx.project, version], version, api_name="queue_all")
    card_payload = gr.Textbox(visible=False)
    card_act = gr.Button("card", elem_id="card-act", elem_classes=["sl-offscreen"])
    card_act.click(on_card, [ctx.project, card_payload, version], version, js=CARD_JS, api_visibility="private")
    upload_payload = gr.Textbox(visible=False)
    card_upload = gr.UploadButton("image", file_types=[".png", ".jpg", ".jpeg", ".webp"], type="filepath",
                                  elem_id="card-upload", elem_classes=["sl-offscreen"])

    @guarded
    def on_upload(project_id, file, payload, v, request: gr.Request):
        """The page's one upload button: the card's "start image" / "end image" button says
        which shot and slot (window.__slUpload) and opens its file chooser."""
        if not project_id:
            raise ValueError("Choose a project first (or make one on the Script page).")
        try:
            data = json.loads(payload or "{}")
        except ValueError:
            data = {}
        slot, sid = UPLOAD_SLOTS.get(data.get("action")), str(data.get("shot") or "")
        if not slot or not sid or not file:
            return gr.skip(), None
        from pathlib import Path

        studio.cards.set_image(user_of(request), project_id, sid, slot, str(file), shown_name=Path(str(file)).name)
        gr.Info("The image is saved on the shot; it is used the next time the shot is generated.")
        return v + 1, None

    card_upload.upload(on_upload, [ctx.project, card_upload, upload_payload, version], [version, card_upload],
                       js=UPLOAD_JS, api_visibility="private")
    order_box = gr.Textbox(visible=False)
    order_act = gr.Button("order", elem_id="order-act", elem_classes=["sl-offscreen"])
    order_act.click(on_order, [ctx.project, order_box, version], version, js=ORDER_JS, api_visibility="private")
    pictures = gr.Textbox(visible=False)
    timer = gr.Timer(2.0, active=False)

    def on_tick(project_id: str | None, request: gr.Request) -> str:
        """The cards' pictures as they are now (shot id -> <img>), for THUMBS_JS."""
        if not project_id:
            return gr.skip()
        user = user_of(request)
        try:
            shots = studio.projects.project(user, project_id)["shots"]
        except ValueError:
            return gr.skip()
        out = {}
        for entry in shots:
            thumb = studio.cards.thumbnail(user, entry["id"])
            if thumb:
                out[entry["id"]] = _thumb_html(t, entry["id"], thumb)
        return json.dumps(out, sort_keys=True)

    timer.tick(on_tick, [ctx.project], pictures, api_visibility="private", show_progress="hidden")
    pictures.change(None, [pictures], None, js=THUMBS_JS, api_visibility="private")
    ctx.shared.setdefault("timers", {})["tab_storyboard"] = timer  # ticks only while its page is open
    ctx.shared.setdefault("js_load", []).append(INSTALL_JS)
    ctx.shared["board_version"] = version


def _thumb_html(t: Any, sid: str, thumb: str | None) -> str:
    """The card's picture, through the guarded media route by shot id (never a file path)."""
    if not thumb:
        return '<div class="sl-thumb sl-thumb-empty">' + t("no_picture") + "</div>"
    import hashlib
    import os

    stamp = hashlib.sha256(f"{thumb}:{os.stat(thumb).st_mtime_ns}".encode()).hexdigest()[:12]  # a new picture, a new URL
    return f'<img class="sl-thumb" src="/media/thumb/{sid}?v={stamp}" alt="">'


def _card_media(ctx: PageContext, user: str, entry: dict[str, Any], at: int, model: Any,
                voice: dict[str, float] | None, options: dict[str, Any], v: int) -> None:
    """A card's picture and its own choices: start / end image, continue from the previous
    shot, tier, and the spoken line that does not fit (with the fix). Every button is a
    `card-btn` that the page's one listener turns into a call of the static handler."""
    from studio.projects.cards import models_taking

    t, sid, shot = ctx.t, entry["id"], entry["shot"]
    takes_image, takes_last = "image" in model.takes, "last_image" in model.takes
    with gr.Row(equal_height=False):
        gr.HTML(_thumb_html(t, sid, ctx.studio.cards.thumbnail(user, sid)), key=f"th-{sid}-{v}",
                elem_classes=["sl-thumb-box"], min_width=180)
        with gr.Column(scale=4):
            with gr.Row():
                if takes_image and not shot.get("continues"):
                    gr.Button(t("start_image"), size="sm", key=f"bup-{sid}-{v}", elem_classes=["card-btn", "act-upload_image"])
                    if shot.get("image"):
                        gr.Button(t("remove_start_image"), size="sm", key=f"bci-{sid}-{v}",
                                  elem_classes=["card-btn", "act-clear_image"])
                if takes_last:
                    gr.Button(t("end_image_set") if shot.get("last_image") else t("end_image"), size="sm",
                              key=f"bul-{sid}-{v}", elem_classes=["card-btn", "act-upload_last"])
                    if shot.get("last_image"):
                        gr.Button(t("remove_end_image"), size="sm", key=f"bcl-{sid}-{v}",
                                  elem_classes=["card-btn", "act-clear_last"])
                if at > 0:
                    gr.Checkbox(bool(shot.get("continues")), label=t("continues"), interactive=takes_image,
                                key=f"co-{sid}-{v}", elem_classes=["f-continues"])
                tier = shot.get("tier") or options.get("tier") or "final"
                gr.Radio([(t("shot_tier_draft"), "draft"), (t("shot_tier_final"), "final")], value=tier, label=t("shot_tier"),
                         key=f"ti-{sid}-{v}", elem_classes=["f-tier"], interactive=True)
            if not takes_image or (not takes_last and shot.get("last_image")):
                gr.Markdown(t("image_models") + f" {models_taking('image')}.", key=f"im-{sid}-{v}",
                            elem_classes=["sl-note"])
            if voice:
                with gr.Row():
                    gr.Markdown("⚠ " + t("voice_long") + f" {voice['voice_s']:.1f} s / {voice['shot_s']:.1f} s",
                                key=f"vf-{sid}-{v}", elem_classes=["sl-voice-flag"])
                    gr.Button(t("lengthen") + f" {voice['lengthen_to']:.1f} s", size="sm", key=f"ble-{sid}-{v}",
                              elem_classes=["card-btn", "act-lengthen"])


def _save_card(studio: Any, user: str, project_id: str, sid: str, values: dict[str, Any]) -> None:
    """Save what the card shows. Text and prompt are passed only when they differ from the stored
    shot (a new text recomposes the prompt); numbers that do not parse are named in one sentence."""
    entry = next((e for e in studio.projects.project(user, project_id)["shots"] if str(e["id"]) == sid), None)
    if entry is None:
        raise ValueError(f"Shot {sid!r} is not in this project any more; the board is shown again.")
    shot = entry["shot"]

    def number(name: str, label: str, cast: type) -> Any:
        raw = (values.get(name) or "").strip()
        try:
            return cast(float(raw)) if raw else None
        except ValueError:
            raise ValueError(f"The {label} {raw[:40]!r} is not a number.") from None

    from studio.ui.script import _styles

    style = (values.get("style") or "").strip()
    by_label = {label: sid_ for label, sid_ in _styles()}  # the page shows a style's label, the store keeps its id
    fields: dict[str, Any] = {"style": by_label.get(style, style), "subtitle": values.get("subtitle") or ""}
    if values.get("camera"):
        fields["camera_size"] = values["camera"]
    duration, seed = number("duration", "duration", float), number("seed", "seed", int)
    if duration is not None:
        fields["duration_s"] = duration
    if seed is not None:
        fields["seed"] = seed
    for name in ("text", "prompt"):
        if values.get(name) is not None and values[name] != shot.get(name, ""):
            fields[name] = values[name]
    studio.projects.edit_shot(user, project_id, sid, **fields)


def _back_to_rule_prompt(studio: Any, user: str, project_id: str, sid: str) -> None:
    """The card's prompt becomes the rule-based one kept beside it."""
    entry = next((e for e in studio.projects.project(user, project_id)["shots"] if str(e["id"]) == sid), None)
    if entry is None or not entry["shot"].get("rule_prompt"):
        raise ValueError(f"Shot {sid!r} has no rule-based prompt to go back to; the board is shown again.")
    studio.projects.edit_shot(user, project_id, sid, prompt=entry["shot"]["rule_prompt"])
