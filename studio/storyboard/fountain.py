"""studio.storyboard: a Fountain reader (https://fountain.io/syntax), English and Chinese.

Our own, because no parser on PyPI reads what our users write: screenplain (MIT, kept up)
finds a character cue by upper case, so Chinese cues (李明) and headings (内景. 公寓 - 日)
come out as action, and it keeps no line positions; jouvence (last release 2020) and
fountain (2016) have the same case rule. This reader covers the whole syntax: title page,
scene headings (INT/EXT/EST/I/E, forced `.`, scene numbers `#1#`, 内景/外景/内/外), character
cues with stacked extensions ((V.O.) (CONT'D) (ON PHONE)), forced `@` cues, dual dialogue
`^`, parentheticals, transitions (`CUT TO:`, forced `>`, 切至：), centered text `> <`,
sections `#`, synopses `=`, notes `[[ ]]`, boneyard `/* */`, page breaks `===`, lyrics
`~`, forced action `!` and emphasis (`*`, `**`, `_`). It gives screenplay elements with
their source lines; studio.storyboard.screenplay turns elements into beats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}|[\u3400-\u9fff]{1,6})\s*[:：]\s*(.*)$")
# a heading may carry a scene number in front: 【场景 01】外景. …, 场景 1 — 内景. …, 12. INT. …, 1-1 内景. …
SCENE_PREFIX = r"(?:【[^】]{0,12}】\s*|\[[^\]]{0,12}\]\s*|场景\s*\d+\s*[—\-–:：|｜]?\s*|\d+(?:-\d+)?[.、)]?\s+)?"
HEADING = re.compile(rf"^{SCENE_PREFIX}(?:int|ext|est|int\.?/ext|ext\.?/int|i/e|e/i)[.\s。．]", re.I)
HEADING_ZH = re.compile(rf"^{SCENE_PREFIX}(?:内外景|外内景|内景|外景|内/外|外/内|内|外)(?:[.。．:：、\s]|$)")
SCENE_NUMBER = re.compile(r"\s*#[\w.\-]+#\s*$")
EXTENSION = re.compile(r"\s*[(（][^)）]*[)）]")
CUE_EN = re.compile(r"^[^a-z\u3400-\u9fff]*[A-Z][^a-z\u3400-\u9fff]*$")
CUE_ZH = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af·・ A-Za-z0-9]{1,12}(?:\s*[(（][^)）]{1,20}[)）])*$")
TRANSITION_ZH = re.compile(r"^(?:切至|切到|切换至|淡入|淡出|叠化|溶入|溶出|转场|黑场|闪回|闪回结束|フェードイン|フェードアウト|"
                           r"カットイン|カットアウト|暗転|溶暗)(?:[：:。.\s].*)?$")
PARENTHETICAL = re.compile(r"^\s*[(（].*[)）]\s*$")
CAMERA_CUE = re.compile(r"\b(?:CLOSE|ANGLE|WIDE|INSERT|POV|BACK TO|CUT|FADE|DISSOLVE|SMASH|MATCH|SUPER|TITLE|"
                        r"INTERCUT|MONTAGE|SERIES OF SHOTS|END|CONTINUED|MORE|ESTABLISHING|AERIAL|TRACKING|"
                        r"FLASHBACK|LATER|MOMENTS LATER|THE END)\b")
EMPHASIS = re.compile(r"(?<!\\)(\*{1,3}|_)(?=\S)(.+?)(?<=\S)(?<!\\)\1")
SPEECH_EXTENSIONS = {"V.O.": "voiceover", "VO": "voiceover", "O.S.": "offscreen", "O.C.": "offscreen",
                     "旁白": "voiceover", "画外音": "voiceover", "画外": "offscreen"}


@dataclass
class Element:
    """One screenplay element: kind is heading, action, dialogue, transition, section,
    synopsis, centered, page_break, note; a dialogue carries its cue and lines."""

    kind: str
    text: str
    source: str
    speaker: str = ""
    extension: str = ""  # "(V.O.)", "(CONT'D)" as written
    lines: list[tuple[str, str]] = field(default_factory=list)  # dialogue: ("line" | "paren", text)
    dual: bool = False  # the right half of dual dialogue: spoken at the same time as the one before


def clean_emphasis(text: str) -> str:
    for _ in range(3):  # nested: _*underline and italic*_
        text = EMPHASIS.sub(lambda m: m.group(2), text)
    return text.replace("\\*", "*").replace("\\_", "_")


def strip_notes_and_boneyard(text: str) -> str:
    """Boneyard /* */ and notes [[ ]] removed (they may span lines)."""
    text = re.sub(r"/\*.*?(?:\*/|$)", "", text, flags=re.S)
    return re.sub(r"\[\[.*?(?:\]\]|$)", "", text, flags=re.S)


def parse_title_page(lines: list[str]) -> tuple[dict[str, str], int]:
    """The title page's keys and values, and the index of the first line after it."""
    if not lines or not TITLE_KEY.match(lines[0]) or HEADING.match(lines[0]):
        return {}, 0
    meta: dict[str, str] = {}
    key = ""
    i = 0
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        match = TITLE_KEY.match(line)
        if match and not line.startswith((" ", "\t")):
            key = match.group(1).strip().lower()
            meta[key] = clean_emphasis(match.group(2).strip())
        elif key and line.startswith((" ", "\t")):
            meta[key] = (meta[key] + "\n" + clean_emphasis(line.strip())).strip()
        else:
            return {}, 0  # not a title page after all
        i += 1
    return meta, i


