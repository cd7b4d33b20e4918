"""A streaming xlsx writer for the big payment lists (经办机构名单: 300,000 lines in a few seconds).

xlsxwriter's constant-memory mode still spends a Python method call and a few checks per cell
(≈ 29 s for a 300,000-line batch on this loaded machine); this writer builds each row's XML with one
format string and streams it into the zip part, so its time is the query's plus the compression's.
It writes only what a list needs: one or more sheets of text and number cells, a bold header row.

The export safety of `fupin.sheets.write` holds: every text is an inline string cell (`t="inlineStr"`),
never a formula, a link or a number guessed from text; a text that a spreadsheet could take for a
formula (`dangerous`) gets the quote-prefix style, so it stays text even when edited; numbers are
written as numbers. XML metacharacters are escaped and characters XML 1.0 cannot carry are written
as Excel's `_xHHHH_` escapes (a literal `_xHHHH_` in the text is itself escaped), as xlsxwriter does.
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from fupin.sheets.write import SQL_STARTS, dangerous

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
CHUNK = 5000

STYLE_PLAIN, STYLE_QUOTED, STYLE_HEAD = 0, 1, 2

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{sheets}"
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"


def _escape_match(m: re.Match) -> str:
    s = m.group(0)
    if s in _ESCAPES:
        return _ESCAPES[s]
    if len(s) == 1:
        return f"_x{ord(s):04X}_"
    return "_x005F_" + s  # a literal _xHHHH_ that Excel would otherwise decode


def xml_text(text: str) -> str:
    return _SPECIAL.sub(_escape_match, text) if _SPECIAL.search(text) else text


def sheet_name(title: str, used: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub("_", title).strip("'")[:31] or "Sheet"
    base, k = name, 1
    while name.lower() in used:
        k += 1
        name = f"{base[: 31 - len(str(k)) - 1]}_{k}"
    used.add(name.lower())
    return name


# Cells carry no reference (`r` is optional in the format): the n-th <c> of a row is its n-th column,
# so an empty value is an empty cell <c/>, never a skipped one.


def cell(value: object, head: bool = False) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        else:
            return f'<c s="2"><v>{value!r}</v></c>' if head else f"<c><v>{value!r}</v></c>"
    text = str(value)
    style = (STYLE_HEAD if head else STYLE_PLAIN) + (1 if dangerous(text) else 0)
    s = f' s="{style}"' if style else ""
    return f'<c{s} t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def row_xml(n: int, values: Iterable[object], head: bool = False) -> str:
    return f'<row r="{n}">{"".join(cell(v, head) for v in values)}</row>'


def _rows_xml(rows: Iterable[Iterable[object]], start: int) -> Iterator[str]:
    """The rows' XML in chunks. A row is a list of values, or a `Rendered` row (XML from SQL)."""
    buf: list[str] = []
    r = start
    for row in rows:
        r += 1
        if type(row) is Rendered:
            buf.append(f'<row r="{r}">{row.xml}</row>')
        else:
            buf.append(row_xml(r, row))
        if len(buf) >= CHUNK:
            yield "".join(buf)
            buf.clear()
    if buf:
        yield "".join(buf)


class Rendered:
    """A row whose cells' XML the database already wrote (`sql_text_cell`, `sql_number_cell`)."""

    __slots__ = ("xml",)

    def __init__(self, xml: str):
        self.xml = xml


# The same cells written by PostgreSQL or SQLite, for lists too long to format cell by cell in Python.
# A text that needs more than &, <, > escaped (control characters, a literal _xHHHH_) is rare in
# names and ID numbers; the query flags such rows (`sql_needs_python`) and Python writes them.
_OPEN = '\'<c t="inlineStr"><is><t xml:space="preserve">\''
_OPEN_QUOTED = '\'<c s="1" t="inlineStr"><is><t xml:space="preserve">\''


def sql_text_cell(expr: str, vendor: str) -> str:
    starts = SQL_STARTS if vendor == "postgresql" else SQL_STARTS.replace("chr(", "char(")
    escaped = f"replace(replace(replace({expr}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return (
        f"(CASE WHEN {expr} IS NULL OR {expr} = '' THEN '<c/>' "
        f"WHEN substr({expr}, 1, 1) IN {starts} THEN {_OPEN_QUOTED} || {escaped} || '</t></is></c>' "
        f"ELSE {_OPEN} || {escaped} || '</t></is></c>' END)"
    )


def sql_number_cell(expr: str) -> str:
    return f"('<c><v>' || CAST({expr} AS text) || '</v></c>')"


def sql_needs_python(exprs: Iterable[str], vendor: str) -> str:
    if vendor == "postgresql":
        test = "{e} ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{{4}}_'"
    else:  # SQLite: GLOB classes (rows it flags wrongly are only written the slower way)
        test = (
            "({e} GLOB '*[' || char(1,2,3,4,5,6,7,8,11,12,14,15,16,17,18,19,20,21,22,23,24,"
            "25,26,27,28,29,30,31) || ']*' OR {e} GLOB "
            "'*_x[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]_*')"
        )
    return "(" + " OR ".join(test.format(e=e) for e in exprs) + ")"


def write_xlsx(
    out: IO[bytes], sheets: list[tuple[str, list[str], Iterable[Iterable[object]]]]
) -> None:
    """Write the sheets (title, header, rows) as an xlsx into the binary file `out`."""
    used: set[str] = set()
    names = [sheet_name(title, used) for title, _, _ in sheets]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(SHEET_TYPE.format(n=i + 1) for i in range(len(sheets)))
            ),
        )
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{xml_text(n).replace(chr(34), "&quot;")}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, n in enumerate(names)
                )
            ),
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                sheets="".join(
                    f'<Relationship Id="rId{i + 1}" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                    f'Target="worksheets/sheet{i + 1}.xml"/>'
                    for i in range(len(sheets))
                )
            ),
        )
        zf.writestr("xl/styles.xml", STYLES)
        for i, (_, header, rows) in enumerate(sheets):
            with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as part:
                part.write(SHEET_HEAD.encode())
                part.write(row_xml(1, header, head=True).encode())
                for chunk in _rows_xml(rows, 1):
                    part.write(chunk.encode())
                part.write(SHEET_TAIL.encode())


def xlsx_file(sheets: list[tuple[str, list[str], Iterable[Iterable[object]]]]) -> IO[bytes]:
    """The workbook in a temporary file, rewound (constant memory: rows are streamed)."""
    tmp = tempfile.TemporaryFile()
    write_xlsx(tmp, sheets)
    tmp.seek(0)
    return tmp
