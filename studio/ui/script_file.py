"""studio.ui: the Script page's file upload — a script file in any format and encoding the
storyboard reads (through the projects service and studio.storyboard.read_file), one
line saying which format and encoding were read, and the readers' refusal of any other
format in the user's language. Which of the upload and the text box a storyboard is made
from is decided here too: the upload, while the box still shows what was read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from studio.storyboard.source import FormatRefused, Script
from studio.ui.i18n import say_in

FORMAT_NAMES = {
    "en": {"fountain": "Fountain screenplay", "fdx": "Final Draft screenplay (.fdx)", "csv": "CSV shot list",
           "tsv": "TSV shot list", "xlsx": "Excel shot list (.xlsx)", "json": "JSON shot list",
           "markdown": "Markdown", "text": "plain text"},
    "zh": {"fountain": "Fountain 剧本", "fdx": "Final Draft 剧本（.fdx）", "csv": "CSV 镜头表", "tsv": "TSV 镜头表",
           "xlsx": "Excel 镜头表（.xlsx）", "json": "JSON 镜头表", "markdown": "Markdown", "text": "纯文本"},
}
ENCODINGS_ZH = {"UTF-8 with BOM": "UTF-8（带 BOM）"}
ACCEPTED_ZH = ("Fountain（.fountain）、Final Draft（.fdx）、纯文本或 Markdown（.txt、.md），"
               "以及 CSV、TSV、Excel（.xlsx）或 JSON 格式的镜头表")
WHAT_ZH = {"a PDF document": "PDF 文档", "a Word document": "Word 文档", "an RTF document": "RTF 文档",
           "an OpenDocument text": "OpenDocument 文本", "a Pages document": "Pages 文稿",
           "an old Excel (.xls) workbook": "旧版 Excel（.xls）工作簿", "an OpenDocument spreadsheet": "OpenDocument 表格",
           "a Numbers spreadsheet": "Numbers 表格", "an HTML page": "HTML 网页", "a Celtx project": "Celtx 项目",
           "a Highland document": "Highland 文稿", "a Fade In document": "Fade In 文稿",
           "a WriterDuet file": "WriterDuet 文件", "an OpenOffice document": "OpenOffice 文档", "an e-book": "电子书",
           "an image": "图片", "a video": "视频", "an audio file": "音频文件", "a zip archive": "zip 压缩包",
           "an old Office (.doc/.xls) file": "旧版 Office（.doc/.xls）文件", "a media file": "媒体文件",
           "a gzip archive": "gzip 压缩包", "a 7-Zip archive": "7-Zip 压缩包", "a RAR archive": "RAR 压缩包",
           "an OpenDocument file": "OpenDocument 文件", "binary data, not text": "二进制数据，不是文本",
           "not an Excel workbook although it is named .xlsx": "名为 .xlsx，却不是 Excel 工作簿"}
REFUSED = re.compile(r"^This file is (?P<what>.+?), which the storyboard does not read; accepted: ")


def refused_sentence(err: FormatRefused, lang: str) -> str:
    """The readers' one sentence for a refused format, in Chinese for a Chinese browser."""
    match = REFUSED.match(str(err))
    if lang != "zh" or match is None:
        return str(err)
    what = match.group("what")
    return f"此文件是{WHAT_ZH.get(what, what)}，分镜不读取这种格式；可接受：{ACCEPTED_ZH}。"


def read_line(script: Script, lang: str) -> str:
    """One line: which file was read, as which format and in which encoding."""
    name = Path(script.name).name or "script"
    fmt = FORMAT_NAMES[lang].get(script.format, script.format)
    if not script.encoding:
        return say_in("script_file_read_binary", lang, name=name, format=fmt)
    encoding = ENCODINGS_ZH.get(script.encoding, script.encoding) if lang == "zh" else script.encoding
    return say_in("script_file_read", lang, name=name, format=fmt, encoding=encoding)


def read_upload(projects: Any, path: str, lang: str) -> tuple[Script, str]:
    """(the read script, its one line); ValueError with the sentence in the user's language."""
    try:
        script = projects.read_script_file(path)
    except FormatRefused as err:
        raise ValueError(refused_sentence(err, lang)) from None
    return script, read_line(script, lang)


def script_to_use(text: str | None, read: Script | None) -> str | Script:
    """The uploaded script while the text box still shows what was read (a workbook shows
    nothing), else the text box: an edited or pasted script is read as text."""
    text = text or ""
    if read is not None and (text.strip() == read.text.strip() if read.text else not text.strip()):
        return read
    return text
