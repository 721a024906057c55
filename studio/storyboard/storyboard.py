"""studio.storyboard: the room's entry points. `read_file(path)` / `read_bytes(data, name)`
decode a script file and name its format and encoding; `split(script, model)` turns a
script (text, or a read Script) into an analysed Storyboard of the script's own shots;
`build(...)` also composes each shot's prompt (style, character cards, token budget) and
checks it against the safety policy (the prompt may be blocked; speech only warns)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.models import get_card
from studio.prompts.presets import Presets, default_presets
from studio.storyboard import fdx, fountain, screenplay, shotlist
from studio.storyboard.analyse import Context, beat_to_shots
from studio.storyboard.model import Storyboard
from studio.storyboard.people import script_names
from studio.storyboard.source import Script, read_bytes, sniff
from studio.storyboard.split import Beat, front_matter, has_words, normalise, split_beats

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


def read_file(path: str | Path) -> Script:
    """A script file, decoded (its encoding named) and its format found; ValueError (one
    sentence) for a file that is missing, too large or in a format that is not read."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Script file {str(path)!r} does not exist.")
    if path.stat().st_size > 20 * MAX_SCRIPT_CHARS:
        raise ValueError(f"Script file {path.name!r} is {path.stat().st_size:,} bytes; at most "
                         f"{20 * MAX_SCRIPT_CHARS:,} are accepted.")
    return read_bytes(path.read_bytes(), path.name)


def beats_of(script: Script) -> tuple[list[Beat], str, dict[str, str]]:
    """The beats of a read script in its own format, its title and its metadata."""
    fmt, text = script.format, script.text
    meta: dict[str, str] = {}
    if fmt == "fountain":
        meta, elements = fountain.parse(text)
        beats = screenplay.to_beats(elements)
    elif fmt == "fdx":
        meta, elements = fdx.parse(text)
        beats = screenplay.to_beats(elements)
    elif fmt in ("csv", "tsv"):
        beats = shotlist.read_delimited(text, "\t" if fmt == "tsv" else ",")
    elif fmt == "xlsx":
        beats = shotlist.read_xlsx(script.data)
    elif fmt == "json":
        beats, meta = shotlist.read_json(text)
    elif (av := shotlist.read_av_columns(text)) is not None:
        beats, fmt = av, "av-columns"
    else:
        meta = front_matter(normalise(text))[0]
        beats, title = split_beats(text)
        meta.setdefault("title", title) if title else None
    if not beats:
        raise ValueError(f"The {fmt} script has no shots: no action, picture or speech was found in it.")
    for beat in beats:
        beat.source_format = fmt
    return beats, meta.get("title", ""), meta


def split(script: str | Script, model: str = DEFAULT_MODEL, characters: Sequence[CharacterCard] = (),
          presets: Presets | None = None, fmt: str | None = None) -> Storyboard:
    """The script's own shots, one per shot, row or beat, with their stated durations
    (prompts not yet composed). `fmt` forces a format; by default it is found from the text."""
    if isinstance(script, Script):
        read = script
        if read.format != "xlsx":
            _check_script(read.text)
    else:
        _check_script(script)
        text = normalise(script)  # newlines unified, control characters spaces: every reader sees the same text
        read = Script(text, fmt or sniff(text), "")
    card = get_card(model)
    presets = presets or default_presets()
    beats, title, meta = beats_of(read)
    names: dict[str, str] = {}
    for c in characters:
        for alias in (c.name, *c.aliases):
            names[alias] = c.name
    found = script_names(read.text, beats)
    for alias, name in found.items():  # 李明：…, 名叫…, BRICK BRADDOCK, cues
        names.setdefault(alias, names.get(name, name))
    ctx = Context(presets, names, card.fps, card.max_seconds, card.max_frames)
    shots = []
    state: dict = {}
    for beat in beats:
        shots.extend(beat_to_shots(beat, ctx, state))
    people: list[str] = []
    for i, shot in enumerate(shots, start=1):
        shot.index = i
        people.extend(c for c in shot.characters if c not in people)
    people.extend(n for n in dict.fromkeys(names[a] for a in found) if n not in people)  # a cast list's names too
    return Storyboard(shots=shots, model=model, title=title, source_format=read.format, encoding=read.encoding,
                      metadata={k: v for k, v in meta.items() if isinstance(v, str)}, characters=people)


def build(script: str | Script, model: str = DEFAULT_MODEL, style: str | None = None,
          characters: Sequence[CharacterCard] = (), template: str = "wan", seed: int = 0,
          policy: SafetyPolicy | None = None, presets: Presets | None = None, fmt: str | None = None) -> Storyboard:
    """split() then compose every shot's prompt and negative prompt and check its safety:
    the prompt (what the model draws) may be blocked; words only in the speech (burned in
    as subtitles) give a warning. Shot seeds are `seed + index - 1`."""
    from studio.prompts.compose import compose_storyboard
    from studio.safety.policy import default_policy

    presets = presets or default_presets()
    chosen = presets.style(style) if style else None
    board = split(script, model=model, characters=characters, presets=presets, fmt=fmt)
    compose_storyboard(board, style=chosen, characters=characters, template=template, presets=presets)
    policy = policy or default_policy()
    for shot in board.shots:
        shot.seed = seed + shot.index - 1
        result = policy.check(shot.prompt)
        if not result.flagged and shot.subtitle:
            result = policy.check_speech(shot.subtitle)
        shot.safety = result.to_dict()
        if result.flagged:
            shot.warnings.append(result.message)
    return board
