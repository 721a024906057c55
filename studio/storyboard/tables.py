"""studio.storyboard: shot tables. Chinese 分镜脚本, agency AV scripts and shot lists are
tables (| 镜号 | 景别 | 画面 | 台词 | 时长 |, VIDEO | AUDIO, Shot/Size/Description/Duration);
columns are mapped by their header in Chinese or English, and each row is one shot. The
same mapping serves Markdown / pipe tables, CSV, TSV, XLSX and JSON shot lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.storyboard.durations import cell_seconds

SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
COLUMNS: dict[str, tuple[str, ...]] = {
    "visual": ("画面", "画面内容", "内容", "画面描述", "镜头内容", "镜头描述", "描述", "动作", "画面说明", "视觉", "场景描述",
               "visual", "visuals", "description", "action", "picture", "video", "shot description",
               "scene description", "what we see", "image", "images", "content", "details", "shot details", "frame",
               "act", "subj", "subject", "prompt", "visual prompt", "scene_description", "shot_description", "主体",
               "画面提示词", "提示词", "visual description", "video description", "scene text", "beat description"),
    "dialogue": ("台词", "对白", "对话", "口播", "dialogue", "dialog", "lines", "line", "speech", "talent"),
    "voiceover": ("旁白", "配音", "画外音", "解说", "文案", "vo", "v.o.", "voiceover", "voice-over", "voice over",
                  "narration", "narrator", "copy", "script"),
    "subtitle": ("字幕", "屏幕文字", "花字", "subtitle", "subtitles", "caption", "captions", "super", "supers",
                 "on-screen text", "onscreen text", "text on screen", "text overlay", "title card"),
    "audio": ("声音", "音频", "audio", "sound / dialogue", "audio / vo"),
    "speaker": ("角色", "人物", "说话人", "演员", "speaker", "character", "characters", "cast", "who"),
    "duration": ("时长", "时间长度", "秒数", "时间", "时间码", "duration", "length", "time", "seconds", "secs", "sec",
                 "timecode", "timing", "runtime", "est. time", "dur", "dur.", "t", "duration_s", "seconds_long", "时长(秒)"),
    "size": ("景别", "镜头类型", "shot size", "shot type", "type", "size", "framing", "shot", "镜头"),
    "camera": ("运镜", "镜头运动", "机位", "拍摄方式", "拍摄手法", "镜头角度", "角度", "camera", "camera movement",
               "movement", "camera move", "angle", "camera angle", "lens", "move", "moves", "cam", "camera_movement",
               "shot_type", "shot_size"),
    "setting": ("场景", "地点", "场地", "location", "setting", "place", "int/ext", "scene"),
    "sound": ("音乐", "音效", "背景音乐", "配乐", "music", "sfx", "sound", "sound effects", "bgm", "snd", "ambience"),
    "start": ("start", "start time", "in", "in point", "开始", "开始时间", "起始时间", "入点", "from"),
    "end": ("end", "end time", "out", "out point", "结束", "结束时间", "出点", "to"),
    "number": ("镜号", "序号", "编号", "镜头号", "shot no", "shot no.", "shot #", "shot number", "no", "no.", "#", "id",
               "场次", "shot id", "clip id", "segment"),
    "notes": ("备注", "道具", "服装", "注意", "说明", "notes", "note", "props", "wardrobe", "comments", "remarks", "status",
              "lighting", "灯光", "light", "style", "风格", "mood"),
}
SPEECH_ROLES = ("dialogue", "voiceover", "subtitle", "audio")
VOICE_LABEL = re.compile(r"^\s*(?:\(?\s*(?P<vo>旁白|画外音|配音|解说|vo|v\.o\.|voice-?over|narrator|narration|anncr|announcer|"
                         r"super|subtitle|字幕)\s*\)?|(?P<snd>音乐|音效|背景音乐|bgm|music|sfx|sound|fx)|"
                         r"(?P<name>[\u3400-\u9fff]{1,5}|[A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,2}))"
                         r"\s*(?P<ext>[(（][^)）]{0,20}[)）])?\s*[：:]\s*(?P<rest>.*)$", re.I | re.S)
AUDIO_NOTE = re.compile(r"^(?:narration|voice-?over|vo|music|background music|ambient|ambience|silence|sfx|sound|"
                        r"sound effects?|music (?:continues|fades|swells|builds)|[\w\s]*\b(?:music|sounds?|sfx|beat|"
                        r"score|ambien\w+|whoosh\w*|fx)\b[\w\s+/&,-]*|旁白|音乐|配乐|音效|背景音乐|环境音|无)$", re.I)
AUDIO_BREAK = re.compile(r"\n+|(?<=[.!?。！？”\"])\s*(?=(?:[A-Z][A-Z.'()\- ]{1,24}|旁白|字幕|音效|音乐|配音)\s*[:：])")
CHECK_CELL = re.compile(r"^\s*(?:\[[ xX✓]?\]|[☐☑☒✓✔✗✘]|done|todo|yes|no|y|n|x|ok|完成|未完成|是|否)\s*$", re.I)


def _norm(header: str) -> str:
    key = re.sub(r"[（(][^)）]*[)）]", "", str(header)).strip().lower()  # 时长（秒） -> 时长
    key = re.sub(r"(?<=\w)_(?=\w)", " ", key)  # visual_description, start_time
    return re.sub(r"[*_`]+", "", key).strip(" :：")


def role(header: str) -> str | None:
    """The role of a column, from its header in Chinese or English; None when unknown."""
    key = _norm(header)
    for part in [key, *re.split(r"\s*[/／、&+]\s*", key)]:  # 台词/旁白, Audio/VO
        for name, names in COLUMNS.items():
            if part in names:
                return name
    for name in ("visual", "voiceover", "dialogue", "subtitle", "duration", "size", "camera", "sound"):
        if any(len(n) >= 2 and re.search(r"[\u3400-\u9fff]", n) and n in key for n in COLUMNS[name]):
            return name  # 画面内容描述, 时长(s), 镜头景别
    return None


def header_roles(headers: list[str]) -> list[str | None] | None:
    """Each column's role, or None when the header names no picture or speech column."""
    roles = [role(h) for h in headers]
    if "visual" not in roles and not any(r in roles for r in SPEECH_ROLES):
        return None
    if roles.count(None) > len(roles) - 1 and len(roles) > 1:
        return None
    return roles


