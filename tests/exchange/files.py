"""Real import files for the tests: xlsx through xlsxwriter, csv in UTF-8 or GBK."""

import csv
import io
from pathlib import Path

import xlsxwriter

from fupin.registry.idnumber import check_char

FIXTURES = Path(__file__).with_name("fixtures")
VILLAGE_A = "360222100001"  # 浮梁镇 城南居委会
VILLAGE_B = "360222101001"  # 鹅湖镇

ROSTER_HEADER = ["户编号", "村代码", "识别年度", "主要致贫原因", "身份证号", "姓名", "与户主关系"]


def idn(body17: str) -> str:
    return body17 + check_char(body17)


def person_id(n: int, year: int = 1980, sex: str = "男") -> str:
    """A valid county ID number, distinct for each n (n < 500)."""
    seq = (n % 500) * 2 + (1 if sex == "男" else 0)
    return (
        idn(f"360222{year}0101{seq:03d}")
        if n < 500
        else idn(f"360222{year + n // 500}0101{seq:03d}")
    )


def xlsx(
    rows: list[list],
    *,
    title_rows: list[str] = (),
    header: list[str] | None = None,
    merged_header: list[tuple[int, int, str]] | None = None,
    numeric_cells: set[tuple[int, int]] = frozenset(),
) -> bytes:
    """An xlsx with optional title rows, an optional merged group row above the header, and
    optionally some (row index, column) cells written as numbers (as Excel does when someone types an ID)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Sheet1")
    r = 0
    width = len(header or rows[0])
    for t in title_rows:
        sheet.merge_range(r, 0, r, max(width - 1, 1), t)
        r += 1
    if merged_header:
        for c0, c1, text in merged_header:
            if c1 > c0:
                sheet.merge_range(r, c0, r, c1, text)
            else:
                sheet.write_string(r, c0, text)
        r += 1
    if header:
        sheet.write_row(r, 0, header)
        r += 1
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None:
                continue
            if (i, j) in numeric_cells:
                sheet.write_number(r, j, float(v))
            elif isinstance(v, int | float):
                sheet.write_number(r, j, v)
            else:
                sheet.write_string(r, j, str(v))
        r += 1
    book.close()
    return buf.getvalue()


def csv_bytes(rows: list[list], header: list[str], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def roster_rows(
    number: str,
    village: str,
    people: list[tuple[str, str, str]],
    year: int = 2016,
    cause: str = "因病",
) -> list[list]:
    """Rows of one household: the head row carries the household columns."""
    out = []
    for i, (id_number, name, relation) in enumerate(people):
        if i == 0:
            out.append([number, village, year, cause, id_number, name, relation])
        else:
            out.append([number, None, None, None, id_number, name, relation])
    return out
