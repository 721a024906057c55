"""studio.prompts: script text cleaned for a visual prompt. Markup (Markdown, tables,
tags), shot and table numbers, timecodes and durations, file names, links and emoji
never reach the model: Wan was trained on plain descriptions."""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://\S+|www\.\S+"), " "),
    (re.compile(r"\b[\w-]+\.(?:mp4|mov|avi|mkv|webm|png|jpe?g|gif|webp|wav|mp3|m4a|psd|ai|pdf|docx?|xlsx?|csv|txt|md|json|fdx|fountain)\b", re.I), " "),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d{1,3})?(?:\s*(?:-->|[-–—~至到])\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d{1,3})?)?"), " "),
    (re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*(?:-|–|~|到|至)?\s*\d*(?:\.\d+)?\s*(?:s|sec|secs|seconds?|秒钟?|分钟|min)\s*[)）]", re.I), " "),
    (re.compile(r"\b\d+(?:\.\d+)?\s*(?:-|–|~)\s*\d+(?:\.\d+)?\s*(?:s|sec|秒)\b", re.I), " "),
    (re.compile(r"^\s*(?:镜头|分镜|场景|画面|shot|scene|sc)\s*[#]?\s*\d+[a-z]?\s*[:：.、\-—)]?\s*", re.I), ""),
    (re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+[幕场个镜])\s*[:：、]?\s*"), ""),
    (re.compile(r"^\s*[\[(（【]?\s*\d{1,3}\s*[\])）】.、:：]\s*"), ""),
    (re.compile(r"^\d{1,3}\s+(?=[\u3400-\u9fff])"), ""),  # a table's shot number before Chinese text
    (re.compile(r"<[^<>\n]{1,40}>"), " "),
    (re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]"), ""),
    (re.compile(r"[\[\]{}【】]"), " "),
)
_MARKDOWN = re.compile(r"(\*+|__|~~|`+|^#+\s*|^\s*[-+>]\s+|\|)", re.M)


def clean(text: str) -> str:
    """`text` without markup, numbering, timecodes, durations, file names, links or emoji."""
    out = _MARKDOWN.sub(" ", text).strip()
    for _ in range(2):  # "[00:00-00:05] 镜头 1：" needs the timecode gone before the number is at the start
        before = out
        for rx, repl in _RULES:
            out = rx.sub(repl, out).strip()
        if out == before:
            break
    out = re.sub(r"\s*([，。；：！？、])\s*", r"\1", out)
    out = re.sub(r"([，。；、,;])\1+", r"\1", out)
    out = re.sub(r"\(\s*\)|（\s*）", " ", out)
    out = re.sub(r"[ \t\r\n]+", " ", out).strip()
    return out.strip(" ,，;；:：-—")


FDX_TYPE = re.compile(r'<Paragraph[^>]*\bType="([^"]+)"')
FDX_PIECE = re.compile(r'<Paragraph[^>]*\bType="([^"]+)"[^>]*>|</Paragraph>|<[^<>]*>|[^<]+')
FDX_PICTURE = {"Action", "Scene Heading", "General", "Shot", "Transition"}


def fdx_picture(text: str, current: str = "") -> tuple[str, str]:
    """Final Draft XML read as plain text: only what its Action / Scene Heading paragraphs
    say (dialogue, character cues and parentheticals are speech, never the picture), and
    the paragraph type still open at the end, for the next shot's text. Text without
    Final Draft markup comes back unchanged."""
    if "<Paragraph" not in text and "</Text>" not in text and "</Paragraph>" not in text:
        return text, current
    kept: list[str] = []
    for m in FDX_PIECE.finditer(text):
        piece = m.group(0)
        if m.group(1):
            current = m.group(1)
        elif piece.startswith("<"):
            continue
        elif not current or current in FDX_PICTURE:
            kept.append(piece)
    return " ".join(k.strip() for k in kept if k.strip()), current