@dataclass
class Row:
    """One row of a shot table, its cells joined by role."""

    source: str
    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def is_table_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [c.strip().replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n")
            for c in re.split(r"(?<!\\)\|", stripped)]


def make_row(roles: list[str | None], values: list[object], source: str) -> Row:
    joined: dict[str, list[str]] = {}
    for name, value in zip(roles, values, strict=False):  # short rows are fine
        text = "" if value is None else str(value).strip()
        if name and text and text not in ("-", "—", "/", "N/A", "n/a", "无", "——"):
            joined.setdefault(name, []).append(text)
    out = {k: ("，" if any("\u3400" <= c <= "\u9fff" for c in "".join(v)) else ", ").join(v) for k, v in joined.items()}
    return Row(source, out)


def is_section_row(row: Row, filled: int) -> bool:
    """A row that titles a section (one filled cell, not a shot) or only ticks a checklist."""
    values = [v for v in row.values.values() if v]
    if values and all(CHECK_CELL.match(v) for v in values):
        return True
    return filled == 1 and not row.get("visual") and not any(row.get(r) for r in SPEECH_ROLES)


def speech_lines(text: str, column: str, speaker: str = "") -> tuple[list[dict[str, str]], list[str]]:
    """The speech in a dialogue / voice-over / subtitle / audio cell, and its sound notes.
    `VO:`, `旁白：`, `NAME：` label a line; `SFX:` / `音乐：` and (parenthesised) lines are sound."""
    lines: list[dict[str, str]] = []
    sound: list[str] = []
    default_kind = {"dialogue": "dialogue", "voiceover": "voiceover", "subtitle": "subtitle"}.get(column, "voiceover")
    for part in AUDIO_BREAK.split(text):  # "SFX: Cereal pouring. MOM: Who wants breakfast?" is two parts
        part = part.strip().strip("•-* ").strip()
        if not part:
            continue
        match = VOICE_LABEL.match(part)
        kind, who = default_kind, speaker
        if match and (match.group("snd") or (match.group("name") and _note_label(match.group("name")))):
            sound.append(part)  # SFX: / MUSIC: / TOTAL RUNTIME: are no speech
            continue
        if match and match.group("vo"):
            label = match.group("vo").lower()
            kind = "subtitle" if label in ("super", "subtitle", "字幕") else "voiceover"
            who, part = "", match.group("rest")
        elif match and match.group("name") and not re.search(r"https?$", match.group("name"), re.I):
            who, part = re.sub(r"(?:大喊|大叫|喊道|说道|低声说|笑着说|说|道|喊|问)$", "", match.group("name")) or \
                match.group("name"), match.group("rest")
            ext = (match.group("ext") or "").upper()
            kind = "voiceover" if ("V.O" in ext or "VO" in ext or "旁白" in ext) else "dialogue"
        elif re.match(r"^[(（\[][^)）\]]*[)）\]]$", part) or (column == "audio" and AUDIO_NOTE.match(part)) or (
                column == "voiceover" and re.fullmatch(r"(?i)narration|voice-?over|vo|旁白", part)):
            sound.append(part)  # (music swells), [birds chirping], an Audio cell saying only "Narration"
            continue
        said = part.strip().strip("“”「」\"'").strip()
        if any(c.isalnum() for c in said):
            lines.append({"speaker": who, "text": said, "kind": kind})
    return lines, sound


def _note_label(name: str) -> bool:
    from studio.storyboard.labels import label_kind

    low = name.lower()
    return label_kind(name) in ("note", "duration", "sound", "camera", "setting") or any(
        w in low for w in ("runtime", "total", "duration", "length", "music", "sfx", "sound"))


def parse_table(lines: list[str]) -> tuple[list[str], list[Row], list[str | None]] | None:
    """(header lines, rows, roles) of a pipe table whose header names a picture or speech
    column; None otherwise (then it is ordinary text)."""
    if len(lines) < 2 or not SEPARATOR.match(lines[1]):
        return None
    roles = header_roles(cells(lines[0]))
    if roles is None:
        return None
    return lines[:2], [make_row(roles, cells(line), line) for line in lines[2:]], roles


__all__ = ["COLUMNS", "Row", "cell_seconds", "cells", "header_roles", "is_section_row", "is_table_line",
           "make_row", "parse_table", "role", "speech_lines"]
