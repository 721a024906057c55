"""studio.storyboard: the splitter's first half for text and Markdown, script -> beats. It
recognises scene headings (场景一, 第一幕, INT./EXT., Scene 2, Markdown), shot headings with
bracketed attributes (镜头1（远景，航拍，4秒）：, Shot 3 (close-up, 2s):, ### 镜头1), time-coded
shots (0-3秒：, [00:05-00:08], First 2 seconds:), lists, labelled lines (画面：, 【旁白】,
**VO**:, SFX:), speaker lines (NAME：line), screenplay cues, shot tables, sentence ends in
both languages and stated durations. Front matter, notes, checklists and image links are
no shots. Each beat keeps the verbatim source it came from, so the shots cover the script."""

from __future__ import annotations

import re

from studio.storyboard.durations import PAREN, cell_seconds, mark_seconds, take_duration
from studio.storyboard.labels import (
    BLOCKQUOTE,
    BOLD_LABEL,
    BRACKET_LABEL,
    CHECKLIST,
    CODE_FENCE,
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
from studio.storyboard.shape import (
    drop_preamble,
    leading_title,
    looks_like_name,
    strip_heading_marker,
    unbracket,
)
from studio.storyboard.shape import front_matter as front_matter
from studio.storyboard.tables import is_table_line, parse_table, speech_lines
from studio.storyboard.text import (
    CJK,
    Beat,
    has_words,
    normalise,
    split_sentences,
    unquote,
)

CUE = re.compile(r"^\s*([A-Z][A-Z0-9 .'\-]{0,30}?)\s*(\((?:V\.O\.|O\.S\.|O\.C\.|CONT'D|cont'd)\))?\s*$")
PARENTHETICAL = re.compile(r"^\s*[(（][^)）]*[)）]\s*$")
HEADING_BEAT = re.compile(r"[。！？!?，,；;]|\.\s|\.$")
DURATION_PAREN = PAREN
__all__ = ["CJK", "Beat", "front_matter", "has_words", "normalise", "split_beats", "split_sentences", "take_duration",
           "unquote"]


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
        self.real_scenes: set[int] = set()
        self.speech_block = ""  # after "Dialogue:" / "旁白：" on a line of its own: the lines below are speech  # scenes under a real scene heading (场景一, INT., Scene 2)

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
            self.speech_block = ""
            return
        if self.speech_block and not is_table_line(line) and not MD_HEADING.match(line):
            label = LABELLED.match(line)
            if label and label_kind(unbracket(label.group(1))) in ("voice", "subtitle", "dialogue", "audio"):
                pass  # a labelled speech line reads as its own label says
            else:
                lines, sound = speech_lines(clean_text(line), self.speech_block)
                self.spoken_lines(lines, sound, line)
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
            if (not re.match(r"^\s*(?:int|ext|i/e|内景|外景)", probe, re.I) and not SCENE_HEADING.match(rest)
                    and not re.match(r"^\s*(?:int|ext|i/e|内景|外景|内|外)[.。．\s]", rest, re.I)
                    and (HEADING_BEAT.search(rest) or len(rest) > 24)):
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
        label = unbracket(label)  # [Voiceover]: "…"
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
        if kind in ("note", "sound") or (bold and not kind and not looks_like_name(label)):
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
            self.speech_block = "" if has_words(rest) else column  # "Dialogue:" with its lines below it
            return True
        if looks_like_name(label):
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
                text = strip_heading_marker(self.heading) or self.title
                self.beats.append(Beat(text=text or self.heading, source=source, scene=max(1, self.scene), heading=self.heading))
            elif self.beats:
                self.beats[-1].source += "\n" + source
            elif has_words(source):  # only markers, notes and numbers: the text itself is the shot
                self.beats.append(Beat(text=clean_text(source.strip()) or source.strip(), source=source,
                                       scene=max(1, self.scene)))
        return drop_preamble(self.beats, self.real_scenes)


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
    title_at = leading_title(lines) if not splitter.title else None
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
