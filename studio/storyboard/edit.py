"""studio.storyboard: storyboard-level edits as pure functions on Shot lists (each returns
new shots and leaves its input alone), so that whatever stores a board — the flow, the
UI, a test — edits it the same way and keeps what the user wrote:
- merge: one shot of both, durations added, both shots' subtitles kept in order;
- split: two shots at the sentence break nearest the middle, every line of dialogue kept
  (with the half it was said in);
- set_camera / set_style / set_text: the shot changed and its prompt composed again;
- delete and undo: the shot removed, and a token that puts it back where it was."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from engine.models import get_card
from studio.storyboard.model import Camera, Shot
from studio.storyboard.split import CJK, split_sentences

MAX_SHOTS = 2000


def _renumber(shots: list[Shot]) -> list[Shot]:
    for i, shot in enumerate(shots, start=1):
        shot.index = i
    return shots


def _position(shots: Sequence[Shot], index: int) -> int:
    if not isinstance(index, int) or not 1 <= index <= len(shots):
        raise ValueError(f"Shot {index!r} is not on this storyboard; it has shots 1 to {len(shots)}.")
    return index - 1


def _joiner(a: str, b: str) -> str:
    return "" if CJK.search(a[-1:] or "") or CJK.search(b[:1] or "") else " "


def recompose(shot: Shot, model: str, template: str = "wan", style: str | None = None) -> Shot:
    """The shot's prompt and negative prompt composed again from its fields (and its style)."""
    from studio.prompts.compose import compose_shot
    from studio.prompts.presets import default_presets

    presets = default_presets()
    chosen = presets.style(style if style is not None else shot.style) if (style or shot.style) else None
    shot.warnings = [w for w in shot.warnings if not w.lower().startswith(("the prompt", "提示词"))]
    compose_shot(shot, model, chosen, template=template, presets=presets)
    return shot


def merge(shots: Sequence[Shot], index: int, model: str = "", template: str = "wan") -> list[Shot]:
    """Shot `index` and the one after it as one shot: texts joined, durations added, both
    shots' subtitles and characters kept (with their speakers), camera of the first."""
    i = _position(shots, index)
    if i + 1 >= len(shots):
        raise ValueError(f"Shot {index} is the last shot; there is no next shot to merge it with.")
    out = [copy.deepcopy(s) for s in shots]
    first, second = out[i], out[i + 1]
    first.text = (first.text.rstrip() + _joiner(first.text.strip(), second.text.strip()) + second.text.lstrip()).strip()
    first.source = "\n".join(p for p in (first.source, second.source) if p)
    first.dialogue = first.dialogue + second.dialogue
    first.characters = first.characters + [c for c in second.characters if c not in first.characters]
    first.products = first.products + [p for p in second.products if p not in first.products]
    first.sound = first.sound + second.sound
    first.duration_s = round(first.duration_s + second.duration_s, 2)
    first.num_frames = first.num_frames + second.num_frames - 1 if first.num_frames and second.num_frames else 0
    first.explicit_duration = first.explicit_duration and second.explicit_duration
    stated = [s.stated_duration for s in (first, second) if s.stated_duration is not None]
    first.stated_duration = round(sum(stated), 2) if len(stated) == 2 else None
    first.camera.named = first.camera.named + [c for c in second.camera.named if c not in first.camera.named]
    del out[i + 1]
    if model:
        recompose(first, model, template)
    return _renumber(out)


def _halves(text: str) -> tuple[str, str] | None:
    pieces = split_sentences(text)
    if len(pieces) < 2:
        return None
    total = sum(len(p) for p in pieces)
    best, acc, cut = None, 0, 1
    for k, piece in enumerate(pieces[:-1], start=1):
        acc += len(piece)
        if best is None or abs(total / 2 - acc) < best:
            best, cut = abs(total / 2 - acc), k
    return "".join(pieces[:cut]).strip(), "".join(pieces[cut:]).strip()


