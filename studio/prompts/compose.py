"""studio.prompts: Wan prompts from analysed shots. The rule-based writer
(studio.prompts.writer) gives each shot the formula's parts; this module puts them in
the template's order (presets/templates), keeps the prompt at 50-120 English words or
60-150 Chinese characters, never repeats the shot before, and keeps it inside the text
encoder's token budget by dropping the least important parts first, with a warning."""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.models import get_card
from studio.prompts.characters import CharacterCard, cards_by_name
from studio.prompts.presets import Presets, StylePreset, default_presets
from studio.prompts.products import ProductCard, merge, products_in_script, shot_product_names
from studio.prompts.tokens import token_counter
from studio.prompts.writer import Memory, formula, parts_for, prompt_length, render
from studio.storyboard.model import Shot, Storyboard

# what goes first when the prompt is over the token budget (least important first)
TRIM_ORDER = ("detail", "motion", "camera", "scene", "aesthetic", "style", "subject")


def _sized(parts: dict[str, str], order: tuple[str, ...], joiner: str, end: str, lang: str) -> str:
    """The prompt within the formula's length where the parts allow: the detail sentence
    added when short, then style fragments dropped from the end when long."""
    low, high = formula()["length"][lang]
    detail = 0
    prompt = render(parts, order, joiner, end, lang)
    if prompt_length(prompt, lang) < formula()["target"][lang]:  # Wan's instructions ask for 80-100 words
        detail = 1
        prompt = render(parts, order, joiner, end, lang, detail)
    if prompt_length(prompt, lang) < low + 10:
        detail = 2
        prompt = render(parts, order, joiner, end, lang, detail)
    sep = "，" if lang == "zh" else ", "
    while prompt_length(prompt, lang) > high and detail:
        detail -= 1
        prompt = render(parts, order, joiner, end, lang, detail)
    while prompt_length(prompt, lang) > high and parts["style"].count(sep) >= 2:
        parts["style"] = parts["style"].rsplit(sep, 1)[0]
        prompt = render(parts, order, joiner, end, lang, detail)
    return prompt


def fit_budget(parts: dict[str, str], order: tuple[str, ...], joiner: str, end: str, lang: str,
               count, budget: int) -> tuple[str, list[str]]:
    """The prompt within `budget` tokens, and the names of the parts dropped or cut."""
    dropped: list[str] = []
    prompt = _sized(parts, order, joiner, end, lang)
    for name in TRIM_ORDER:
        if count(prompt) <= budget:
            return prompt, dropped
        if name == "subject":
            words = parts["subject"]
            lo, hi = 0, len(words)
            while lo < hi:  # the longest prefix of the subject that fits
                mid = (lo + hi + 1) // 2
                if count(render(dict(parts, subject=words[:mid] + "…"), order, joiner, end, lang)) <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            parts["subject"] = words[:lo] + "…"
            dropped.append("subject (cut)")
        elif parts.get(name):
            parts[name] = ""
            dropped.append(name)
        prompt = render(parts, order, joiner, end, lang)
    return prompt, dropped


def _continue(parts: dict[str, str], lang: str, turn: int) -> None:
    """Mark the parts as the continuation of the clip before (a long shot's next part)."""
    lead = formula()["continuation"][lang][turn % len(formula()["continuation"][lang])]
    key = "subject" if parts["subject"] else "motion"
    text = parts[key]
    if lang == "en" and re.match(r"(The|A|An|This|That|These|Those|Its|His|Her|Their)\b", text):
        text = text[:1].lower() + text[1:]
    parts[key] = lead + text


def compose_shot(shot: Shot, model: str, style: StylePreset | None = None,
                 characters: Sequence[CharacterCard] = (), template: str = "wan",
                 presets: Presets | None = None, products: Sequence[ProductCard] = (),
                 memory: Memory | None = None) -> Shot:
    """Fill `shot.prompt`, `shot.rule_prompt`, `shot.negative_prompt` and `shot.style` in
    place; `memory` carries names, products and the last prompt from the shot before."""
    presets = presets or default_presets()
    memory = memory if memory is not None else Memory()
    card = get_card(model)
    tmpl = presets.template(template)
    count, exact = token_counter(model)
    budget = card.text_encoder_max_tokens
    parts = parts_for(shot, style, cards_by_name(characters), presets, list(products), memory)
    lang = parts["_lang"]  # as the writer settled it (a line-only shot takes its speech's language)
    if shot.part > 1:
        _continue(parts, lang, shot.part - 2)
    prompt, dropped = fit_budget(dict(parts), tmpl.order, tmpl.joiner[lang], tmpl.end[lang], lang, count, budget)
    turn = 0
    while memory.prompts and prompt == memory.prompts[-1] and turn < 3:  # never the shot before, word for word
        _continue(parts, lang, shot.part - 1 + turn)
        prompt, dropped = fit_budget(dict(parts), tmpl.order, tmpl.joiner[lang], tmpl.end[lang], lang, count, budget)
        turn += 1
    memory.prompts.append(prompt)
    shot.prompt = shot.rule_prompt = prompt
    shot.prompt_source = "rules"
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
                       presets: Presets | None = None, products: Sequence[ProductCard] = ()) -> Storyboard:
    """Compose every shot of `board` for its model, in order (names, products and the
    shot before carry from shot to shot); returns the same board."""
    presets = presets or default_presets()
    board.style = style.id if style else ""
    named = [ProductCard(n) for s in board.shots for n in shot_product_names(s)]  # the reader's product names
    known = merge(products, products_in_script(s.text for s in board.shots) + named)
    memory = Memory(names=set(getattr(board, "characters", None) or []))
    for shot in board.shots:
        compose_shot(shot, board.model, style, characters, template, presets, known, memory)
    return board
