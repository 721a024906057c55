"""studio.prompts: personalisation. `{variables}` in a script template (and in character
cards) filled from a CSV, one storyboard per row: a custom short for each student or
customer. `{{` and `}}` are literal braces; braces around anything that is not a name
are left alone. Errors name the row and the column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio.prompts.characters import CharacterCard

VARIABLE = re.compile(r"\{\{|\}\}|\{\s*([A-Za-z_\u3400-\u9fff][\w\u3400-\u9fff]*)\s*\}")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class CsvRow:
    number: int  # 1 = the first data row (the header is not counted)
    line: int  # the line in the file, for error messages
    values: dict[str, str]


def variables(template: str) -> list[str]:
    """The variable names `template` uses, in order of first use."""
    seen: list[str] = []
    for m in VARIABLE.finditer(template):
        if m.group(1) and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def fill(template: str, values: dict[str, str], row: int | None = None) -> str:
    """`template` with every {name} replaced; a missing or empty value is one sentence naming it."""

    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = m.group(1)
        where = f"Row {row}" if row is not None else "The values"
        if name not in values:
            known = ", ".join(values) or "none"
            raise ValueError(f"{where} has no column '{name}', which the script uses; the columns are: {known}.")
        if not str(values[name]).strip():
            raise ValueError(f"{where} has an empty value in column '{name}', which the script uses.")
        return str(values[name]).strip()

    return VARIABLE.sub(sub, template)


def read_csv(source: str | Path) -> list[CsvRow]:
    """Rows of a UTF-8 CSV file (a BOM is fine) with a header line; blank lines are skipped."""
    path = Path(source)
    if not path.is_file():
        raise ValueError(f"CSV file {str(path)!r} does not exist.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"CSV file {path.name!r} is not UTF-8 text; save it as UTF-8 CSV.") from None
    return parse_csv(text, path.name)


def parse_csv(text: str, name: str = "CSV") -> list[CsvRow]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError(f"{name} is empty; it needs a header line naming the columns.") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise ValueError(f"{name}: the header line names no columns.")
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise ValueError(f"{name}: column '{dupes[0]}' appears more than once in the header.")
    rows: list[CsvRow] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        number = len(rows) + 1
        if len(cells) > len(header):
            raise ValueError(f"{name}: row {number} (line {reader.line_num}) has {len(cells)} cells but the header "
                             f"names {len(header)} columns.")
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        rows.append(CsvRow(number, reader.line_num, values))
        if len(rows) > MAX_ROWS:
            raise ValueError(f"{name} has more than {MAX_ROWS:,} rows; split it into smaller files.")
    if not rows:
        raise ValueError(f"{name} has a header but no rows.")
    return rows


def personalise(template: str, rows: Sequence[CsvRow], characters: Sequence[CharacterCard] = ()
                ) -> list[tuple[CsvRow, str, list[CharacterCard]]]:
    """(row, filled script, filled character cards) for each row; checks every row before returning."""
    used = variables(template) + [v for c in characters for t in (c.name, c.appearance, *c.aliases) for v in variables(t)]
    if rows:
        missing = [v for v in dict.fromkeys(used) if v not in rows[0].values]
        if missing:
            raise ValueError(f"Row 1 has no column '{missing[0]}', which the script uses; the columns are: "
                             f"{', '.join(rows[0].values)}.")
    out = []
    for row in rows:
        script = fill(template, row.values, row.number)
        cards = [CharacterCard(fill(c.name, row.values, row.number), fill(c.appearance, row.values, row.number),
                               tuple(fill(a, row.values, row.number) for a in c.aliases), c.reference_image)
                 for c in characters]
        out.append((row, script, cards))
    return out