def split(shots: Sequence[Shot], index: int, model: str = "", template: str = "wan") -> list[Shot]:
    """Shot `index` as two shots at the sentence break nearest its middle (of its text, or of
    its dialogue when it has no text of its own). Every dialogue line is kept: a line whose
    words are in the second half (or, for speech-only shots, the later lines) goes with it."""
    i = _position(shots, index)
    out = [copy.deepcopy(s) for s in shots]
    shot = out[i]
    lines = shot.dialogue
    halves = _halves(shot.text)
    if halves is None and len(lines) < 2:
        raise ValueError(f"Shot {index} has one sentence and at most one line of speech; edit its text to split it.")
    if len(out) >= MAX_SHOTS:
        raise ValueError(f"A storyboard holds at most {MAX_SHOTS} shots.")
    second = copy.deepcopy(shot)
    if halves is not None:
        shot.text, second.text = halves
        in_second = [d for d in lines if d.get("text") and d["text"] in second.text and d["text"] not in shot.text]
        rest = [d for d in lines if d not in in_second]
        if not in_second and len(rest) >= 2:  # speech beside the text: share it out in order
            in_second, rest = rest[len(rest) // 2:], rest[: len(rest) // 2]
        shot.dialogue, second.dialogue = rest, in_second
    else:
        shot.dialogue, second.dialogue = lines[: len(lines) // 2], lines[len(lines) // 2:]
    fps = get_card(model).fps if model else 16
    second.source = ""  # the source stays with the first: the two still cover the script once
    total = shot.duration_s
    weight = max(1, len(shot.text) + sum(len(d["text"]) for d in shot.dialogue))
    weight2 = max(1, len(second.text) + sum(len(d["text"]) for d in second.dialogue))
    shot.duration_s = round(total * weight / (weight + weight2), 2)
    second.duration_s = round(total - shot.duration_s, 2)
    for part in (shot, second):
        part.stated_duration = None if part.stated_duration is None else part.duration_s
        part.num_frames = 4 * max(1, round(part.duration_s * fps / 4)) + 1 if part.num_frames else 0
        said = {d.get("speaker") for d in part.dialogue if d.get("speaker")}
        part.characters = [c for c in part.characters if c in part.text or c in said] or part.characters
    out.insert(i + 1, second)
    if model:
        recompose(shot, model, template)
        recompose(second, model, template)
    return _renumber(out)


def set_camera(shots: Sequence[Shot], index: int, model: str, size: str | None = None, movement: str | None = None,
               template: str = "wan") -> list[Shot]:
    """Shot `index` with the named size and/or movement (preset ids, e.g. close-up, orbit)
    and its prompt composed again."""
    from studio.prompts.presets import default_presets

    i = _position(shots, index)
    camera_presets = default_presets().camera
    sizes = {c.id: c for c in camera_presets["sizes"]}
    moves = {c.id: c for c in camera_presets["moves"]}
    if size is not None and size not in sizes:
        raise ValueError(f"Camera size {size!r} is not known; choose one of: {', '.join(sizes)}.")
    if movement is not None and movement not in moves:
        raise ValueError(f"Camera movement {movement!r} is not known; choose one of: {', '.join(moves)}.")
    out = [copy.deepcopy(s) for s in shots]
    shot = out[i]
    cam = shot.camera
    s = sizes[size] if size is not None else sizes.get(cam.size)
    m = moves[movement] if movement is not None else moves.get(cam.movement)
    shot.camera = Camera(s.id if s else cam.size, s.en if s else cam.size_en, s.zh if s else cam.size_zh,
                         m.id if m else cam.movement, m.en if m else cam.movement_en, m.zh if m else cam.movement_zh,
                         True, cam.speed, cam.angle, list(cam.named))
    recompose(shot, model, template)
    return out


def set_style(shots: Sequence[Shot], index: int | None, model: str, style: str, template: str = "wan") -> list[Shot]:
    """Shot `index` (or every shot, with None) in another style, prompts composed again."""
    from studio.prompts.presets import default_presets

    chosen = default_presets().style(style).id if style else ""  # an unknown style is one sentence
    out = [copy.deepcopy(s) for s in shots]
    targets = out if index is None else [out[_position(shots, index)]]
    for shot in targets:
        shot.style = chosen
        recompose(shot, model, template)
    return out


def set_text(shots: Sequence[Shot], index: int, text: str, model: str, template: str = "wan") -> list[Shot]:
    """Shot `index` with new picture text, analysed again (its dialogue, duration, camera
    choice and style kept) and its prompt composed again."""
    from studio.storyboard.storyboard import split as split_script

    if not isinstance(text, str) or not any(c.isalnum() for c in text):
        raise ValueError("The shot's new text is empty; describe what the shot shows.")
    i = _position(shots, index)
    out = [copy.deepcopy(s) for s in shots]
    old = out[i]
    fresh = split_script(text, model=model).shots[0]
    keep = {"index", "source", "scene", "heading", "dialogue", "duration_s", "explicit_duration", "stated_duration",
            "num_frames", "style", "seed", "source_format", "sound", "image", "last_image", "continues", "tier"}
    for f in dataclasses.fields(Shot):
        if f.name not in keep:
            setattr(old, f.name, getattr(fresh, f.name))
    old.text = text.strip()
    recompose(old, model, template)
    return out


@dataclass(frozen=True)
class Deleted:
    """What delete() took out: enough for undo() to put it back where it was."""

    position: int
    shot: Shot


def delete(shots: Sequence[Shot], index: int) -> tuple[list[Shot], Deleted]:
    """The shots without shot `index`, and the token that undoes it."""
    i = _position(shots, index)
    if len(shots) <= 1:
        raise ValueError("A storyboard needs at least one shot; this is the last one.")
    out = [copy.deepcopy(s) for s in shots]
    taken = out.pop(i)
    return _renumber(out), Deleted(i, copy.deepcopy(taken))


def undo(shots: Sequence[Shot], deleted: Deleted) -> list[Shot]:
    """The shots with a deleted shot put back at its place."""
    out = [copy.deepcopy(s) for s in shots]
    out.insert(min(deleted.position, len(out)), copy.deepcopy(deleted.shot))
    return _renumber(out)
