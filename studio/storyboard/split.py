"""studio.storyboard: the splitter's first half for text and Markdown, script -> beats. It
recognises scene headings (场景一, 第一幕, INT./EXT., Scene 2, Markdown), shot headings with
bracketed attributes (镜头1（远景，航拍，4秒）：, Shot 3 (close-up, 2s):, ### 镜头1), time-coded
shots (0-3秒：, [00:05-00:08], First 2 seconds:), lists, labelled lines (画面：, 【旁白】,
**VO**:, SFX:), speaker lines (NAME：line), screenplay cues, shot tables, sentence ends in
both languages and stated durations. Front matter, notes, checklists and image links are
no shots. Each beat keeps the verbatim source it came from, so the shots cover the script."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from studio.storyboard.durations import PAREN, cell_seconds, mark_seconds, take_duration
from studio.storyboard.labels import (
    BLOCKQUOTE,
    BOLD_LABEL,
    BRACKET_LABEL,
    CHECKLIST,
    CODE_FENCE,
    FRONT_MATTER,
    IMAGE_LINK,
    INLINE_MARK,
    LABELLED,
    LIST_ITEM,
    MD_HEADING,
    NOTE_HEADINGS,
    SCENE_HEADING,
    SHOT_HEADING,
    TIME_HEAD,
    camera_label,
    clean_text,
    label_kind,
)
from studio.storyboard.tables import is_table_line, parse_table, speech_lines

CUE = re.compile(r"^\s*([A-Z][A-Z0-9 .'\-]{0,30}?)\s*(\((?:V\.O\.|O\.S\.|O\.C\.|CONT'D|cont'd)\))?\s*$")
PARENTHETICAL = re.compile(r"^\s*[(（][^)）]*[)）]\s*$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
OPEN_Q, CLOSE_Q = "“「『《", "”」』》"
TERMINATORS = "。！？!?；;…"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr", "prof", "inc", "ltd", "a.m", "p.m"}
HEADING_BEAT = re.compile(r"[。！？!?，,；;]|\.\s|\.$")
DURATION_PAREN = PAREN


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



class _Splitter:
    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.scene = 0
        self.heading = ""
        self.scene_durations: dict[int, float] = {}
        self.scene_beats = 0
        self.pending: list[str] = []  # source text waiting for the next beat
        self.para: list[str] = []  # lines of the open paragraph
        self.item: Beat | None = None  # an open list item / shot heading / labelled visual
        self.cue: str = ""  # open screenplay speaker
        self.title = ""
        self.block = 0
        self.table: list[str] = []
        self.notes = False  # inside a notes section (## Production notes) or a note label's body
        self.note_section = False
        self.fenced = False  # inside a ``` code block: never shots
        self.real_scenes: set[int] = set()  # scenes under a real scene heading (场景一, INT., Scene 2)

    # -- beats --------------------------------------------------------------------------
    def emit(self, text: str, source: str, force: bool = False, **kw: object) -> Beat | None:
        """A beat of `text` (None when it has no words, unless `force`: a shot of speech only)."""
        text = clean_text(text)
        if not has_words(text) and not force:
            self.attach_source(source)
            return None
        if self.scene == 0:
            self.scene = 1
        src = "\n".join([*self.pending, source]) if self.pending else source
        self.pending = []
        text, seconds = take_duration(text.strip())
        beat = Beat(text=text, source=src, scene=self.scene, block=self.block, heading=self.heading, duration=seconds, **kw)  # type: ignore[arg-type]
        self.beats.append(beat)
        self.scene_beats += 1
        return beat

    def attach_source(self, source: str) -> None:
        if self.item is not None:
            self.item.source += "\n" + source
        elif self.beats and not self.pending and self.scene_beats:
            self.beats[-1].source += "\n" + source
        else:
            self.pending.append(source)

    def flush(self) -> None:
        self.flush_para()
        self.flush_item()

    def flush_para(self) -> None:
        if self.para:
            lines, self.para = self.para, []
            joined = ""
            for line in lines:
                sep = "\n" if (CJK.search(line) and joined and joined[-1] not in "，,、：:") else " "
                joined = f"{joined}{sep}{line.strip()}" if joined else line.strip()
            for sentence in split_sentences(joined):
                self.emit(sentence.strip(), sentence.strip())

    def flush_item(self) -> None:
        if self.item is not None:
            item, self.item = self.item, None
            self.block += 1
            if not has_words(clean_text(item.text)) and (item.dialogue or (item.marked and item.duration is not None)):
                beat = self.emit("", item.source, force=True, camera_hint=item.camera_hint, marked=item.marked,
                                 row_setting=item.row_setting, sound=item.sound, spoken=True)  # speech only
            else:
                beat = self.emit(item.text, item.source, camera_hint=item.camera_hint, marked=item.marked,
                                 row_setting=item.row_setting, sound=item.sound)
            if beat is not None:
                beat.dialogue = item.dialogue
                beat.duration = beat.duration if beat.duration is not None else item.duration
        self.cue = ""

    def open_item(self, text: str, source: str, duration: float | None = None, camera: str = "") -> None:
        self.flush()
        self.item = Beat(text=text, source=source, duration=duration, camera_hint=camera, marked=True, marked_block=True)

    # -- lines --------------------------------------------------------------------------
    def line(self, raw: str) -> None:
        if CODE_FENCE.match(raw) or self.fenced:
            self.fenced = self.fenced != bool(CODE_FENCE.match(raw))
            self.flush() if self.para else None
            return self.attach_source(raw)
        quote = BLOCKQUOTE.match(raw)
        if quote and raw[quote.end():].strip():  # "> 镜头1：…": the marker stays in the source, not in the text
            self.flush_para()
            self.attach_source(quote.group(0).strip())
            raw = raw[quote.end():]
        line = raw.strip()
        if is_table_line(line):
            if not self.table:
                self.flush()
            self.table.append(line)
            return
        if self.table:
            self.flush_table()
        if not line:
            self.flush()
            self.block += 1
            self.notes = self.note_section
            return
        md = MD_HEADING.match(line)
        if md and md.group(1) and line.startswith("#"):
            return self.markdown_heading(len(md.group(1)), md.group(2), line)
        if self.notes or CHECKLIST.match(line) or not has_words(IMAGE_LINK.sub("", line)):
            self.flush() if self.para else None
            return self.attach_source(line)  # notes, checklists, image links: never shots
        probe = PAREN.sub(" ", line)
        scene = SCENE_HEADING.match(probe)
        if scene and not SHOT_HEADING.match(probe) and not LIST_ITEM.match(line):
            rest = probe[scene.end():]
            if not re.match(r"^\s*(?:int|ext|i/e|内景|外景)", probe, re.I) and (HEADING_BEAT.search(rest) or len(rest) > 24):
                self.new_scene(probe[: scene.end()].strip(), line)
                self.item = Beat(text=rest, source="", heading_rest=True)
                self.item.duration = take_duration(line)[1]
                return None
            return self.new_scene(line, line)
        shot = SHOT_HEADING.match(line)
        if shot:
            return self.shot_heading(shot, line)
        timed = TIME_HEAD.match(line)
        if timed:
            rest = line[timed.end():]
            inner = SHOT_HEADING.match(rest)  # [00:00-00:05] 镜头 1：…
            return self.open_item(rest[inner.end():] if inner else rest, line, mark_seconds(timed.group(0)))
        bold = BOLD_LABEL.match(line)
        if bold and self.labelled(bold.group(1).strip(), bold.group(2), line, bold=True):
            return
        listed = LIST_ITEM.match(line)
        if listed:
            rest = line[listed.end():]
            label = BOLD_LABEL.match(rest) or BRACKET_LABEL.match(rest) or LABELLED.match(rest)
            if label and label_kind(label.group(1).strip()) and self.labelled(label.group(1).strip(), label.group(2), line):
                return
            self.flush()
            self.item = Beat(text=rest, source=line)
            return
        if self.cue:
            if PARENTHETICAL.match(line):
                self.attach_source(line)
            else:
                self.spoken(self.cue, line, line)
            return
        labelled = BRACKET_LABEL.match(line) or LABELLED.match(line)  # 【旁白】… or 旁白：…
        if labelled and self.labelled(labelled.group(1).strip(), labelled.group(2), line):
            return
        cue = CUE.match(line)
        if cue and not CJK.search(line) and len(line.split()) <= 4 and any(c.isalpha() for c in line):
            self.flush()
            self.cue = cue.group(1).strip().title()
            self.attach_source(line)
            return
        if self.item is not None and self.item.text.rstrip()[-1:] in "。！？!?" and CJK.search(line) \
                and not self.item.marked_block:
            self.flush()  # a labelled line that ended its sentence: the next line is a new beat
        if self.item is not None:
            self.item.text += ("" if CJK.search(line) else " ") + line
            self.item.source += "\n" + line
            return
        self.para.append(line)

    def markdown_heading(self, level: int, text: str, line: str) -> None:
        self.note_section = self.notes = False
        plain = clean_text(text)
        if level == 1 and not self.beats and not self.title and not self.heading and not self.item:
            self.flush()
            self.title = plain
            self.pending.append(line)
            return
        if NOTE_HEADINGS.match(plain):
            self.flush()
            self.note_section = self.notes = True
            return self.attach_source(line)
        shot = SHOT_HEADING.match(plain)
        if shot:
            return self.shot_heading(shot, plain, source=line)
        timed = TIME_HEAD.match(plain)
        if timed:
            return self.open_item(plain[timed.end():], line, mark_seconds(timed.group(0)))
        self.new_scene(plain, line)

    def shot_heading(self, shot: re.Match[str], line: str, source: str | None = None) -> None:
        """镜头1（远景，航拍，4秒）：… / Shot 3 (close-up, 2s): … / Shot 2 - WIDE - 3s: …"""
        rest = line[shot.end():]
        seconds, camera = None, []
        attrs = shot.group("attrs") or ""
        dashed = re.match(r"^([^：:。.!?]{1,40}?)\s*[：:]\s*", rest) if not attrs and re.search(r"\s[-–—|]\s", rest[:40]) else None
        if dashed:  # WIDE - 3s: text
            attrs, rest = dashed.group(1), rest[dashed.end():]
        for part in re.split(r"\s*[，,、/;；|]\s*|\s+[-–—]\s+", attrs.strip("（()）[]【】 ")):
            value = cell_seconds(part) or take_duration(part)[1]
            if value is not None and seconds is None:
                seconds = value
            elif part.strip():
                camera.append(part.strip())
        self.open_item(rest, source if source is not None else line, seconds if seconds is not None else
                       take_duration(line)[1], " ".join(camera))

    def labelled(self, label: str, rest: str, line: str, bold: bool = False) -> bool:
        kind = label_kind(label)
        item = self.item
        if kind == "setting" or (kind == "duration" and cell_seconds(rest) is None and take_duration(rest)[1] is None):
            if item is not None:
                item.row_setting = f"{item.row_setting} {clean_text(rest)}".strip()
                item.source += "\n" + line
                return True
            self.flush()  # 地点：咖啡馆 / 时间：清晨 describe the scene, like its heading
            self.heading = f"{self.heading} {clean_text(rest)}".strip()
            self.attach_source(line) if self.scene_beats else self.pending.append(line)
            return True
        if kind == "duration":
            target = item or (self.beats[-1] if self.beats and self.scene_beats else None)
            if target is None:
                return False
            target.duration = cell_seconds(rest) or take_duration(rest)[1]
            self.attach_source(line)
            return True
        if kind == "action" and (item is not None or (self.beats and self.scene_beats and self.beats[-1].marked)):
            target = item or self.beats[-1]  # 【动作】 / Action: more of the shot above
            sep = "" if CJK.search(rest) else " "
            target.text = f"{target.text.rstrip()}{sep}{rest.strip()}" if has_words(target.text) else rest
            target.source += "\n" + line
            return True
        if kind == "action":
            kind = "visual"
        if kind == "visual" and item is not None and item.heading_rest:
            self.heading = f"{self.heading} {clean_text(item.text)}".strip()  # 第一幕：静止与爆发 above 视觉：…
            self.item = None
            self.pending.append(item.source) if item.source else None
            item = None
        if kind == "visual" and item is not None and item.marked_block and has_words(clean_text(item.text)) \
                and not item.labelled_visual:
            item.text = f"{item.text.rstrip()}{'' if CJK.search(rest) else ' '}{rest.strip()}"
            item.source += "\n" + line
            item.labelled_visual = True
            return True
        if kind == "visual" or (not kind and camera_label(label) and not bold):
            if item is not None and not has_words(clean_text(item.text)):
                item.text, item.labelled_visual = rest, True
                item.camera_hint += "" if kind == "visual" else " " + label
                item.source += "\n" + line
                return True
            self.flush()
            self.item = Beat(text=rest, source=line, camera_hint=label if kind != "visual" else "", marked=True)
            return True
        if kind in ("camera", "note", "sound") and self.para:
            self.flush()  # the open paragraph comes first, so the sources stay in order
        if kind == "camera":
            target = item or (self.beats[-1] if self.beats and self.scene_beats else None)
            if target is None:
                return False
            target.camera_hint += " " + rest
            self.attach_source(line)
            return True
        if kind in ("note", "sound") or (bold and not kind and not _looks_like_name(label)):
            if kind == "sound":
                target = item or (self.beats[-1] if self.beats and self.scene_beats else None)
                if target is not None:
                    target.sound.append(clean_text(rest))
            self.notes = self.notes or not has_words(rest)  # 人物： with its list on the next lines
            self.attach_source(line)
            return True
        if kind in ("voice", "subtitle", "dialogue", "audio"):
            column = {"voice": "voiceover", "subtitle": "subtitle", "dialogue": "dialogue", "audio": "audio"}[kind]
            lines, sound = speech_lines(clean_text(rest), column)
            self.spoken_lines(lines, sound, line)
            return True
        if _looks_like_name(label):
            self.spoken(label, rest, line)
            return True
        return False

    def spoken(self, speaker: str, text: str, line: str, kind: str = "dialogue") -> None:
        """A dialogue or voice-over line: the subtitle of the shot before it, or a shot of its own."""
        said = unquote(clean_text(text))
        self.spoken_lines([{"speaker": speaker, "text": said, "kind": kind}] if has_words(said) else [], [], line)

    def spoken_lines(self, lines: list[dict[str, str]], sound: list[str], line: str) -> None:
        if self.item is not None:
            self.item.dialogue.extend(lines)
            self.item.sound.extend(sound)
            self.item.source += "\n" + line
            return
        cue = self.cue
        self.flush()
        self.cue = cue
        last = self.beats[-1] if self.beats and self.scene_beats else None
        if last is not None and not self.pending and (
                not lines or (not last.spoken and all(not d["speaker"] for d in lines))):
            last.dialogue.extend(lines)
            last.sound.extend(sound)
            last.source += "\n" + line
            return
        if not lines:
            self.attach_source(line)
            return
        speaker = lines[0]["speaker"]
        beat = self.emit(" ".join(d["text"] for d in lines), line, speaker=speaker, spoken=True, sound=sound)
        if beat is not None:
            beat.text = ""
            beat.dialogue.extend(lines)

    def new_scene(self, heading: str, line: str) -> None:
        self.flush()
        self.block += 1
        heading, seconds = take_duration(clean_text(heading))
        if self.scene_beats == 0 and self.scene > 0:
            self.heading = f"{self.heading} {heading}".strip()  # two headings in a row: one scene
        else:
            self.scene += 1
            self.heading = heading
        if seconds is not None:
            self.scene_durations[self.scene] = seconds
        if SCENE_HEADING.match(heading) or SCENE_HEADING.match(line.lstrip("#> ")):
            self.real_scenes.add(self.scene)
        self.scene_beats = 0
        self.pending.append(line)

    def flush_table(self) -> None:
        from studio.storyboard.shotlist import row_beat
        from studio.storyboard.tables import is_section_row

        lines, self.table = self.table, []
        parsed = parse_table(lines)
        if parsed is None:  # not a shot table: its lines are ordinary text
            for line in lines:
                self.para.append(line)
            self.flush()
            return
        header, rows, _ = parsed
        self.pending.extend(header)
        for row in rows:
            self.block += 1
            filled = sum(1 for c in row.source.strip().strip("|").split("|") if c.strip())
            if is_section_row(row, filled):
                self.attach_source(row.source)
                continue
            beat = row_beat(row, max(1, self.scene), self.heading, self.block)
            if beat is None:
                self.attach_source(row.source)
                continue
            if self.scene == 0:
                self.scene = 1
            beat.marked = True
            if self.pending:
                beat.source = "\n".join([*self.pending, beat.source])
                self.pending = []
            self.beats.append(beat)
            self.scene_beats += 1

    def finish(self) -> list[Beat]:
        if self.table:
            self.flush_table()
        self.flush()
        if self.pending:
            source = "\n".join(self.pending)
            self.pending = []
            if self.beats and not self.heading.strip() or (self.beats and not has_words(self.heading)):
                self.beats[-1].source += "\n" + source
            elif has_words(self.heading) or has_words(self.title):
                text = _strip_heading_marker(self.heading) or self.title
                self.beats.append(Beat(text=text or self.heading, source=source, scene=max(1, self.scene), heading=self.heading))
            elif self.beats:
                self.beats[-1].source += "\n" + source
            elif has_words(source):  # only markers, notes and numbers: the text itself is the shot
                self.beats.append(Beat(text=clean_text(source.strip()) or source.strip(), source=source,
                                       scene=max(1, self.scene)))
        return _drop_preamble(self.beats, self.real_scenes)


def _drop_preamble(beats: list[Beat], real_scenes: set[int] = frozenset()) -> list[Beat]:  # type: ignore[assignment]
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
    lead = beats[:first]
    if lead:
        head = kept[0]
        head.dialogue[:0] = [d for b in lead for d in b.dialogue]
        head.source = "\n".join([*(b.source for b in lead), head.source])
        premise = " ".join(b.text for b in lead if not b.spoken)
        for beat in kept:
            beat.premise = premise
    return kept


def _looks_like_name(label: str) -> bool:
    if CJK.search(label):
        return (1 <= len(label) <= 6 and not any(c in label for c in "的了在是和与着")
                and not label.endswith(("说", "道", "问", "喊", "叫", "笑", "答", "讲")))  # 她笑着说：“…” is a quote
    words = label.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and not camera_label(label)


def _strip_heading_marker(heading: str) -> str:
    match = SCENE_HEADING.match(heading)
    return heading[match.end():].strip() if match else heading.strip()


def _leading_title(lines: list[str]) -> int | None:
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


def split_beats(script: str) -> tuple[list[Beat], str]:
    """The beats of `script` and its title (front matter's title, a leading Markdown
    `# heading`, or a plain first line standing above the script's first heading; else "")."""
    splitter = _Splitter()
    text = normalise(script)
    meta, skip = front_matter(text)
    if skip:
        splitter.pending.append(text[:skip])
        splitter.title = meta.get("title", "")
        text = text[skip:]
    lines = []
    for raw in text.split("\n"):  # "…。3-6秒：…" : a time-coded shot inside a paragraph starts on its own line
        lines.extend(INLINE_MARK.split(raw) if len(raw) > 8 and not is_table_line(raw) else [raw])
    title_at = _leading_title(lines) if not splitter.title else None
    for i, raw in enumerate(lines):
        if i == title_at:
            splitter.title = raw.strip()
            splitter.pending.append(raw.strip())  # its source goes with the first shot
            continue
        splitter.line(raw)
    beats = splitter.finish()
    # a scene heading's explicit duration is shared by its beats that have none of their own
    by_scene: dict[int, list[Beat]] = {}
    for beat in beats:
        by_scene.setdefault(beat.scene, []).append(beat)
    for scene, scene_beats in by_scene.items():
        seconds = splitter.scene_durations.get(scene)
        free = [b for b in scene_beats if b.duration is None]
        if seconds and free and len(free) == len(scene_beats):
            for b in free:
                b.duration = seconds / len(free)
    return beats, splitter.title
