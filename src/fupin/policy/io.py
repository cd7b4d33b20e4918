"""Reading claim files and writing settlement files (结算文件) (CSV, XLSX, Parquet), without Django.

Readers return a table of strings so one validator (`claims.parse_claims`) judges every
format alike. `read_claims_file(typed=True)` is the fast happy path for CSV: the amount columns
are parsed by Polars' CSV reader straight into floats (the very values `parse_claims` gets by
casting their text); `cli.parse_claims_file` falls back to the string table on any fault, so
what is judged and reported on a faulty file is always the text (tests/policy/test_typed_read.py).
Writers go through a temporary file and a rename: a failed run leaves no output file behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path

import polars as pl

from fupin.policy.batch import PARTS
from fupin.policy.claims import AMOUNT_COLUMNS, COLUMNS, OPTIONAL_COLUMNS, ClaimsError, Fault

READABLE = (".csv", ".xlsx", ".xls", ".parquet")
WRITABLE = (".csv", ".parquet")


def _excel_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path) -> pl.DataFrame:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:  # a damaged workbook: a fault of the file, as the others' are
        raise ValueError(str(exc)) from exc
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    header = [str(h).strip() for h in rows[0]]
    body = [row for row in rows[1:] if any(v not in (None, "") for v in row)]
    columns = {
        name: [_excel_text(row[i]) if i < len(row) else None for row in body]
        for i, name in enumerate(header)
        if name
    }
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.ComputeError:
        # County spreadsheets are often saved as GBK/GB18030 CSV.
        text = path.read_bytes().decode("gb18030")
        return pl.read_csv(text.encode("utf8"), infer_schema=False)


def _read_csv_typed(path: Path) -> pl.DataFrame | None:
    """The CSV with its amount columns as Float64, or None if any cell does not parse (or the file
    is not UTF-8): the caller then reads it as text. Dates stay text: Polars' CSV date parser also
    takes 2018/01/05, which the validator rejects."""
    try:
        return pl.read_csv(
            path,
            infer_schema=False,
            schema_overrides=dict.fromkeys(AMOUNT_COLUMNS, pl.Float64),
            encoding="utf8",
        )
    except (pl.exceptions.PolarsError, ValueError, OSError):
        return None


def read_claims_file(path: str | os.PathLike[str], *, typed: bool = False) -> pl.DataFrame:
    """The raw string table of a claims file; ClaimsError if it cannot be read. typed=True: a CSV
    whose amounts all parse as numbers comes with those columns as Float64 (`cli.parse_claims_file`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise ClaimsError(
            [
                Fault(
                    None,
                    None,
                    f"不支持的文件类型 {suffix or '（无后缀）'}，请用 CSV、XLSX 或 Parquet",
                )
            ]
        )
    if not path.exists():
        raise ClaimsError([Fault(None, None, f"找不到文件 {path}")])
    try:
        typed_raw = _read_csv_typed(path) if typed and suffix == ".csv" else None
        if typed_raw is not None:
            raw = typed_raw
        elif suffix == ".csv":
            raw = _read_csv(path)
        elif suffix == ".parquet":
            raw = pl.read_parquet(path)
            typed_raw = raw if typed else None
        else:
            raw = _read_excel(path)
    except (OSError, UnicodeDecodeError, pl.exceptions.PolarsError, ValueError) as exc:
        raise ClaimsError([Fault(None, None, _unreadable(path, exc))]) from exc
    raw = raw.rename({c: c.strip().lstrip("\ufeff") for c in raw.columns})
    present = [c for c in (*COLUMNS, *OPTIONAL_COLUMNS) if c in raw.columns]
    return raw.select(_typed_or_text(c, raw.schema[c], typed_raw is not None) for c in present)


def _unreadable(path: Path, exc: BaseException) -> str:
    """Why a claims file cannot be read, in the users' words: the readers' own texts are English."""
    why = {
        ".csv": "CSV 格式有误（例如引号不成对，或某行的列数与表头不同）",
        ".parquet": "不是有效的 Parquet 文件",
    }.get(path.suffix.lower(), "不是有效的 Excel 文件（请用 Excel 打开后另存为 .xlsx）")
    if isinstance(exc, UnicodeDecodeError):
        why = (
            f"既不是 UTF-8 也不是 GBK 编码的文本（第 {exc.start + 1} 个字节起无法识别），"
            "请在 Excel 中另存为“CSV UTF-8”"
        )
    elif isinstance(exc, OSError) and not isinstance(exc, pl.exceptions.PolarsError):
        why = "无法打开（没有读取权限，或文件正被其他程序占用）"
    return f"无法读取文件 {path.name}：{why}"


def _typed_or_text(column: str, dtype: pl.DataType, typed: bool) -> pl.Expr:
    """Text, except on the typed path: amounts already numbers (Float64; integers as Float64,
    exact as their text is) and a Date admission date are kept, as `parse_claims` would get them
    from their text: a float's text casts back to the same float, a date's ISO text to the date."""
    if typed and column in AMOUNT_COLUMNS and (dtype == pl.Float64 or dtype.is_integer()):
        return pl.col(column).cast(pl.Float64)
    if typed and column == "admission_date" and dtype == pl.Date:
        return pl.col(column)
    return pl.col(column).cast(pl.String)


FORMULA_START = r"^[=+\-@\t\r]"


def _csv_text(column: str) -> pl.Expr:
    """The claim number comes from the input file: a formula-like one gets a leading quote in CSV
    (the rule of fupin.sheets.write); the amounts are numbers and stay numbers."""
    col = pl.col(column).cast(pl.String)
    risky = col.str.contains(FORMULA_START) & ~col.str.contains(
        r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
    )
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


# Below 2⁵¹ fen, fen ÷ 100 as a float is within fen × 2⁻⁵³ of the true value, and rounding it to
# two decimals gives the exact decimal back (tests/policy/test_cli.py checks Polars rounds so).
FLOAT_EXACT_FEN = 1 << 51


def _beyond_float(result: pl.DataFrame) -> bool:
    """Some part at or beyond 2⁵¹ fen either way: the largest and the negated smallest, without
    making a column of absolute values."""
    parts = pl.col(PARTS)
    return result.select(pl.max_horizontal(parts.max(), -parts.min())).item() >= FLOAT_EXACT_FEN


def _yuan(part: str, exact: bool) -> pl.Expr:
    """Fen → decimal(18,2) yuan, written as "1234.50" in both formats. Decimal division is three
    times slower than going through the float, which is exact for these amounts."""
    if exact:
        return (pl.col(part).cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2))
    return (pl.col(part) / 100).cast(pl.Decimal(18, 2))


def check_output_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if path.suffix.lower() not in WRITABLE:
        raise ClaimsError([Fault(None, None, f"输出文件须以 .csv 或 .parquet 结尾：{path.name}")])
    if not path.parent.exists():
        raise ClaimsError([Fault(None, None, f"输出目录不存在：{path.parent}")])
    return path


def write_settlements(result: pl.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write claim_id + the five parts in yuan with two decimals (Parquet: decimal(18,2)), atomically."""
    path = check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=".settle-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        exact = _beyond_float(result)  # once: in the generator below it ran for every part
        yuan = (_yuan(p, exact=exact) for p in PARTS)
        claim_id = pl.col("claim_id")
        if (
            path.suffix.lower() == ".csv"
            and result.select(claim_id.str.contains(FORMULA_START).any()).item()
        ):
            claim_id = _csv_text("claim_id")
        # Streamed (sink): the decimal columns are made and written a slice at a time instead of
        # all at once, in memory the next slice reuses.
        table = result.lazy().select(claim_id, *yuan)
        if path.suffix.lower() == ".csv":
            table.sink_csv(tmp)
        else:
            # Snappy, as Spark writes by default: about 40 % less CPU than zstd for this table.
            table.sink_parquet(tmp, compression="snappy")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path
