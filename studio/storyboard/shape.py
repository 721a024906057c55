"""studio.storyboard: rules over a whole text script: its front matter and title line,
and the marked-shots rule (where a script marks its shots, the prose around them is
premise or notes, not shots)."""

from __future__ import annotations

import re

from studio.storyboard.durations import PAREN
from studio.storyboard.labels import (
    FRONT_MATTER,
    LIST_ITEM,
    SCENE_HEADING,
    SHOT_HEADING,
    TIME_HEAD,
    camera_label,
)
from studio.storyboard.tables import is_table_line
from studio.storyboard.text import CJK, Beat


def drop_preamble(beats: list[Beat], real_scenes: set[int] = frozenset()) -> list[Beat]:  # type: ignore[assignment]
    """Where the script marks its shots (shot headings, time codes, table rows), the prose
    before the first marked shot is its premise, and prose between marked shots (notes,
    specifications, a paragraph about the whole piece) is no shot either: its source and any
    speech in it go with the marked shot before it (or, before the first, with the first).
    A scene under a real scene heading whose shots are all unmarked keeps them."""
    marked = [i for i, b in enumerate(beats) if b.marked]
    if len(marked) < 2:
        return beats
    first = marked[0]
    kept: list[Beat] = [beats[first]]
    marked_scenes = {b.scene for b in beats if b.marked}
    for beat in beats[first + 1:]:
        if beat.marked or (beat.scene in real_scenes and beat.scene not in marked_scenes):
            kept.append(beat)
            continue
        kept[-1].source += "\n" + beat.source
        kept[-1].dialogue.extend(beat.dialogue)
        if not beat.spoken and beat.text:  # a quote in prose that is no shot is still speech
            from studio.storyboard.analyse import inline_dialogue

            kept[-1].dialogue.extend(inline_dialogue(beat.text)[1])
    lead = beats[:first]
    if lead:
        head = kept[0]
        head.dialogue[:0] = [d for b in lead for d in b.dialogue]
        head.source = "\n".join([*(b.source for b in lead), head.source])
        premise = " ".join(b.text for b in lead if not b.spoken)
        for beat in kept:
            beat.premise = premise
    return kept


def unbracket(label: str) -> str:
    label = label.strip()
    return label[1:-1].strip() if len(label) > 2 and label[0] in "[【(（" and label[-1] in "]】)）" else label


def looks_like_name(label: str) -> bool:
    if CJK.search(label):
        return (1 <= len(label) <= 6 and not any(c in label for c in "的了在是和与着")
                and not label.endswith(("说", "道", "问", "喊", "叫", "笑", "答", "讲")))  # 她笑着说：“…” is a quote
    words = label.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and not camera_label(label)


def strip_heading_marker(heading: str) -> str:
    match = SCENE_HEADING.match(heading)
    return heading[match.end():].strip() if match else heading.strip()


def leading_title(lines: list[str]) -> int | None:
    """The index of a plain title line: the first line of the script, short, with no
    sentence end, quote or label, followed directly by a scene or shot heading or a list
    item ("山谷咖啡 · 早晨广告" above "镜头1：…"). Such a line names the film; it is no shot."""
    filled = [i for i, raw in enumerate(lines) if raw.strip()]
    if len(filled) < 2:
        return None
    first, after = lines[filled[0]].strip(), PAREN.sub(" ", lines[filled[1]])
    if (len(first) > 40 or re.search(r"[。！？；….!?;:：\"“”「」]", first) or first.startswith("#")
            or SCENE_HEADING.match(first) or SHOT_HEADING.match(first) or LIST_ITEM.match(first) or is_table_line(first)
            or TIME_HEAD.match(first)):
        return None
    if SCENE_HEADING.match(after) or SHOT_HEADING.match(after) or LIST_ITEM.match(lines[filled[1]]) or TIME_HEAD.match(after):
        return filled[0]
    return None


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """A leading `---` YAML block's simple keys, and how many characters it spans."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    meta = {}
    for line in match.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, match.end()
