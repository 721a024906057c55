"""studio.export: every piece of user text that reaches ffmpeg goes through here, into an
ASS file (subtitles, card texts, the AI label) or an SRT sidecar; never a filter string.
Also reads SRT files for `shotline cut --subtitles`."""

from __future__ import annotations

import re
from pathlib import Path

from studio.timeline.model import Subtitle, SubtitleStyle, Timeline

_ALIGN_SUB = {"bottom": 2, "middle": 5, "top": 8}
_ALIGN_CORNER = {"top-left": 7, "top-right": 9, "bottom-left": 1, "bottom-right": 3}
_WJ = "\u2060"  # word joiner: breaks ASS escapes like \N or {\b1} without a visible mark


def ass_colour(hex_colour: str, alpha: int = 0) -> str:
    r, g, b = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


def ass_text(text: str) -> str:
    """User text made inert for libass: no override blocks, no escapes; newlines become line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # libass would read '{...}' as an override block: a full-width brace looks the same and is inert;
    # a backslash followed by a word joiner is drawn as a backslash, never read as \N or \h.
    text = text.replace("\\", "\\" + _WJ).replace("{", "\uff5b")
    text = "".join(ch for ch in text if ch == "\n" or ch >= " ")
    return text.strip("\n").replace("\n", "\\N")


def _ts(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def build_ass(timeline: Timeline, width: int, height: int, lines: list[Subtitle], cards: list[tuple[float, float, str, str, int]],
              total_s: float, font: str) -> str:
    """The whole ASS document: styles scaled to the output height, then events."""
    st: SubtitleStyle = timeline.subtitle_style
    k = height / 1080
    lab = timeline.label
    margin = max(8, round(24 * k))
    styles = [
        ("Sub", st.font, round(st.size * k), ass_colour(st.colour), ass_colour(st.outline_colour), 1, st.outline * k, 1, _ALIGN_SUB[st.position], round(48 * k)),
        ("Label", font, round(lab.size * k), ass_colour("#ffffff"), ass_colour("#000000", 0x60), 3, max(2.0, 6 * k), 0, _ALIGN_CORNER[lab.position], margin),
    ]
    head = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {width}", f"PlayResY: {height}", "WrapStyle: 0",
        "ScaledBorderAndShadow: yes", "", "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
    ]
    for name, fnt, size, prim, outl, border, outline, shadow, align, mv in styles:
        back = outl if border == 3 else "&H80000000"
        head.append(f"Style: {name},{fnt},{size},{prim},{prim},{outl},{back},0,0,0,0,100,100,0,0,{border},{outline:.1f},{shadow},{align},{margin},{margin},{mv},1")
    for i, (_, _, _, colour, size) in enumerate(cards):
        head.append(f"Style: Card{i},{font},{round(size * k)},{ass_colour(colour)},{ass_colour(colour)},&H00000000,&H00000000,1,0,0,0,100,100,0,0,1,0,0,5,{margin},{margin},0,1")
    events = ["", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"]
    events.append(f"Dialogue: 2,{_ts(0)},{_ts(total_s + 1)},Label,,0,0,0,,{ass_text(lab.wording)}")
    for i, (start, end, text, _, _) in enumerate(cards):
        events.append(f"Dialogue: 1,{_ts(start)},{_ts(end)},Card{i},,0,0,0,,{ass_text(text)}")
    for line in lines:
        events.append(f"Dialogue: 0,{_ts(line.start_s)},{_ts(line.end_s)},Sub,,0,0,0,,{ass_text(line.text)}")
    return "\n".join(head + events) + "\n"


def build_srt(lines: list[Subtitle]) -> str:
    def t(s: float) -> str:
        ms = max(0, round(s * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    texts = [(x, srt_text(x.text)) for x in lines]
    blocks = [f"{i}\n{t(x.start_s)} --> {t(x.end_s)}\n{text}\n" for i, (x, text) in enumerate(
        ((x, text) for x, text in texts if text), 1)]
    return "\n".join(blocks)


def srt_text(text: str) -> str:
    """User text made plain for an SRT sidecar: players read `{\\an8}`-style override
    blocks and `<i>`/`<font>` tags in SRT, so braces and angle brackets become their
    full-width look-alikes; control characters go, and a blank line (which would end the
    block and let the text forge the next one) is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("{", "\uff5b").replace("}", "\uff5d")
    text = text.replace("<", "\uff1c").replace(">", "\uff1e")
    text = "".join(ch for ch in text if ch == "\n" or ch >= " " and ch != "\x7f")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


_SRT_TIME = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})")


def read_srt(path: Path | str) -> list[Subtitle]:
    """Parse an SRT file (UTF-8, with or without BOM); a bad block is named by its number."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"subtitles {str(path)!r} do not exist; give the path of an .srt file.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ValueError(f"subtitles {path.name!r} are not UTF-8 or GB18030 text; save the file as UTF-8.") from None
    out: list[Subtitle] = []
    for n, block in enumerate(re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()), 1):
        rows = block.split("\n")
        idx = next((i for i, r in enumerate(rows) if "-->" in r), None)
        m = _SRT_TIME.search(rows[idx]) if idx is not None else None
        if not m:
            if block.strip():
                raise ValueError(f"subtitles {path.name!r} block {n} has no valid 'HH:MM:SS,mmm --> HH:MM:SS,mmm' line.")
            continue
        g = [int(x) for x in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + int(m.group(4).ljust(3, "0")) / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + int(m.group(8).ljust(3, "0")) / 1000
        body = "\n".join(rows[idx + 1:]).strip()
        if end <= start:
            raise ValueError(f"subtitles {path.name!r} block {n} ends ({end:.3f} s) before it starts ({start:.3f} s).")
        out.append(Subtitle(start, end, body))
    return out
