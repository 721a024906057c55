"""studio.storyboard: a script file as it arrives -> its text (or workbook bytes), its
format and its encoding. Text in UTF-8 (with or without BOM), UTF-16, GBK/GB18030, Big5
and the other encodings charset-normalizer knows is decoded and the encoding named; the
format comes from the file's extension and its content. Any other format (PDF, Word,
RTF, HTML, images, audio, archives) is refused with one sentence listing what is read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePath

from studio.storyboard import fdx, fountain
from studio.storyboard.shotlist import sniff_delimited

ACCEPTED = ("Fountain (.fountain), Final Draft (.fdx), plain text or Markdown (.txt, .md), "
            "and shot lists as CSV, TSV, Excel (.xlsx) or JSON")
FORMATS = ("text", "markdown", "fountain", "fdx", "csv", "tsv", "xlsx", "json")
EXTENSIONS = {".fountain": "fountain", ".spmd": "fountain", ".fdx": "fdx", ".csv": "csv", ".tsv": "tsv",
              ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".md": "markdown",
              ".markdown": "markdown", ".txt": "text", ".text": "text", "": "text"}
REFUSED_EXTENSIONS = {".pdf": "a PDF document", ".docx": "a Word document", ".doc": "a Word document",
                      ".rtf": "an RTF document", ".odt": "an OpenDocument text", ".pages": "a Pages document",
                      ".xls": "an old Excel (.xls) workbook", ".ods": "an OpenDocument spreadsheet",
                      ".numbers": "a Numbers spreadsheet", ".html": "an HTML page", ".htm": "an HTML page",
                      ".celtx": "a Celtx project", ".highland": "a Highland document", ".fadein": "a Fade In document",
                      ".wdz": "a WriterDuet file", ".sxw": "an OpenOffice document", ".epub": "an e-book",
                      ".png": "an image", ".jpg": "an image", ".jpeg": "an image", ".gif": "an image", ".webp": "an image",
                      ".mp4": "a video", ".mov": "a video", ".mp3": "an audio file", ".wav": "an audio file",
                      ".zip": "a zip archive"}
MAGIC = ((b"%PDF", "a PDF document"), (b"{\\rtf", "an RTF document"), (b"\xd0\xcf\x11\xe0", "an old Office (.doc/.xls) file"),
         (b"\x89PNG", "an image"), (b"\xff\xd8\xff", "an image"), (b"GIF8", "an image"), (b"RIFF", "a media file"),
         (b"ID3", "an audio file"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
         (b"Rar!", "a RAR archive"))
ENCODING_NAMES = {"utf_8": "UTF-8", "utf-8": "UTF-8", "utf_8_sig": "UTF-8 with BOM", "utf_16": "UTF-16",
                  "utf_16_le": "UTF-16", "utf_16_be": "UTF-16", "gb18030": "GB18030", "gbk": "GBK", "gb2312": "GBK",
                  "big5": "Big5", "big5hkscs": "Big5", "cp950": "Big5", "cp936": "GBK", "ascii": "UTF-8",
                  "shift_jis": "Shift-JIS", "cp932": "Shift-JIS", "euc_kr": "EUC-KR", "cp1252": "Windows-1252",
                  "latin_1": "Latin-1", "iso8859_1": "Latin-1", "utf_32": "UTF-32"}


class FormatRefused(ValueError):
    """A file in a format the storyboard does not read (the message is one sentence)."""


@dataclass
class Script:
    """A decoded script: `text` (empty for a workbook, whose bytes are in `data`), its format and encoding."""

    text: str
    format: str
    encoding: str = ""
    data: bytes = b""
    name: str = ""


def refuse(what: str) -> FormatRefused:
    return FormatRefused(f"This file is {what}, which the storyboard does not read; accepted: {ACCEPTED}.")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of script bytes; FormatRefused for bytes that are no text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le", errors="replace"), "UTF-16"
    if len(data) >= 4 and data[0:1] == b"\x00" and data[2:3] == b"\x00":
        return data.decode("utf-16-be", errors="replace"), "UTF-16"
    for codec, name in (("gb18030", "GB18030"), ("big5", "Big5")):  # the two Chinese families first: strict
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "gb18030" and _big5_more_likely(data):
            continue
        if codec == "gb18030":
            return text, "GBK" if _is_gbk(data) else "GB18030"
        return text, name
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise refuse("binary data, not text")
    return str(best), ENCODING_NAMES.get(best.encoding, best.encoding)


def _is_gbk(data: bytes) -> bool:
    try:
        data.decode("gbk")
        return True
    except UnicodeDecodeError:
        return False


COMMON_ZH = set("的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好"
                "都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明"
                "镜画场景面光色走站坐笑哭跑")


def _big5_more_likely(data: bytes) -> bool:
    """GB18030 decodes nearly any bytes; Big5 text read as GB18030 is rare characters. Compare
    how many common characters each reading gives."""
    try:
        big5 = data.decode("big5")
    except UnicodeDecodeError:
        return False
    gb = data.decode("gb18030", errors="replace")
    common_zh_cn = sum(c in COMMON_ZH for c in gb)
    common_big5 = sum(c in COMMON_ZH or _traditional_common(c) for c in big5)
    return common_big5 > common_zh_cn


TRADITIONAL = set("們這個來說會後開學時對過還動與點樣現經從兩長將見發當實麼頭無進爲為邊裡間話體聲氣電車門問東風機關鏡畫場見燈")


def _traditional_common(c: str) -> bool:
    return c in TRADITIONAL


def sniff(text: str, name: str = "") -> str:
    """The format of decoded script text, from its extension and its content."""
    ext = PurePath(name).suffix.lower() if name else ""
    if ext in REFUSED_EXTENSIONS:
        raise refuse(REFUSED_EXTENSIONS[ext])
    declared = EXTENSIONS.get(ext)
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if declared in ("fountain", "fdx", "csv", "tsv", "json"):
        return declared
    if fdx.looks_like_fdx(text):
        return "fdx"
    low = head[:400].lower()
    if low.startswith(("<!doctype html", "<html")) or (low.startswith("<") and "<body" in head.lower()):
        raise refuse("an HTML page")
    if low.startswith("<?xml") or re.match(r"^<[a-z][\w:-]*[\s>]", low):
        root = re.search(r"<([A-Za-z][\w:-]*)[\s>]", head[5:] if low.startswith("<?xml") else head)
        raise refuse(f"XML ({'<' + root.group(1) + '>' if root else 'not Final Draft'})")
    if head[:1] in "[{":
        try:
            json.loads(text.lstrip("\ufeff"))
            return "json"
        except ValueError:
            pass
    if fountain.looks_like_fountain(text):
        return "fountain"
    delimiter = sniff_delimited(text)
    if delimiter:
        return "tsv" if delimiter == "\t" else "csv"
    if declared == "markdown" or re.search(r"^\s{0,3}#{1,6}\s|^\s*\|.*\|\s*$|\*\*[^*]+\*\*", head, re.M):
        return "markdown"
    return "text"


def read_bytes(data: bytes, name: str = "") -> Script:
    """A script file's bytes -> Script; FormatRefused (one sentence) for what is not read."""
    ext = PurePath(name).suffix.lower() if name else ""
    if ext in REFUSED_EXTENSIONS:
        raise refuse(REFUSED_EXTENSIONS[ext])
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise refuse(what)
    if data.startswith(b"PK\x03\x04"):
        if b"xl/workbook" in data[:4000] or ext in (".xlsx", ".xlsm") or b"xl/" in data:
            return Script("", "xlsx", "", data, name)
        what = "a Word document" if b"word/" in data else ("an OpenDocument file" if b"opendocument" in data[:200]
                                                          else "a zip archive")
        raise refuse(what)
    if ext in (".xlsx", ".xlsm"):
        raise refuse("not an Excel workbook although it is named .xlsx")
    if b"\x00" in data[:4000] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = _wide_text(data)
    else:
        text, encoding = decode(data)
    from studio.storyboard.text import normalise

    text = normalise(text)
    return Script(text, sniff(text, name), encoding, b"", name)


def _wide_text(data: bytes) -> tuple[str, str]:
    """UTF-16 / UTF-32 without a BOM, or else binary data (refused)."""
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        printable = sum(c.isprintable() or c in "\n\r\t" for c in text[:2000])
        if printable >= 0.97 * min(len(text), 2000) and any(c.isalnum() for c in text):
            return text, "UTF-16"
    raise refuse("binary data, not text")
