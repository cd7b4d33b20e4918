"""Reading an untrusted spreadsheet without letting it exhaust the machine (读取上传的表格文件).

A 1.5 KB xlsx can claim the range A1:XFD1048576 and put one cell there: a reader that builds
the sheet as a grid then asks for 512 GB and the process aborts, taking a background worker
with it. So, for every file:

1. before any parsing, in this process and in bounded memory: the file size (the upload
   limit), for zip-based files (xlsx) the number of entries and their total uncompressed size
   (zip bombs) and the range the first sheet declares (`<dimension ref=…>`); for CSV the
   column count of every line without quotes (a 10-million-column line is refused unread);
2. then the parse runs in a child process (`python -m fupin.sheets.child`) whose address
   space and CPU time are limited. There the real range of the sheet is checked before its
   cells become Python objects, and every CSV row's width and cell length are checked (with a
   row and column in the message). Whatever a file does to the parser — a lying range, a
   shared-string bomb, a malformed xls — at worst the child dies, and the caller gets a
   `FileFault` with a Chinese message instead of a dead worker.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import re
import signal
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

MB = 1024 * 1024
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")


class FileFault(ValueError):
    """The file as a whole cannot be read; the message is Chinese."""


@dataclass(frozen=True)
class Limits:
    """How big an uploaded file may be, in each sense. Callers pass the configured upload size."""

    max_bytes: int = 60 * MB  # the file as uploaded
    max_uncompressed: int = 512 * MB  # all entries of an xlsx (a zip) together, inflated
    max_zip_entries: int = 10_000
    max_rows: int = 1_000_000
    max_columns: int = 1_000
    max_cells: int = 10_000_000  # rows × columns of the sheet's range, empty cells included
    max_cell_chars: int = 32_767  # what one Excel cell can hold
    memory_bytes: int = 2048 * MB  # the parsing child's address space
    seconds: int = 300  # the parsing child's CPU and wall time


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n % MB else f"{n // MB:,} MB"


def _range_fault(
    where: str, rows: int, cols: int, limits: Limits, ref: str = ""
) -> FileFault | None:
    if rows <= limits.max_rows and cols <= limits.max_columns and rows * cols <= limits.max_cells:
        return None
    shown = f"{ref}，" if ref else ""
    return FileFault(
        f"{where}的数据范围为 {shown}{rows:,} 行 × {cols:,} 列，超过上限（最多 "
        f"{limits.max_rows:,} 行、{limits.max_columns:,} 列、"
        f"共 {limits.max_cells:,} 个单元格）：请删除数据区域以外多余的行、"
        "列（或把需要导入的数据复制到新表）后另存再上传"
    )


def check_size(size: int, limits: Limits) -> None:
    """The one upload-size rule (page, API, command line)."""
    if size > limits.max_bytes:
        raise FileFault(f"文件过大（{_mb(size)}），上限为 {_mb(limits.max_bytes)}")


# -- checks before parsing (this process, bounded memory) ---------------------------------------

_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Za-z]{1,3})?([0-9]{1,9})?(?::([A-Za-z]{1,7})([0-9]{1,12}))?"'
)
_FIRST_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\b(?:\w+:)?id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)="([^"]*)"')


def _small_entry(z: zipfile.ZipFile, name: str, limit: int = MB) -> bytes:
    try:
        info = z.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > limit:
        return b""
    with z.open(info) as f:
        return f.read(limit)


def _first_sheet(z: zipfile.ZipFile) -> tuple[str, str] | None:
    """(sheet name, zip entry) of the workbook's first sheet, the one that is read."""
    match = _FIRST_SHEET.search(_small_entry(z, "xl/workbook.xml"))
    if not match:
        return None
    name, rid = match.group(1).decode("utf-8", "replace"), match.group(2)
    for rel in _RELATIONSHIP.findall(_small_entry(z, "xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(rel))
        if attrs.get(b"Id") == rid and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace")
            return name, target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _check_zip(data: bytes, filename: str, limits: Limits) -> None:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FileFault(f"无法读取 Excel 文件“{filename}”：文件已损坏或不是 Excel 格式") from None
    if len(infos) > limits.max_zip_entries:
        raise FileFault(
            f"Excel 文件“{filename}”内含 {len(infos):,} 个部件，超过上限 "
            f"{limits.max_zip_entries:,}：文件结构异常，请另存为新文件再上传"
        )
    inflated = sum(i.file_size for i in infos)
    if inflated > limits.max_uncompressed:
        raise FileFault(
            f"Excel 文件“{filename}”解压后共 {_mb(inflated)}，超过上限 {_mb(limits.max_uncompressed)}"
            f"（压缩比异常，可能是“压缩炸弹”）：请只保留需要导入的数据，另存为新文件再上传"
        )
    first = _first_sheet(z)
    if first is None:
        return  # not an xlsx laid out as usual: the child's own range check still applies
    name, entry = first
    try:
        with z.open(entry) as f:
            head = f.read(64 * 1024)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    m = _DIMENSION.search(head)
    if not m:
        return
    first_col, first_row, last_col, last_row = (g.decode() if g else None for g in m.groups())
    col = (last_col or first_col or "A").upper()
    row = int(last_row or first_row or 1)
    ref = f"{first_col or ''}{first_row or ''}" + (f":{last_col}{last_row}" if last_col else "")
    fault = _range_fault(f"工作表“{name}”声明", row, col_index(col) + 1, limits, ref.upper())
    if fault:
        raise fault


def _csv_delimiter(data: bytes) -> bytes:
    # Byte counts suffice: in UTF-8, GBK and GB18030 no byte of a multi-byte character is a comma or tab.
    sample = data[:4096]
    return b"\t" if sample.count(b"\t") > sample.count(b",") else b","


def _check_csv(data: bytes, limits: Limits) -> None:
    """Lines with too many columns, found without parsing (exact while no quote has been seen)."""
    delimiter = _csv_delimiter(data)
    start = 0
    line_no = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line_no += 1
        if end - start > limits.max_columns:
            line = data[start:end]
            if b'"' in line:
                return  # quoted fields from here on: only the parser knows the columns
            columns = line.count(delimiter) + 1
            if columns > limits.max_columns:
                raise FileFault(
                    f"第{line_no}行有 {columns:,} 列，超过上限 {limits.max_columns:,} 列：请检查分隔符或删除多余的列"
                )
        elif b'"' in data[start:end]:
            return
        start = end + 1


def precheck(data: bytes, filename: str, limits: Limits) -> str:
    """Checks that need no parsing; returns the kind of file ("csv" or "excel")."""
    check_size(len(data), limits)
    name = filename.lower()
    if name.endswith(CSV_SUFFIXES):
        _check_csv(data, limits)
        return "csv"
    if not name.endswith(EXCEL_SUFFIXES):
        raise FileFault(f"不支持的文件类型“{filename}”：请上传 xlsx、xls 或 csv 文件")
    if data[:2] == b"PK":  # xlsx, xlsm, xlsb, ods — whatever the name says
        _check_zip(data, filename, limits)
    return "excel"


# -- parsing (in the child) ---------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileFault("无法识别文件编码：CSV 文件应为 UTF-8 或 GBK/GB18030 编码")


def parse_csv(data: bytes, limits: Limits) -> list[list]:
    import csv

    text = _decode(data)
    delimiter = _csv_delimiter(data).decode()
    # The csv module's own field limit (131,072) would fail with an English error and no column;
    # cell lengths are checked below against Excel's limit instead, with the row and column.
    csv.field_size_limit(max(len(text), 1) + 1)
    rows, cells = [], 0
    for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if len(row) > limits.max_columns:
            raise FileFault(
                f"第{n}行有 {len(row):,} 列，超过上限 {limits.max_columns:,} 列：请检查分隔符或删除多余的列"
            )
        if row and max(map(len, row)) > limits.max_cell_chars:
            j = next(j for j, cell in enumerate(row) if len(cell) > limits.max_cell_chars)
            raise FileFault(
                f"第{n}行第{j + 1}列（{col_letter(j)}列）的内容有 {len(row[j]):,} 个字符，"
                f"超过每个单元格 {limits.max_cell_chars:,} 个字符的上限"
                f"（与 Excel 相同）：请检查该处的引号是否成对"
            )
        cells += len(row)
        if n > limits.max_rows or cells > limits.max_cells:
            raise FileFault(
                f"文件超过上限（最多 {limits.max_rows:,} 行、共 {limits.max_cells:,} 个单元格）：请分成几个文件上传"
            )
        rows.append(row)
    return rows


def parse_excel(data: bytes, filename: str, limits: Limits) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileFault(
            f"无法读取 Excel 文件“{filename}”：文件已损坏或不是 Excel 格式（{type(exc).__name__}）"
        ) from None
    if sheet.end is not None:  # the grid from A1 to the last cell: what becomes Python objects
        rows, cols = sheet.end[0] + 1, sheet.end[1] + 1
        fault = _range_fault(
            f"工作表“{sheet.name}”实际", rows, cols, limits, f"A1:{col_letter(cols - 1)}{rows}"
        )
        if fault:
            raise fault
    return sheet.to_python(skip_empty_area=False)


def parse(data: bytes, filename: str, limits: Limits) -> list[list]:
    """The parse itself, after `precheck`; run only in the child process."""
    if filename.lower().endswith(CSV_SUFFIXES):
        return parse_csv(data, limits)
    return parse_excel(data, filename, limits)


# -- the child process --------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    package_root = str(Path(__file__).resolve().parents[2])  # the directory holding fupin/
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env["RUST_BACKTRACE"] = "0"
    return env


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')


def _far_corner(data: bytes) -> tuple[str, int, int] | None:
    """(sheet name, rows, columns) of an xlsx's first sheet from its cell references, streamed.

    Only run after a parse died, to say where the sheet really ends (its <dimension> may lie)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        first = _first_sheet(z)
        if first is None:
            return None
        rows = cols = 0
        with z.open(first[1]) as f:
            carry = b""
            while chunk := f.read(4 * MB):
                buf = carry + chunk
                cut = buf.rfind(b"<")
                body, carry = (buf, b"") if cut < 0 else (buf[:cut], buf[cut:][: 64 * 1024])
                for letters, row in _CELL_REF.findall(body):
                    rows, cols = max(rows, int(row)), max(cols, col_index(letters.decode()) + 1)
        return first[0], rows, cols
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return None


def _died(filename: str, data: bytes, returncode: int, stderr: bytes, limits: Limits) -> FileFault:
    text = stderr.decode("utf-8", "replace")
    if (
        "memory allocation" in text
        or "MemoryError" in text
        or returncode in (-signal.SIGABRT, -signal.SIGKILL)
    ):
        corner = _far_corner(data) if data[:2] == b"PK" else None
        if corner:
            name, rows, cols = corner
            fault = _range_fault(
                f"工作表“{name}”实际", rows, cols, limits, f"A1:{col_letter(cols - 1)}{rows}"
            )
            if fault:
                return fault
        return FileFault(
            f"文件“{filename}”读取时所需内存超过上限（{_mb(limits.memory_bytes)}），"
            "已停止读取：表格的实际范围可能远大于其中的数据"
            f"（例如在很远的行列里有一个单元格），或文件被构造为“压缩炸弹”。请把需要导入的数据复制到新表，另存后再上传"
        )
    if returncode == -signal.SIGXCPU:
        return FileFault(
            f"文件“{filename}”读取超过 {limits.seconds} 秒，已停止读取：文件过大或结构异常，请分成几个文件上传"
        )
    return FileFault(
        f"文件“{filename}”无法读取：读取进程异常退出（代码 {returncode}），文件可能已损坏或结构异常"
    )


def read_cells(data: bytes, filename: str, limits: Limits | None = None) -> list[list]:
    """All cells of the first sheet (or of the CSV), from A1, as lists of Python values.

    Raises FileFault (Chinese) for anything the file does wrong, including killing its parser.
    """
    limits = limits or Limits()
    precheck(data, filename, limits)  # cheap, and spares a child for the obvious cases
    request = pickle.dumps((data, filename, asdict(limits)), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        done = subprocess.run([sys.executable, "-m", "fupin.sheets.child"], input=request, capture_output=True,
                              timeout=limits.seconds + 30, env=_child_env())  # fmt: skip
    except subprocess.TimeoutExpired:
        raise FileFault(
            f"文件“{filename}”读取超过 {limits.seconds} 秒，已停止读取：文件过大或结构异常，请分成几个文件上传"
        ) from None
    if done.returncode != 0 or not done.stdout:
        raise _died(filename, data, done.returncode, done.stderr, limits)
    gc.disable()  # hundreds of thousands of fresh objects: the collector would only slow this down
    try:
        status, payload = pickle.loads(done.stdout)
    finally:
        gc.enable()
    if status == "fault":
        raise FileFault(payload)
    return payload
