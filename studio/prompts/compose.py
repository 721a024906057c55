"""studio.prompts: Wan prompts from analysed shots. The formula is subject + scene +
motion + aesthetic + style (order from a template in presets/templates), with camera
language and character appearances; kept inside the text encoder's token budget by
dropping the least important parts first, with a warning."""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.models import get_card
from studio.prompts.characters import CharacterCard, cards_by_name, describe
from studio.prompts.presets import Presets, StylePreset, default_presets
from studio.prompts.tokens import token_counter
from studio.storyboard.analyse import LEAD_CAMERA_ZH, inline_dialogue
from studio.storyboard.model import Shot, Storyboard
from studio.storyboard.split import has_words

# what goes first when the prompt is too long (least important first)
TRIM_ORDER = ("mood", "motion", "style_extra", "camera", "scene", "lighting", "style", "subject")
SPEAKING = {"en": "{who} speaking to the camera", "zh": "{who}对着镜头说话"}
SUBTLE = {"en": "natural subtle movement", "zh": "自然细微的动作"}


def _core(shot: Shot, cards: dict[str, CharacterCard]) -> str:
    """The shot's visual sentence (speech removed) with character appearances woven in."""
    lang = shot.language
    visual, _ = inline_dialogue(shot.text)
    speakers = [d["speaker"] for d in shot.dialogue if d.get("speaker")]
    if not visual.strip() or (shot.dialogue and shot.subtitle and visual.strip() == shot.subtitle.strip()):
        who = speakers[0] if speakers else (shot.characters[0] if shot.characters else "")
        visual = SPEAKING[lang].format(who=who).strip() if who else (visual or shot.subtitle)
    stripped = LEAD_CAMERA_ZH.sub("", visual, count=1)
    if has_words(stripped):  # 特写：咖啡师拉花 -> 咖啡师拉花 (the camera part says 特写镜头)
        visual = stripped
    visual = visual.strip().rstrip("。.!！?？;；,，")
    for name in shot.characters:
        if name in cards:
            visual = describe(cards[name], visual, lang)
    return visual


def prompt_parts(shot: Shot, style: StylePreset | None, cards: dict[str, CharacterCard],
                 presets: Presets) -> dict[str, str]:
    lang = shot.language
    core = _core(shot, cards)
    sizes = {c.id: c for c in presets.camera["sizes"]}
    moves = {c.id: c for c in presets.camera["moves"]}
    camera = [sizes[shot.camera.size].prompt[lang]] if shot.camera.size in sizes else []
    if shot.camera.movement in moves:
        camera.append(moves[shot.camera.movement].prompt[lang])
    mood = next((m["aesthetic"][lang] for m in presets.moods if m["id"] == shot.mood), "")
    style_items = [s.strip() for s in style.positive[lang].split("，" if lang == "zh" else ",")] if style else []
    return {
        "subject": core,
        "scene": ("，" if lang == "zh" else ", ").join(
            p for p in re.split(r"[，,]\s*", shot.setting) if p and p.lower() not in core.lower()),
        "motion": SUBTLE[lang] if not shot.action and not shot.dialogue else "",
        "camera": ("，" if lang == "zh" else ", ").join(camera),
        "lighting": shot.lighting,
        "mood": mood,
        "style": ("，" if lang == "zh" else ", ").join(style_items[:2]),
        "style_extra": ("，" if lang == "zh" else ", ").join(style_items[2:]),
    }


def render(parts: dict[str, str], order: Sequence[str], joiner: str, end: str) -> str:
    expanded: list[str] = []
    for name in order:
        if name == "aesthetic":
            expanded += [parts.get("lighting", ""), parts.get("mood", "")]
        elif name == "style":
            expanded += [parts.get("style", ""), parts.get("style_extra", "")]
        else:
            expanded.append(parts.get(name, ""))
    text = joiner.join(p for p in expanded if p and p.strip())
    return text + end if text else text


def fit_budget(parts: dict[str, str], order: Sequence[str], joiner: str, end: str,
               count, budget: int) -> tuple[str, list[str]]:
    """The rendered prompt within `budget` tokens, and the names of the parts dropped or cut."""
    dropped: list[str] = []
    prompt = render(parts, order, joiner, end)
    for name in TRIM_ORDER:
        if count(prompt) <= budget:
            return prompt, dropped
        if name == "subject":
            words = parts["subject"]
            lo, hi = 0, len(words)
            while lo < hi:  # the longest prefix of the subject that fits
                mid = (lo + hi + 1) // 2
                trial = dict(parts, subject=words[:mid] + "…")
                if count(render(trial, order, joiner, end)) <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            parts["subject"] = words[:lo] + "…"
            dropped.append("subject (cut)")
        elif parts.get(name):
            parts[name] = ""
            dropped.append(name)
        prompt = render(parts, order, joiner, end)
    return prompt, dropped


def compose_shot(shot: Shot, model: str, style: StylePreset | None = None,
                 characters: Sequence[CharacterCard] = (), template: str = "wan",
                 presets: Presets | None = None) -> Shot:
    """Fill `shot.prompt`, `shot.negative_prompt` and `shot.style` in place; returns the shot."""
    presets = presets or default_presets()
    card = get_card(model)
    tmpl = presets.template(template)
    lang = shot.language
    count, exact = token_counter(model)
    budget = card.text_encoder_max_tokens
    parts = prompt_parts(shot, style, cards_by_name(characters), presets)
    shot.prompt, dropped = fit_budget(parts, tmpl.order, tmpl.joiner[lang], tmpl.end[lang], count, budget)
    if dropped:
        how = "the tokenizer" if exact else "an estimate"
        shot.warnings.append(f"The prompt was over the {budget}-token budget ({how}), so these parts were "
                             f"dropped or cut: {', '.join(dropped)}.")
    negative = card.negative_prompt
    if style and style.negative["zh"]:
        negative = f"{negative}，{style.negative['zh']}" if negative else style.negative["zh"]
    if count(negative) > budget:
        negative = card.negative_prompt
    shot.negative_prompt = negative
    shot.style = style.id if style else ""
    return shot


def compose_storyboard(board: Storyboard, style: StylePreset | None = None,
                       characters: Sequence[CharacterCard] = (), template: str = "wan",
                       presets: Presets | None = None) -> Storyboard:
    """Compose every shot of `board` for its model; returns the same board."""
    presets = presets or default_presets()
    board.style = style.id if style else ""
    for shot in board.shots:
        compose_shot(shot, board.model, style, characters, template, presets)
    return board
