"""studio.storyboard: shot tables. Chinese 分镜脚本 and many agency scripts are tables
(| 镜号 | 景别 | 画面 | 台词 | 时长 |); each row of a Markdown / pipe table becomes one beat,
its columns mapped by header name in both languages."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
COLUMNS: dict[str, tuple[str, ...]] = {
    "visual": ("画面", "画面内容", "内容", "画面描述", "镜头内容", "描述", "visual", "visuals", "description", "action",
               "picture", "video", "shot description", "scene description"),
    "speech": ("台词", "对白", "旁白", "字幕", "文案", "配音", "口播", "解说", "dialogue", "vo", "voiceover", "voice-over",
               "audio", "subtitle", "subtitles", "copy", "script", "narration", "line", "lines"),
    "speaker": ("角色", "人物", "说话人", "speaker", "character"),
    "duration": ("时长", "时间长度", "秒数", "duration", "length", "time", "seconds"),
    "camera": ("景别", "运镜", "镜头运动", "机位", "拍摄方式", "camera", "shot size", "shot type", "movement", "angle", "lens"),
    "setting": ("场景", "地点", "场地", "location", "setting", "place"),
    "notes": ("镜号", "序号", "编号", "音乐", "音效", "备注", "道具", "shot", "no", "no.", "#", "music", "sfx", "notes",
              "note", "props"),
}


@dataclass
class TableRow:
    source: str
    visual: str
    speech: str
    speaker: str
    duration: str
    camera: str
    setting: str


def is_table_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [c.strip() for c in stripped.split("|")]


def _role(header: str) -> str | None:
    key = re.sub(r"[（(][^)）]*[)）]", "", header).strip().lower()  # 时长（秒） -> 时长
    for part in [key, *re.split(r"\s*[/／、&]\s*", key)]:  # 台词/旁白
        for role, names in COLUMNS.items():
            if part in names:
                return role
    return None


DURATION_CELL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?|秒钟?|”|\")?\s*$", re.IGNORECASE)


def cell_seconds(text: str) -> float | None:
    """Seconds in a duration cell: 3, 3s, 3秒, 2.5 seconds."""
    match = DURATION_CELL.match(text)
    if not match:
        return None
    seconds = float(match.group(1))
    return seconds if 0 < seconds < 3600 else None


def parse_table(lines: list[str]) -> tuple[list[str], list[TableRow]] | None:
    """(header lines, rows) of a pipe table whose header names a picture or speech column; None otherwise."""
    if len(lines) < 2 or not SEPARATOR.match(lines[1]):
        return None
    roles = [_role(h) for h in cells(lines[0])]
    if "visual" not in roles and "speech" not in roles:
        return None
    rows: list[TableRow] = []
    for line in lines[2:]:
        values: dict[str, list[str]] = {}
        for role, value in zip(roles, cells(line), strict=False):  # short rows are fine
            if role and value and value not in ("-", "—", "/"):
                values.setdefault(role, []).append(value)
        joined = {k: "，".join(v) if any("\u3400" <= c <= "\u9fff" for c in "".join(v)) else ", ".join(v)
                  for k, v in values.items()}
        rows.append(TableRow(line, joined.get("visual", ""), joined.get("speech", ""), joined.get("speaker", ""),
                             joined.get("duration", ""), joined.get("camera", ""), joined.get("setting", "")))
    return lines[:2], rows
