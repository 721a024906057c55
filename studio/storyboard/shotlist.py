"""studio.storyboard: shot lists as CSV, TSV, XLSX and JSON -> beats, one per shot row.
The header row (it may sit below a title row) is mapped by studio.storyboard.tables;
section rows (one filled cell) start a scene, checklist rows and empty rows are no shots.
JSON may be a list of shot objects, {"shots": [...]}, or scenes holding shots."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from studio.storyboard.durations import cell_seconds
from studio.storyboard.split import Beat, has_words, take_duration
from studio.storyboard.tables import (
    SPEECH_ROLES,
    Row,
    header_roles,
    is_section_row,
    make_row,
    role,
    speech_lines,
)

NUMBERISH = re.compile(r"^\s*#?\d+[A-Za-z]?\s*$")
MAX_ROWS = 5000


def row_beat(row: Row, scene: int, heading: str, block: int) -> Beat | None:
    """One shot row as a beat (None for a row without picture or speech)."""
    visual = row.get("visual")
    dialogue: list[dict[str, str]] = []
    sound = [row.get("sound")] if row.get("sound") else []
    speaker = row.get("speaker")
    for column in SPEECH_ROLES:
        if row.get(column):
            lines, noises = speech_lines(row.get(column), column, speaker if column == "dialogue" else "")
            if column == "dialogue" and speaker:
                for line in lines:
                    line["speaker"] = line["speaker"] or speaker
            dialogue.extend(lines)
            sound.extend(noises)
    if not has_words(visual) and not dialogue:
        return None
    size, camera = row.get("size"), row.get("camera")
    if NUMBERISH.match(size):
        size = ""  # a "Shot" column holding shot numbers
    visual, seconds = take_duration(visual) if visual else ("", None)
    if row.get("duration"):
        seconds = cell_seconds(row.get("duration")) or take_duration(row.get("duration"))[1] or seconds
    elif row.get("start") and row.get("end") and seconds is None:  # start_time 0, end_time 5
        start, end = cell_seconds(row.get("start")), cell_seconds(row.get("end"))
        if end and end > (start or 0):
            seconds = round(end - (start or 0), 3)
    setting = row.get("setting")
    spoken = not has_words(visual)
    beat = Beat(text=visual, source=row.source, scene=scene, block=block, heading=heading, duration=seconds,
                camera_hint=" ".join(p for p in (size, camera) if p), spoken=spoken, dialogue=dialogue,
                speaker=next((d["speaker"] for d in dialogue if d["speaker"]), "") if spoken else "")
    beat.row_setting = "" if NUMBERISH.match(setting) else setting
    beat.sound = sound
    return beat


def rows_to_beats(table: list[list[Any]], sources: list[str] | None = None) -> list[Beat]:
    """Beats of a table given as rows of cells; ValueError when no header row names a
    picture or speech column."""
    start, roles = None, None
    for i, cells in enumerate(table[:15]):
        found = header_roles([str(c or "") for c in cells])
        if found is not None:
            start, roles = i, found
            break
    if roles is None or start is None:
        heads = ", ".join(str(c) for c in (table[0] if table else []) if str(c or "").strip())[:120]
        raise ValueError(f"The shot list's header ({heads or 'empty'}) names no picture or speech column; "
                         "accepted headers include 画面/内容/台词/旁白/字幕 and Description/Action/Visual/Dialogue/VO/Audio.")
    sources = sources or ["\t".join("" if c is None else str(c) for c in r) for r in table]
    beats: list[Beat] = []
    pending = sources[: start + 1]
    scene, heading, block = 1, "", 0
    for cells, source in zip(table[start + 1: start + 1 + MAX_ROWS], sources[start + 1:], strict=False):
        row = make_row(roles, list(cells), source)
        filled = sum(1 for c in cells if str(c or "").strip())
        if filled == 0:
            pending.append(source)
            continue
        if is_section_row(row, filled):
            title = next(str(c).strip() for c in cells if str(c or "").strip())
            if beats and not CHECK_ONLY.match(title):
                scene += 1
            heading = title if not CHECK_ONLY.match(title) else heading
            pending.append(source)
            continue
        block += 1
        beat = row_beat(row, scene, heading, block)
        if beat is None:
            pending.append(source)
            continue
        if pending:
            beat.source = "\n".join([*pending, beat.source])
            pending = []
        beats.append(beat)
    if pending and beats:
        beats[-1].source += "\n" + "\n".join(pending)
    return beats


CHECK_ONLY = re.compile(r"^\s*(?:\[[ xX✓]?\]|[☐☑☒✓✔✗✘])")


def read_delimited(text: str, delimiter: str) -> list[Beat]:
    lines = text.lstrip("\ufeff").splitlines()
    table = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    sources = [delimiter.join(r) for r in table]
    return rows_to_beats(table, sources)


def sniff_delimited(text: str) -> str | None:
    """"," or "\\t" when the text is a CSV / TSV shot list (a header row mapping a picture or
    speech column, and rows of about as many cells), else None."""
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return None
    for delimiter in ("\t", ",", ";"):
        try:
            table = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        for i, cells in enumerate(table[:5]):
            if len(cells) >= 2 and header_roles(cells) is not None and sum(r is not None for r in header_roles(cells)) >= 2:
                body = table[i + 1:]
                if body and sum(abs(len(r) - len(cells)) <= 1 for r in body) >= 0.8 * len(body):
                    return delimiter
    return None


def read_xlsx(data: bytes) -> list[Beat]:
    """Every sheet with a shot header, in order; ValueError for a workbook that cannot be read."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file  # noqa: BLE001
        raise ValueError(f"The Excel file cannot be read ({type(err).__name__}); save it again as .xlsx.") from None
    beats: list[Beat] = []
    errors = []
    for sheet in book.worksheets:
        table = [["" if c is None else (f"{c:g}" if isinstance(c, float) else str(c)) for c in row]
                 for _, row in zip(range(MAX_ROWS), sheet.iter_rows(values_only=True), strict=False)]
        table = [r for r in table if any(c.strip() for c in r)] or []
        if not table:
            continue
        try:
            sheet_beats = rows_to_beats(table)
        except ValueError as err:
            errors.append(str(err))
            continue
        offset = max((b.scene for b in beats), default=0)
        for b in sheet_beats:
            b.scene += offset
        beats.extend(sheet_beats)
    book.close()
    if not beats:
        raise ValueError(errors[0] if errors else "The Excel file has no rows.")
    return beats


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(_flatten(v) for v in value.values() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return "\n".join(_flatten(v) for v in value if v not in (None, "", [], {}))
    return "" if value is None else str(value)


def _speech_value(value: Any) -> str:
    """A dialogue value: a string, or [{"speaker"/"character": …, "line"/"text": …}]."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                who = item.get("speaker") or item.get("character") or item.get("name") or item.get("角色") or ""
                said = item.get("line") or item.get("text") or item.get("dialogue") or item.get("台词") or ""
                out.append(f"{who}：{said}" if who else str(said))
            else:
                out.append(str(item))
        return "\n".join(out)
    return _flatten(value)


def _shot_dicts(data: Any) -> list[tuple[dict[str, Any], str]]:
    """(shot object, scene heading) pairs: the first list of objects whose keys name a picture or speech."""
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        if header_roles([str(k) for k in data[0]]) is not None or header_roles(sorted({str(k) for x in data for k in x})):
            nested = [k for k in data[0] if isinstance(data[0][k], list) and data[0][k] and isinstance(data[0][k][0], dict)
                      and role(k) not in SPEECH_ROLES]
            if not nested:
                return [(x, "") for x in data]
        out: list[tuple[dict[str, Any], str]] = []
        for scene in data:  # scenes holding shots
            heading = next((str(scene[k]) for k in scene if role(k) == "setting" or str(k).lower() in
                            ("heading", "title", "name", "scene_heading", "标题", "场景名")), "")
            for value in scene.values():
                if isinstance(value, list):
                    out.extend((shot, heading or h) for shot, h in _shot_dicts(value))
        return out
    if isinstance(data, dict):
        for key in ("shots", "shot_list", "shotlist", "storyboard", "分镜", "镜头", "scenes", "场景", "items", "rows",
                    "segments", "seg", "shot", "sequence"):
            if key in data:
                value = data[key]
                if isinstance(value, dict) and header_roles([str(k) for k in value]) is not None:
                    return [(value, "")]  # one shot: {"shot": {"subj": …, "act": …}}
                found = _shot_dicts(value)
                if found:
                    return found
        for value in data.values():
            found = _shot_dicts(value)
            if found:
                return found
    return []


def read_json(text: str) -> tuple[list[Beat], dict[str, str]]:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as err:
        raise ValueError(f"The JSON shot list is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}).") from None
    shots = _shot_dicts(data)
    if not shots:
        raise ValueError("The JSON file holds no list of shots; accepted: a list of shot objects or {\"shots\": [...]} "
                         "with keys such as description/visual/画面 and dialogue/vo/台词.")
    meta = {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)} if isinstance(data, dict) else {}
    beats: list[Beat] = []
    scene, last_heading = 0, None
    for block, (shot, heading) in enumerate(shots[:MAX_ROWS], start=1):
        keys = list(shot)
        roles = [role(k) for k in keys]
        values = [_speech_value(shot[k]) if r in SPEECH_ROLES else _flatten(shot[k]) for k, r in zip(keys, roles, strict=True)]
        row = make_row(roles, values, json.dumps(shot, ensure_ascii=False))
        if heading != last_heading or scene == 0:
            scene, last_heading = scene + 1, heading
        beat = row_beat(row, scene, heading, block)
        if beat is not None:
            beats.append(beat)
        elif beats:
            beats[-1].source += "\n" + row.source
    return beats, meta


AV_HEADER = re.compile(r"^\s*(VIDEO|VISUALS?|PICTURE|画面|视频)(\s{3,}|\t+)(AUDIO|SOUND|声音|音频)\s*$", re.I)
AV_RULE = re.compile(r"^[\s\-=_|+]+$")
AV_LABEL = re.compile(r"^[A-Z][A-Z0-9 .'()/-]{0,30}:")


def read_av_columns(text: str) -> list[Beat] | None:
    """A two-column VIDEO | AUDIO script laid out with spaces (agency style): one shot per
    VIDEO cell; AUDIO lines beside an empty VIDEO cell belong to the shot above. None when
    the text does not start with such a header."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not AV_HEADER.match(lines[start].expandtabs(8)):
        return None
    header = lines[start].expandtabs(8)
    split_at = AV_HEADER.match(header).start(3)  # type: ignore[union-attr]
    rows: list[dict[str, Any]] = []
    pending = [lines[start]]
    left_blank = True
    for raw in lines[start + 1:]:
        line = raw.expandtabs(8)
        if AV_RULE.match(line) and line.strip():
            pending.append(raw)
            continue
        cut = split_at
        if len(line) > cut and line[cut - 1: cut] not in (" ", "|") and "  " in line:  # misaligned: nearest gap
            gaps = [m.end() for m in re.finditer(r"\s{2,}|\|", line)]
            cut = min(gaps, key=lambda g: abs(g - split_at)) if gaps else cut
        left, right = line[:cut].strip().strip("|").strip(), line[cut:].strip().strip("|").strip()
        if left and (left_blank or not rows):
            rows.append({"video": [], "audio": [], "source": []})
        left_blank = not left
        if not rows:
            pending.append(raw)
            continue
        row = rows[-1]
        row["source"].append(raw)
        if left:
            row["video"].append(left)
        if right:
            if AV_LABEL.match(right) or not row["audio"] or row.get("gap"):
                row["audio"].append(right)
            else:
                row["audio"][-1] += " " + right
        row["gap"] = not right
    beats: list[Beat] = []
    for block, row in enumerate(rows, start=1):
        video = " ".join(row["video"])
        camera = ""
        label = re.match(r"^([A-Z][A-Z ]{1,24}):\s*", video)
        if label and label.group(1).strip() not in ("SUPER", "TITLE", "LOGO"):
            camera, video = label.group(1), video[label.end():]
        values = {"visual": video, "audio": "\n".join(a for a in row["audio"] if a), "camera": camera}
        beat = row_beat(Row("\n".join(row["source"]), {k: v for k, v in values.items() if v}), 1, "", block)
        if beat is None:
            if beats:
                beats[-1].source += "\n" + "\n".join(row["source"])
            continue
        beat.marked = True
        beats.append(beat)
    if beats:
        beats[0].source = "\n".join([*pending, beats[0].source])
    return beats or None
