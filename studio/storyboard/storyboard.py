"""studio.storyboard: the room's entry points. `split(script, model)` turns a script into
an analysed Storyboard; `build(...)` also composes each shot's prompt (style, character
cards, token budget) and checks it against the safety policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.models import get_card
from studio.prompts.presets import Presets, default_presets
from studio.storyboard.analyse import Context, beat_to_shots
from studio.storyboard.model import Storyboard
from studio.storyboard.split import has_words, split_beats

if TYPE_CHECKING:
    from studio.prompts.characters import CharacterCard
    from studio.safety.policy import SafetyPolicy

DEFAULT_MODEL = "wan2.1-t2v-1.3b"
MAX_SCRIPT_CHARS = 200_000


def _check_script(script: object) -> str:
    if not isinstance(script, str):
        raise ValueError(f"The script must be text, not {type(script).__name__}.")
    if len(script) > MAX_SCRIPT_CHARS:
        raise ValueError(f"The script has {len(script):,} characters; at most {MAX_SCRIPT_CHARS:,} are accepted.")
    if not has_words(script):
        raise ValueError("The script is empty: it has no words to turn into shots.")
    return script


def split(script: str, model: str = DEFAULT_MODEL, characters: Sequence[CharacterCard] = (),
          presets: Presets | None = None) -> Storyboard:
    """The shots of `script`, each at most one clip of `model` long (prompts not yet composed)."""
    _check_script(script)
    card = get_card(model)
    presets = presets or default_presets()
    names: dict[str, str] = {}
    for c in characters:
        for alias in (c.name, *c.aliases):
            names[alias] = c.name
    beats, title = split_beats(script)
    for beat in beats:  # speakers are characters even without a card: 李明：… makes 李明 known everywhere
        for who in [beat.speaker, *(d.get("speaker", "") for d in beat.dialogue)]:
            if who and who not in names and len(who) <= 20:
                names[who] = who
    ctx = Context(presets, names, card.fps, card.max_seconds, card.max_frames)
    shots = []
    state: dict = {}
    for beat in beats:
        shots.extend(beat_to_shots(beat, ctx, state))
    for i, shot in enumerate(shots, start=1):
        shot.index = i
    return Storyboard(shots=shots, model=model, title=title)


def build(script: str, model: str = DEFAULT_MODEL, style: str | None = None,
          characters: Sequence[CharacterCard] = (), template: str = "wan", seed: int = 0,
          policy: SafetyPolicy | None = None, presets: Presets | None = None) -> Storyboard:
    """split() then compose every shot's prompt and negative prompt and check its safety.
    Shot seeds are `seed + index - 1`, so a storyboard regenerates the same way."""
    from studio.prompts.compose import compose_storyboard
    from studio.safety.policy import default_policy

    presets = presets or default_presets()
    chosen = presets.style(style) if style else None
    board = split(script, model=model, characters=characters, presets=presets)
    compose_storyboard(board, style=chosen, characters=characters, template=template, presets=presets)
    policy = policy or default_policy()
    for shot in board.shots:
        shot.seed = seed + shot.index - 1
        result = policy.check(shot.prompt + "\n" + shot.subtitle)
        shot.safety = result.to_dict()
        if result.flagged:
            shot.warnings.append(result.message)
    return board
