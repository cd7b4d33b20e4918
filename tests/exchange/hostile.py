"""Hostile upload files, written byte by byte here (not by the libraries the reader uses).

Each is small on disk and tries to make a naive reader allocate far more memory than the
machine has, or to slip past a check: a sheet that claims A1:XFD1048576, a sheet that claims
A1:B2 but has a cell at XFD1048576, a zip whose one entry inflates to 600 MB, a CSV line of
10 million columns, a CSV field longer than the csv module's limit, an xls with a cell in a
column no BIFF8 file can have.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http:'
    '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http:'
    '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(cells: list[tuple[str, str]], dimension: str | None) -> str:
    """A worksheet of inline-string cells given as (reference, text), e.g. ("XFD1048576", "x")."""
    rows: dict[int, list[tuple[str, str]]] = {}
    for ref, text in cells:
        rows.setdefault(int(re.sub("[A-Z]", "", ref)), []).append((ref, text))
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{ref}" t="inlineStr"><is><t>{_esc(text)}</t></is></c>' for ref, text in cs
        )
        + "</row>"
        for r, cs in sorted(rows.items())
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http:'
            '//schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{body}</sheetData></worksheet>")  # fmt: skip


def xlsx(sheet: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


HEADER_CELLS = [("A1", "户编号"), ("B1", "身份证号"), ("C1", "姓名"), ("D1", "与户主关系")]


def dimension_bomb() -> bytes:
    """The file of the report: 1.5 KB, claims A1:XFD1048576, one cell there and one in A1."""
    return xlsx(sheet_xml([("A1", "户编号"), ("XFD1048576", "x")], "A1:XFD1048576"))


def lying_dimension() -> bytes:
    """Claims A1:D2 (harmless) but has a cell at XFD1048576."""
    return xlsx(sheet_xml([*HEADER_CELLS, ("XFD1048576", "x")], "A1:D2"))


def zip_bomb(inflated: int = 600 * 1024 * 1024) -> bytes:
    """A normal-looking sheet whose shared-string table inflates to `inflated` bytes (about 1 MB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml([*HEADER_CELLS, ("A2", "H1")], "A1:D2"))
        # The shared-string table, which a reader keeps in memory whole: one string of `inflated` bytes.
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http:'
                b'//schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                b'uniqueCount="1"><si><t>'
            )
            block = b"A" * (1024 * 1024)
            for _ in range(inflated // len(block)):
                f.write(block)
            f.write(b"</t></si></sst>")
    return buf.getvalue()


def wide_csv(columns: int = 10_000_000) -> bytes:
    """One header line, then one line of `columns` columns (about 10 MB)."""
    return "户编号,身份证号,姓名,与户主关系\n".encode() + b"x," * (columns - 1) + b"x\n"


def long_field_csv(chars: int = 200_000) -> bytes:
    """Row 2, column C holds a quoted field longer than csv.field_size_limit() (131,072 by default)."""
    return (
        '户编号,身份证号,姓名,与户主关系\nH1,360222198001010011,"' + "长" * chars + '",户主\n'
    ).encode()


# -- xls: a BIFF8 workbook stream inside an OLE2 compound file ----------------------------------


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def biff8(cells: list[tuple[int, int, float]], dimension: tuple[int, int, int, int]) -> bytes:
    """Globals (BOF, CODEPAGE, BOUNDSHEET, EOF) and one sheet (BOF, DIMENSIONS, NUMBER cells, EOF)."""
    sheet = _bof(0x10) + _record(0x0200, struct.pack("<IIHHH", *dimension, 0))
    for row, col, value in cells:
        sheet += _record(0x0203, struct.pack("<HHHd", row, col, 0, value))
    sheet += _record(0x000A)
    name = b"Sheet1"

    def globals_(offset: int) -> bytes:
        boundsheet = _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
        return _bof(0x05) + _record(0x0042, struct.pack("<H", 1200)) + boundsheet + _record(0x000A)

    return globals_(len(globals_(0))) + sheet


def ole2(stream: bytes) -> bytes:
    """A compound file holding one stream named Workbook (padded past the 4 KB mini-stream cutoff)."""
    size = max(4096, -(-len(stream) // 512) * 512)
    stream += bytes(size - len(stream))
    n = size // 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0)
              + struct.pack("<I", free) * 108)  # fmt: skip
    fat = [fat_sector, end] + list(range(3, 2 + n)) + [end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, length: int, child: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", free, free, child)
                + bytes(36) + struct.pack("<IIi", start, length, 0))  # fmt: skip

    directory = (entry("Root Entry", 5, end, 0, child=1) + entry("Workbook", 2, 2, size)).ljust(
        512, b"\0"
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def lying_xls() -> bytes:
    """DIMENSIONS says one cell; a NUMBER record sits at row 65535, column 65535 (BIFF8 stops at 256 columns)."""
    return ole2(biff8([(0, 0, 1.0), (65535, 65535, 2.0)], (0, 1, 0, 1)))


def small_xls() -> bytes:
    return ole2(biff8([(0, 0, 1.0), (1, 1, 2.0)], (0, 2, 0, 2)))
