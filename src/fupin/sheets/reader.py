"""Reading import files as they really come (读取): xlsx / xls / csv (UTF-8, GBK, GB18030),
title rows above the header, merged header cells, numbers where text was meant.

Shared by every import (the exchange's sources, the insurance claims and identity lists): a
source declares its columns as `Field`s with their header synonyms. Django-free but for
`upload_limits`, which reads the settings when called. Returns the cells as Python values with
their Excel row numbers; the header row is found by how many known column names it holds. The file itself is read by
`fupin.sheets.read` (size and range checks, then a parse in a memory-limited child process).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from .read import FileFault, Limits, check_size, col_letter, read_cells

HEADER_SCAN_ROWS = 12
__all__ = [
    "Field",
    "FileFault",
    "Limits",
    "Table",
    "check_upload_size",
    "norm",
    "synonym_index",
    "upload_limits",
    "check_size",
    "col_letter",
    "raw_rows",
    "find_table",
    "cell_text",
    "id_cell",
]


@dataclass(frozen=True)
class Field:
    name: str  # staging column
    label: str  # the template's header
    synonyms: tuple[str, ...] = ()
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # accepted text → code
    kind: str = "text"  # text | id | code12 | year | grade | bool | area
    example: str = ""


def norm(text: object) -> str:
    """Header/label text normalised: half-width, no spaces, no *, no bracketed notes."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"[（(【\[].*?[)）】\]]", "", s)
    return re.sub(r"[\s*＊:：]", "", s).lower()


def synonym_index(fields: list[Field]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        for s in (f.label, *f.synonyms):
            out.setdefault(norm(s), f)
    return out


def upload_limits() -> Limits:
    """The configured upload size and parser memory (settings), with the reader's other limits."""
    from django.conf import settings

    return Limits(
        max_bytes=settings.MAX_UPLOAD_BYTES, memory_bytes=settings.READER_MEMORY_MB * 1024 * 1024
    )


def check_upload_size(size: int) -> None:
    """The one upload-size rule of the page, the API and the command line (FileFault, Chinese)."""
    check_size(size, upload_limits())


@dataclass
class Table:
    columns: dict[str, int]  # staging field name → column index
    headers: dict[str, str]  # staging field name → header text as found in the file
    rows: list[tuple[int, list]]  # (Excel/CSV row number, cells)
    ignored: list[str]  # header cells not recognised


def raw_rows(data: bytes, filename: str, limits: Limits | None = None) -> list[list]:
    """All cells of the first sheet (or the CSV) as lists; checked and parsed out of harm's way
    (`fupin.sheets.read`): a hostile file fails with a FileFault, never takes the process down."""
    return read_cells(data, filename, limits)


def _header_names(rows: list[list], at: int) -> list[str]:
    """Header texts of row `at`; an empty cell under a merged cell above takes that cell's text."""
    width = max((len(r) for r in rows[: at + 1]), default=0)
    lower = [norm(c) for c in rows[at]] + [""] * (width - len(rows[at]))
    if at == 0:
        return lower
    upper = [norm(c) for c in rows[at - 1]] + [""] * (width - len(rows[at - 1]))
    filled, last = [], ""
    for c in upper:  # a horizontally merged cell keeps its text in the first column only
        last = c or last
        filled.append(last)
    return [lo or up for lo, up in zip(lower, filled, strict=True)]


def find_table(rows: list[list], fields: list[Field]) -> Table:
    index = synonym_index(fields)
    best, best_hits = -1, 0
    for i in range(min(HEADER_SCAN_ROWS, len(rows))):
        hits = len({index[n].name for n in _header_names(rows, i) if n in index})
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0:
        expected = "、".join(f.label for f in fields if f.required)
        raise FileFault(f"未找到表头：前{HEADER_SCAN_ROWS}行中没有可识别的列名（应含：{expected}）")
    names = _header_names(rows, best)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    for j, n in enumerate(names):
        f = index.get(n)
        if f is None:
            if n:
                ignored.append(
                    str(rows[best][j] if j < len(rows[best]) and rows[best][j] != "" else n)
                )
            continue
        if f.name in columns:
            raise FileFault(
                f"表头第{best + 1}行：列“{headers[f.name]}”（{col_letter(columns[f.name])}列）与{col_letter(j)}列重复"
            )
        columns[f.name] = j
        headers[f.name] = (
            str(rows[best][j]) if j < len(rows[best]) and rows[best][j] != "" else f.label
        )
    missing = [
        f.label for f in fields if f.required and f.name not in columns and f.name != "village_code"
    ]
    if missing:
        raise FileFault(f"表头第{best + 1}行缺少必填列：{'、'.join(missing)}")
    data = []
    for i in range(best + 1, len(rows)):
        row = rows[i]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        data.append((i + 1, list(row)))
    return Table(columns, headers, data, ignored)


def cell_text(value: object) -> str | None:
    """A non-ID cell as text: whole floats lose their .0, dates become ISO, blanks None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text or None


def id_cell(value: object) -> object:
    """An ID cell for parse_id_number: a number can carry only 15 digits exactly."""
    if isinstance(value, float) and value.is_integer() and value < 1e15:
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value < 10**15 else float(value)
    return value
