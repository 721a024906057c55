"""studio.storyboard: the splitter's first half, script text -> beats. It recognises scene
headings (场景一, 第一幕, INT./EXT., Scene 2, Markdown), shot headings and lists (镜头1,
Shot 3, 1., -), labelled lines (画面：, 旁白：, VO:), speaker lines (NAME：line), screenplay
character cues, sentence ends in both languages, and explicit durations ("(3s)", "3秒").
Each beat keeps the verbatim source it came from, so the shots cover the whole script."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from studio.storyboard.tables import cell_seconds, is_table_line, parse_table

CN_NUM = "一二三四五六七八九十百零〇两\\d"
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
SCENE_HEADING = re.compile(
    rf"^\s*[【\[]?\s*(?:(?:场景|场次)\s*[{CN_NUM}]*|第[{CN_NUM}]+[幕场集章节部分]"
    r"|(?:scene|act|sequence)\s+(?:\d+|[ivx]+|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|(?:int|ext|int\./ext|i/e)\.)\s*[】\]]?\s*(?:[：:、.\-—–]\s*|\s+|$|(?<=[】\]]))", re.IGNORECASE)
SHOT_HEADING = re.compile(rf"^\s*[【\[]?\s*(?:镜头|分镜|画面|shot|frame|beat)\s*[{CN_NUM}]+\s*[】\]]?\s*"
                          rf"(?:[：:、.\-—–)]\s*|\s+|$|(?<=[】\]]))", re.IGNORECASE)
BRACKET_LABEL = re.compile(r"^\s*【([^】]{1,12})】\s*(.*)$")
LIST_ITEM = re.compile(r"^\s*(?:[-*•·+]\s+|\d{1,3}[.、)）](?!\d)\s*|[(（]\d{1,3}[)）]\s*|[①-⑳]\s*)")
DURATION_WORD = r"(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|secs?|seconds?)"
DURATION_PAREN = re.compile(rf"[（(\[【]\s*(?:约|about|~)?\s*{DURATION_WORD}\s*[)）\]】]", re.IGNORECASE)
DURATION_EDGE = re.compile(rf"(?:^\s*{DURATION_WORD}\s*[：:，,、]\s*|[，,、\s]\s*{DURATION_WORD}\s*[。.]?\s*$)", re.IGNORECASE)
VISUAL_LABELS = ("画面", "镜头画面", "视觉", "场景描述", "visual", "visuals", "video", "picture", "action")
VOICE_LABELS = ("旁白", "配音", "画外音", "字幕", "文案", "口播", "解说", "vo", "v.o.", "voiceover", "voice-over",
                "voice over", "narrator", "narration", "audio", "subtitle", "super", "caption", "slogan", "标语")
NOTE_LABELS = ("音乐", "音效", "背景音乐", "bgm", "music", "sfx", "sound", "转场", "transition", "备注", "note", "notes",
               "注意", "人物", "角色", "出场人物", "characters", "cast", "产品", "product", "价格", "price", "标题", "title",
               "主题", "theme", "时长", "duration", "风格", "style", "目标", "target", "客户", "client", "品牌", "brand",
               "道具", "props", "服装", "wardrobe", "tip", "tips")
SETTING_LABELS = ("地点", "场地", "地址", "环境", "时间", "location", "place", "setting", "time")
CAMERA_LABELS = ("镜头", "机位", "运镜", "景别", "camera", "cam", "angle", "lens")
LABELLED = re.compile(r"^\s*([^\s：:。.!！?？，,]{1,12}|[A-Za-z][A-Za-z.'() -]{0,24}?)\s*[：:]\s*(.*)$")
LABEL_NOTE = re.compile(r"\s*[（(][^)）]*[)）]\s*")
CUE = re.compile(r"^\s*([A-Z][A-Z0-9 .'\-]{0,30}?)\s*(\((?:V\.O\.|O\.S\.|O\.C\.|CONT'D|cont'd)\))?\s*$")
PARENTHETICAL = re.compile(r"^\s*[(（][^)）]*[)）]\s*$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
OPEN_Q, CLOSE_Q = "“「『《", "”」』》"
TERMINATORS = "。！？!?；;…"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr", "prof", "inc", "ltd", "a.m", "p.m"}
HEADING_BEAT = re.compile(r"[。！？!?，,；;]|\.\s|\.$")


@dataclass
class Beat:
    """A piece of the script that becomes one shot (or several, when it is long)."""

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


def take_duration(text: str) -> tuple[str, float | None]:
    """The text without its explicit duration mark, and the duration in seconds (None if none)."""
    match = DURATION_PAREN.search(text) or DURATION_EDGE.search(text)
    if not match:
        return text, None
    value = next(g for g in match.groups() if g is not None)
    try:
        seconds = float(value)
    except ValueError:
        return text, None
    if not 0 < seconds < 3600:
        return text, None
    cleaned = (text[: match.start()] + " " + text[match.end():]).strip(" ，,、")
    cleaned = re.sub(r"\s+([。.,，!！?？；;])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned))  # "smiles (3s)." -> "smiles."
    return cleaned, seconds


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

    # -- beats --------------------------------------------------------------------------
    def emit(self, text: str, source: str, **kw: object) -> Beat | None:
        if not has_words(text):
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
        if self.beats and not self.pending and self.scene_beats:
            self.beats[-1].source += "\n" + source
        else:
            self.pending.append(source)

    def flush(self) -> None:
        if self.para:
            lines, self.para = self.para, []
            joined = ""
            for line in lines:
                sep = "\n" if (CJK.search(line) and joined and joined[-1] not in "，,、：:") else " "
                joined = f"{joined}{sep}{line.strip()}" if joined else line.strip()
            for sentence in split_sentences(joined):
                self.emit(sentence.strip(), sentence.strip())
        if self.item is not None:
            item, self.item = self.item, None
            self.block += 1
            beat = self.emit(item.text, item.source, camera_hint=item.camera_hint)
            if beat is not None:
                beat.dialogue = item.dialogue
                beat.duration = beat.duration if beat.duration is not None else item.duration
            elif item.dialogue and self.beats:
                self.beats[-1].dialogue.extend(item.dialogue)
        self.cue = ""

    # -- lines --------------------------------------------------------------------------
    def line(self, raw: str) -> None:
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
            return
        md = MD_HEADING.match(line)
        if md and md.group(1) and (line.startswith("#")):
            if len(md.group(1)) == 1 and not self.beats and not self.title and not self.heading:
                self.flush()
                self.title = md.group(2)
                self.pending.append(line)
                return
            return self.new_scene(md.group(2), line)
        probe = DURATION_PAREN.sub(" ", line)
        scene = SCENE_HEADING.match(probe)
        if scene and not SHOT_HEADING.match(probe):
            rest = probe[scene.end():]
            if not re.match(r"^\s*(?:int|ext|i/e)", probe, re.I) and (HEADING_BEAT.search(rest) or len(rest) > 24):
                self.new_scene(probe[: scene.end()].strip(), line)
                self.item = Beat(text=rest, source="")
                self.item.duration = take_duration(line)[1]
                return None
            return self.new_scene(line, line)
        shot = SHOT_HEADING.match(probe) or LIST_ITEM.match(line)
        if shot:
            self.flush()
            head = line if shot.re is LIST_ITEM else probe
            self.item = Beat(text=head[shot.end():], source=line)
            if shot.re is not LIST_ITEM:
                self.item.duration = take_duration(line)[1]
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
        if self.item is not None and self.item.text.rstrip()[-1:] in "。！？!?" and CJK.search(line):
            self.flush()  # a labelled line that ended its sentence: the next line is a new beat
        if self.item is not None:
            self.item.text += ("" if CJK.search(line) else " ") + line
            self.item.source += "\n" + line
            return
        self.para.append(line)

    def labelled(self, label: str, rest: str, line: str) -> bool:
        label = LABEL_NOTE.sub("", label).strip() or label  # 旁白（男声） / VO (female)
        low = label.lower()
        if low in SETTING_LABELS:  # 地点：咖啡馆 / 时间：清晨 describe the scene, like its heading
            self.flush()
            self.heading = f"{self.heading} {rest}".strip()
            self.attach_source(line) if self.scene_beats else self.pending.append(line)
            return True
        if low in VISUAL_LABELS or _camera_label(label):
            self.flush()
            self.item = Beat(text=rest, source=line, camera_hint=label if low not in VISUAL_LABELS else "")
            return True
        if (low in CAMERA_LABELS or low in NOTE_LABELS) and self.para:
            self.flush()  # the open paragraph comes first, so the sources stay in order
        if low in CAMERA_LABELS:
            target = self.item or (self.beats[-1] if self.beats and self.scene_beats else None)
            if target is None:
                return False
            target.camera_hint += " " + rest
            if target is self.item:
                target.source += "\n" + line
            else:
                self.attach_source(line)
            return True
        if low in NOTE_LABELS:
            if self.item is not None:
                self.item.source += "\n" + line
            else:
                self.attach_source(line)
            return True
        if low in VOICE_LABELS:
            self.spoken("", rest, line)
            return True
        if _looks_like_name(label):
            self.spoken(label, rest, line)
            return True
        return False

    def spoken(self, speaker: str, text: str, line: str) -> None:
        """A dialogue or voice-over line: the subtitle of the shot before it, or a shot of its own."""
        if self.item is not None:
            self.item.dialogue.append({"speaker": speaker, "text": unquote(text)})
            self.item.source += "\n" + line
            return
        cue = self.cue
        self.flush()
        self.cue = cue
        last = self.beats[-1] if self.beats and self.scene_beats else None
        if (last is not None and not speaker and not self.pending and not last.spoken and not last.dialogue
                and has_words(text)):
            last.dialogue.append({"speaker": speaker, "text": unquote(text)})
            last.source += "\n" + line
            return
        beat = self.emit(text, line, speaker=speaker, spoken=True)
        if beat is not None:
            beat.dialogue.append({"speaker": speaker, "text": unquote(beat.text)})

    def new_scene(self, heading: str, line: str) -> None:
        self.flush()
        self.block += 1
        heading, seconds = take_duration(heading)
        if self.scene_beats == 0 and self.scene > 0:
            self.heading = f"{self.heading} {heading}".strip()  # two headings in a row: one scene
        else:
            self.scene += 1
            self.heading = heading
        if seconds is not None:
            self.scene_durations[self.scene] = seconds
        self.scene_beats = 0
        self.pending.append(line)

    def flush_table(self) -> None:
        lines, self.table = self.table, []
        parsed = parse_table(lines)
        if parsed is None:  # not a shot table: its lines are ordinary text
            for line in lines:
                self.para.append(line)
            self.flush()
            return
        header, rows = parsed
        self.pending.extend(header)
        for row in rows:
            self.block += 1
            text = row.visual or row.speech
            beat = self.emit(text, row.source, camera_hint=row.camera, spoken=not row.visual,
                             speaker=row.speaker if not row.visual else "")
            if beat is None:
                continue
            if row.speech:
                speaker, said = row.speaker, row.speech
                label = LABELLED.match(said)
                if label and (label.group(1).lower() in VOICE_LABELS or _looks_like_name(label.group(1))):
                    said = label.group(2)
                    speaker = "" if label.group(1).lower() in VOICE_LABELS else label.group(1)
                beat.dialogue.append({"speaker": speaker, "text": unquote(said)})
            if row.duration and beat.duration is None:
                beat.duration = cell_seconds(row.duration)
            if row.setting:
                beat.row_setting = row.setting

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
            elif has_words(source):  # only markers and numbers ("1.", "#2"): the text itself is the shot
                self.beats.append(Beat(text=source.strip(), source=source, scene=max(1, self.scene)))
        return self.beats


CAMERA_WORDS = ("特写", "近景", "中景", "全景", "远景", "航拍", "镜头", "空镜", "close-up", "closeup", "wide shot",
                "aerial", "establishing", "insert", "pov", "cutaway", "montage", "product shot")


def _camera_label(label: str) -> bool:
    low = label.lower()
    return any(w in low for w in CAMERA_WORDS)


def _looks_like_name(label: str) -> bool:
    if CJK.search(label):
        return (1 <= len(label) <= 6 and not any(c in label for c in "的了在是和与着")
                and not label.endswith(("说", "道", "问", "喊", "叫", "笑", "答", "讲")))  # 她笑着说：“…” is a quote
    words = label.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words)


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
    first, after = lines[filled[0]].strip(), DURATION_PAREN.sub(" ", lines[filled[1]])
    if (len(first) > 40 or re.search(r"[。！？；….!?;:：\"“”「」]", first) or first.startswith("#")
            or SCENE_HEADING.match(first) or SHOT_HEADING.match(first) or LIST_ITEM.match(first) or is_table_line(first)):
        return None
    if SCENE_HEADING.match(after) or SHOT_HEADING.match(after) or LIST_ITEM.match(lines[filled[1]]):
        return filled[0]
    return None


def split_beats(script: str) -> tuple[list[Beat], str]:
    """The beats of `script` and its title (a leading Markdown `# heading`, or a plain
    first line standing above the script's first heading; else "")."""
    splitter = _Splitter()
    lines = normalise(script).split("\n")
    title_at = _leading_title(lines)
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
        if seconds and free:
            for b in free:
                b.duration = seconds / len(free)
    return beats, splitter.title
