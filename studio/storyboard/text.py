"""studio.storyboard: the Beat (one shot's worth of a script, before analysis) and the text
helpers every reader shares: newline and control-character normalising, quotes, whether
text has words, and sentence ends in Chinese and English."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
OPEN_Q, CLOSE_Q = "“「『《", "”」』》"
TERMINATORS = "。！？!?；;…"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr", "prof", "inc", "ltd", "a.m", "p.m"}

@dataclass
class Beat:
    """A piece of the script that becomes one shot."""

    text: str
    source: str
    scene: int = 1
    block: int = 0  # paragraphs and scenes: setting and time carry over only inside one
    heading: str = ""
    speaker: str = ""
    spoken: bool = False  # the whole text is dialogue or voice-over
    duration: float | None = None  # explicit duration in seconds
    camera_hint: str = ""
    row_setting: str = ""  # a shot table's place column
    dialogue: list[dict[str, str]] = field(default_factory=list)  # attached speaker / voice-over lines
    sound: list[str] = field(default_factory=list)  # music and sound notes
    marked: bool = False  # the script marked it as a shot (shot heading, time code, table row, 画面：)
    source_format: str = ""
    marked_block: bool = False  # opened by a shot heading or time code: the lines below belong to it
    heading_rest: bool = False  # the words after a scene heading: its title, if labelled shots follow
    labelled_visual: bool = False  # a 画面/Visual label already filled this block
    premise: str = ""  # the prose before the script's first marked shot: the whole piece's place and look


_CONTROL_TO_SPACE = {c: " " for c in range(0xA0)
                     if unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\n\t"}


def normalise(script: str) -> str:
    """Newlines unified; control characters (other than newline and tab) become spaces."""
    text = script.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return text.translate(_CONTROL_TO_SPACE)


def unquote(text: str) -> str:
    """Dialogue text without the quotes around it."""
    return text.strip().strip("“”「」『』\"'‘’").strip()


def has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


def split_sentences(text: str) -> list[str]:
    """Sentences in both languages; a terminator inside “quotes” does not end a sentence."""
    out: list[str] = []
    depth, straight, start, i, n = 0, False, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in OPEN_Q:
            depth += 1
        elif c in CLOSE_Q:
            depth = max(0, depth - 1)
        elif c == '"':
            straight = not straight
        elif depth == 0 and not straight and (c in TERMINATORS or (c == "." and _english_stop(text, i))):
            j = i + 1
            while j < n and (text[j] in TERMINATORS or text[j] in ".)）]】" or text[j] in CLOSE_Q or text[j] == '"'):
                j += 1
            out.append(text[start:j])
            start = i = j
            continue
        elif c == "\n" and depth == 0 and not straight:
            out.append(text[start:i])
            start = i + 1
        i += 1
    out.append(text[start:])
    return [s for s in out if s.strip()]


def _english_stop(text: str, i: int) -> bool:
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if not (nxt.isspace() or nxt in '"”)'):
        return False
    word = re.search(r"([A-Za-z.]+)$", text[max(0, i - 6): i])
    return not (word and word.group(1).lower().rstrip(".") in ABBREVIATIONS)