def is_heading(line: str) -> bool:
    s = line.strip()
    if s.startswith(".") and not s.startswith("..") and len(s) > 1 and s[1].isalnum():
        return True  # a forced heading (.FLASHBACK, .回忆)
    return bool(HEADING.match(s) or HEADING_ZH.match(s))


def heading_text(line: str) -> str:
    s = SCENE_NUMBER.sub("", line.strip())
    return s[1:].strip() if s.startswith(".") else s


def _cue(line: str, next_line: str) -> bool:
    s = line.strip()
    if not next_line.strip() or not s:
        return False
    if s.startswith("@"):
        return True
    if s.startswith(("!", ">", "#", "=", "~", ".", "[", "(")) or s.endswith((":", "：")) or is_heading(s):
        return False
    body = EXTENSION.sub("", s.rstrip("^").strip()).strip()
    if not body:
        return False
    if CUE_EN.match(body) and any(c.isalpha() for c in body) and len(body) <= 200 and not CAMERA_CUE.search(body):
        return True
    return bool(CUE_ZH.match(s.rstrip("^").strip())) and bool(re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", body)) \
        and not TRANSITION_ZH.match(s)


def _transition(line: str, prev_blank: bool, next_blank: bool) -> bool:
    s = line.strip()
    if s.startswith(">") and not s.endswith("<"):
        return True
    if prev_blank and next_blank and s.isupper() and s.endswith("TO:"):
        return True
    return prev_blank and bool(TRANSITION_ZH.match(s)) and len(s) <= 12


def parse(text: str) -> tuple[dict[str, str], list[Element]]:
    """(title page, elements) of a Fountain script."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    meta, start = parse_title_page(raw)
    front = "\n".join(raw[:start])
    body = strip_notes_and_boneyard("\n".join(raw[start:]))
    lines = body.split("\n")
    elements: list[Element] = []
    if front.strip():
        elements.append(Element("title_page", "", front))
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        s = line.strip()
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_line = lines[i + 1] if i + 1 < n else ""
        if not s:
            i += 1
            continue
        if s.startswith("==="):
            elements.append(Element("page_break", "", line))
        elif s.startswith("#"):
            elements.append(Element("section", s.lstrip("#").strip(), line))
        elif s.startswith("=") and not s.startswith("=="):
            elements.append(Element("synopsis", s[1:].strip(), line))
        elif s.startswith(">") and s.endswith("<"):
            elements.append(Element("centered", clean_emphasis(s[1:-1].strip()), line))
        elif prev_blank and is_heading(s):
            elements.append(Element("heading", clean_emphasis(heading_text(s)), line))
        elif _transition(s, prev_blank, not next_line.strip()):
            elements.append(Element("transition", s.lstrip(">").strip(), line))
        elif prev_blank and _cue(s, next_line):
            j = i + 1
            block = [line]
            spoken: list[tuple[str, str]] = []
            while j < n and (lines[j].strip() or lines[j] == "  "):
                block.append(lines[j])
                part = lines[j].strip()
                kind = "paren" if PARENTHETICAL.match(part) else "line"
                if kind == "line" and spoken and spoken[-1][0] == "line":
                    spoken[-1] = ("line", spoken[-1][1] + ("" if re.search(r"[\u3400-\u9fff]$", spoken[-1][1]) else " ")
                                  + clean_emphasis(part))
                elif part:
                    spoken.append((kind, clean_emphasis(part)))
                j += 1
            cue = s[1:] if s.startswith("@") else s
            dual = cue.rstrip().endswith("^")
            cue = cue.rstrip().rstrip("^").strip()
            exts = "".join(EXTENSION.findall(cue)).strip()
            name = EXTENSION.sub("", cue).strip()
            elements.append(Element("dialogue", "", "\n".join(block), speaker=name, extension=exts,
                                    lines=spoken, dual=dual))
            i = j
            continue
        else:
            j = i
            block = []
            while j < n and lines[j].strip():
                nxt = lines[j].strip()
                if j > i and nxt.startswith(("#", "===")):
                    break
                block.append(lines[j])
                j += 1
            text_lines = [_action_line(b) for b in block]
            text_lines = [t for t in text_lines if t]
            kind = "lyrics" if s.startswith("~") else "action"
            joined = ""
            for t in text_lines:  # one paragraph: Chinese lines run on, English ones with a space
                joined += ("" if not joined or re.search(r"[\u3040-\u30ff\u3400-\u9fff。！？，；：”」]$", joined) else " ") + t
            elements.append(Element(kind, clean_emphasis(joined), "\n".join(block)))
            i = j
            continue
        i += 1
    return meta, elements


ACTION_LABEL = re.compile(r"^【\s*(动作|画面|表演|视觉)\s*】\s*[：:]?\s*")
NOTE_LINE = re.compile(r"^(?:\[[^\]]*\]|【[^】]*】[：:]?)$")


def _action_line(line: str) -> str:
    """An action line as the picture reads it: forced-action `!` and lyric `~` marks, a 【动作】 label
    and a line that is only a [bracketed note] or 【音效】 label are left out (they stay in the source)."""
    s = line.strip()
    if s.startswith(("!", "~")):
        s = s[1:]
    s = ACTION_LABEL.sub("", s)
    if NOTE_LINE.match(s) or re.match(r"^【[^】]*】", s) and not ACTION_LABEL.match(line.strip()):
        return "" if NOTE_LINE.match(s) or re.match(r"^【\s*(?:音效|音乐|声音|字幕|备注|转场)", s) else s
    return s


def speech_kind(extension: str) -> str:
    """dialogue, voiceover or offscreen, from a cue's extensions."""
    for ext in re.findall(r"[(（]([^)）]*)[)）]", extension):
        kind = SPEECH_EXTENSIONS.get(ext.strip().upper().replace(" ", ""), SPEECH_EXTENSIONS.get(ext.strip()))
        if kind:
            return kind
    return "dialogue"


def looks_like_fountain(text: str) -> bool:
    """Enough screenplay structure to read the text as Fountain: a title page with a Title
    key, or a scene heading and at least two character cues followed by dialogue."""
    head = text.lstrip("\ufeff")[:4000]
    if re.match(r"^\s*title\s*:", head, re.I) and re.search(r"^\s*(?:author|credit|draft date|written by|contact)\s*:",
                                                             head, re.I | re.M):
        return True
    lines = text.replace("\r\n", "\n").split("\n")
    headings = cues = 0
    for i, line in enumerate(lines[:3000]):
        prev_blank = i == 0 or not lines[i - 1].strip()
        if not prev_blank:
            continue
        if is_heading(line.strip()) and not line.strip().startswith("."):
            headings += 1
        elif i + 1 < len(lines) and _cue(line, lines[i + 1]) and not lines[i + 1].strip().startswith(("-", "*", "|")):
            cues += 1
    return headings >= 1 and cues >= 2
