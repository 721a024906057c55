"""studio.storyboard: the durations a script states for a shot, in the forms people write:
`(3s)`, `（3秒）`, `[2.5s]`, `3秒：…`, `…, 4 seconds`, time ranges `[00:05-00:08]`,
`0:05–0:08`, `(0-15秒)`, `5-10 seconds`, `0-3s:`, minutes `1m`, `2 min`, `1分钟`, `1分30秒`
and a duration cell of a shot table (`3`, `3s`, `00:03`)."""

from __future__ import annotations

import re

NUM = r"\d+(?:\.\d+)?"
SEC_UNIT = r"(?:秒钟|秒|s|secs?|seconds?|”|\")"
MIN_UNIT = r"(?:分钟|分|m|mins?|minutes?)"
TC = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
DASH = r"\s*(?:-|–|—|~|～|至|到|to)\s*"
# the forms, each with named groups: a = start, b = end (ranges), s = seconds, m = minutes
FORMS = (
    rf"(?P<a>{TC}){DASH}(?P<b>{TC})",  # 00:05-00:08
    rf"(?P<ua>{NUM})\s*{SEC_UNIT}{DASH}(?P<ub>{NUM})\s*{SEC_UNIT}(?![A-Za-z])",  # 0s - 5s
    rf"(?P<ra>{NUM}){DASH}(?P<rb>{NUM})\s*{SEC_UNIT}(?![A-Za-z])",  # 0-15秒, 5-10 seconds
    rf"(?P<m>{NUM})\s*{MIN_UNIT}\s*(?P<ms>{NUM})\s*{SEC_UNIT}(?![A-Za-z])",  # 1分30秒, 1m30s
    rf"(?P<s>{NUM})\s*{SEC_UNIT}(?![A-Za-z])",  # 3s, 3秒, 4 seconds
    rf"(?P<mo>{NUM})\s*{MIN_UNIT}(?![A-Za-z])",  # 1m, 2 min, 1分钟
)
BODY = "(?:" + "|".join(FORMS) + ")"
PAREN = re.compile(rf"[（(\[【]\s*(?:约|about|approx\.?|~|时长[：:]?|duration[：:]?)?\s*{BODY}\s*[)）\]】]", re.I)
LEAD = re.compile(rf"^\s*{BODY}\s*(?:[：:，,、|\-–—]\s*|\s+(?=\S))", re.I)
TAIL = re.compile(rf"(?:[，,、;；|\s]|^)\s*(?:约|about|approx\.?|时长[：:]?)?\s*{BODY}\s*[。.]?\s*$", re.I)
CELL = re.compile(rf"^\s*(?:约|about|~)?\s*(?:{BODY}|(?P<n>{NUM})|(?P<tc>{TC}))\s*[。.]?\s*$", re.I)
NUMBERED_SHOT_DURATION = 3600.0  # nothing longer than an hour is a shot's duration


def _tc(value: str) -> float:
    parts = [float(p.replace(",", ".")) for p in value.split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def seconds_of(match: re.Match[str]) -> float | None:
    g = match.groupdict()
    if g.get("a"):
        value = _tc(g["b"]) - _tc(g["a"])
    elif g.get("ua"):
        value = float(g["ub"]) - float(g["ua"])
    elif g.get("ra"):
        value = float(g["rb"]) - float(g["ra"])
    elif g.get("m") and g.get("ms"):
        value = float(g["m"]) * 60 + float(g["ms"])
    elif g.get("s"):
        value = float(g["s"])
    elif g.get("mo"):
        value = float(g["mo"]) * 60
    elif g.get("n"):
        value = float(g["n"])
    elif g.get("tc"):
        value = _tc(g["tc"])
    else:
        return None
    return round(value, 3) if 0 < value < NUMBERED_SHOT_DURATION else None


def take_duration(text: str) -> tuple[str, float | None]:
    """The text without its duration mark, and the duration in seconds (None if none).
    A bare minute form (`5m`) counts only in brackets or a cell: "5m" in a sentence may be metres."""
    for pattern in (PAREN, LEAD, TAIL):
        for match in pattern.finditer(text):
            if pattern is not PAREN and match.groupdict().get("mo"):
                continue
            seconds = seconds_of(match)
            if seconds is None:
                continue
            cleaned = (text[: match.start()] + " " + text[match.end():]).strip(" ，,、|")
            cleaned = re.sub(r"\s+([。.,，!！?？；;])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned))
            return cleaned, seconds
    return text, None


_BODY = re.compile(BODY, re.I)


def mark_seconds(mark: str) -> float | None:
    """Seconds of a shot's time mark wherever it stands in the mark: `First 1.5 seconds:`,
    `⏱️ 0:00 – 0:02`, `镜头1（0-2秒）`."""
    for match in _BODY.finditer(mark or ""):
        seconds = seconds_of(match)
        if seconds is not None:
            return seconds
    return None


def cell_seconds(text: str) -> float | None:
    """Seconds in a duration cell: 3, 3s, 3秒, 2.5 seconds, 00:03, 0:05-0:08, 1m."""
    match = CELL.match(text or "")
    return seconds_of(match) if match else None
