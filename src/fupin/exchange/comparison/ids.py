"""ID numbers (身份证号) in SQL, exactly as `fupin.registry.idnumber.parse_id_number` reads them.

Imports repair what clerks and spreadsheets do to ID numbers (15-digit legacy numbers, full-width
digits, spaces, dashes, a lower-case x); the comparison reads raw files, so it must repair them the
same way, or a repaired person looks like a stranger. `id_frame` is that reading over a whole
column, with the same Chinese fault messages; tests/exchange/test_id_sql.py proves it equal to
the Python function on generated messy input.

Three paths, cheapest first:
1. already clean (`[0-9]{17}[0-9X]`, nearly every row): taken as it is;
2. the usual mess — whitespace of any kind (Python's `isspace`, which includes the ideographic and
   no-break spaces), dashes and quotes removed, full-width digits and Ｘ/ｘ folded, upper case —
   in plain SQL (a regex and a few replace calls); when what is left is ASCII this *is* clean():
   every character met has a one-character compatibility form and ASCII has nothing to compose;
3. anything else (circled numbers such as ㉑, combining marks, other scripts' digits …): the
   engine's `id_clean`, which is `fupin.registry.idnumber.clean` itself, on those few rows.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from fupin.registry.idnumber import OLDEST_BIRTH, PROVINCES

if TYPE_CHECKING:
    from .engine import DuckDBEngine
    from .spark import SparkEngine

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REMOVED = "-'\""  # clean() drops these besides whitespace
FLOAT_FAULT = "身份证号以数字格式存储，末位已丢失：请将该列设为文本后重新录入"


@cache
def _space() -> str:
    """Every character Python's str.isspace() admits (what clean() and strip() drop)."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


@cache
def _removed() -> str:
    """What clean() drops: whitespace, - ' ", and every character whose compatibility form is one of those."""
    out = list(_space() + REMOVED)
    for c in range(0x80, sys.maxunicode + 1):
        ch = chr(c)
        if 0xD800 <= c <= 0xDFFF or not unicodedata.decomposition(ch) or unicodedata.combining(ch):
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1 and (folded.isspace() or folded in REMOVED):
            out.append(ch)
    return "".join(dict.fromkeys(out))


FOLDED = "０１２３４５６７８９Ｘｘ"  # full-width digits and X, folded by replace(); anything rarer goes to id_clean


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def folded_sql(e: DuckDBEngine | SparkEngine, raw: str) -> str:
    """SQL: raw without what clean() drops, full-width digits and X folded (raw is a VARCHAR expression)."""
    char_class = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in _removed()) + "]"
    t = e.regex_remove(raw, _lit(char_class))
    for ch in FOLDED:
        t = f"replace({t}, '{ch}', '{unicodedata.normalize('NFKC', ch)}')"
    return t


def blank_sql(raw: str) -> str:
    """raw is None or raw.strip() == '' (Python's whitespace)."""
    return f"({raw} IS NULL OR translate({raw}, {_lit(_space())}, '') = '')"


def id_frame(
    e: DuckDBEngine | SparkEngine, source: str, as_of: str, *, numeric: bool = False
) -> str:
    """Wrap `source` (a SELECT with a raw column `raw_id`) so it gains the reading of each ID number.

    Adds `id` (the 18-character number, upgraded from 15 digits where it was one; for a faulty
    number its cleaned text), `fault` (NULL when valid, else parse_id_number's Chinese message),
    `legacy` (upgraded from 15 digits), `birth`, `sex`, and `body` (digits 7–17 as an integer, for
    blocking on parts of the number). `numeric`: the column holds floating-point numbers, whose last
    digits are lost (as parse_id_number says of a float).
    """
    ascii_only = e.regex_full("folded", r"[\x00-\x7f]*")
    check = " + ".join(
        f"({e.div('n17', 10 ** (16 - i))} % 10) * {w}" for i, w in enumerate(WEIGHTS)
    )
    provinces = ", ".join(f"'{p}'" for p in PROVINCES)
    raw = "CAST(raw_id AS STRING)"
    oldest = OLDEST_BIRTH.isoformat()
    born_text = (
        "CAST(year(birth) AS STRING) || " + e.month_day("birth")  # Python's %Y: no zero padding
    )
    as_of_fault = "'出生日期无效：' || " + born_text + f" || ' 晚于{as_of}'"
    if numeric:
        fault = f"CASE WHEN cleaned IS NULL THEN '身份证号为空' ELSE '{FLOAT_FAULT}' END"
    else:
        fault = f"""CASE
            WHEN blank THEN '身份证号为空'
            WHEN position('E+' IN cleaned) > 0 OR position('E-' IN cleaned) > 0
                THEN '身份证号为科学计数法（如 3.60222E+17），数字已丢失：请将该列设为文本后重新录入'
            WHEN length(cleaned) = 15 AND NOT legacy THEN '15位身份证号只能由数字组成'
            WHEN length(id) <> 18 THEN '身份证号位数错误：应为18位，实为' || CAST(length(id) AS STRING) || '位'
            WHEN NOT shape THEN '身份证号含非法字符：前17位应为数字，末位为数字或X'
            WHEN substr(id, 1, 2) NOT IN ({provinces}) THEN '省份代码“' || substr(id, 1, 2) || '”不存在'
            WHEN birth IS NULL
                THEN '出生日期无效：' || substr(id, 7, 4) || '年' || substr(id, 11, 2) || '月' || substr(id, 13, 2)
                     || '日不存在'
            WHEN birth > current_date THEN '出生日期无效：' || {born_text} || ' 晚于今天'
            WHEN birth < DATE '{oldest}' THEN '出生日期无效：' || {born_text} || ' 早于{OLDEST_BIRTH.year}年'
            WHEN birth > DATE '{as_of}' THEN {as_of_fault}
            WHEN substr(id, 18, 1) <> expected THEN '校验码错误，应为' || expected
            ELSE NULL END"""
    folded = f"""
        SELECT *, {ascii_only} AS is_ascii FROM (
            SELECT *, CASE WHEN NOT fast THEN {folded_sql(e, raw)} END AS folded
            FROM (SELECT *, COALESCE({e.regex_full(raw, "[0-9]{17}[0-9X]")}, false) AS fast
                  FROM ({source}) s0) s0a
        ) s0b"""
    # The few rows plain SQL cannot fold get Python's clean(): only those rows (a Python UDF in Spark
    # would otherwise see every row of the extract).
    rare = e.where_python(
        folded, "rare_clean", e.id_clean(raw), "NOT fast AND folded IS NOT NULL AND NOT is_ascii"
    )
    return f"""
    SELECT * EXCEPT (cleaned, blank, shape, n17, expected),
        CASE WHEN shape THEN CASE WHEN (n17 % 2) = 1 THEN '男' ELSE '女' END END AS sex,
        CASE WHEN shape THEN n17 % 100000000000 END AS body,
        {fault} AS fault
    FROM (
        SELECT * EXCEPT (id), CASE WHEN legacy THEN id || expected ELSE id END AS id
        FROM (
            SELECT *,
                   CASE WHEN shape AND substr(id, 7, 4) <> '0000' THEN {e.try_date_ymd("substr(id, 7, 8)")} END
                   AS birth,
                   substr('10X98765432', (({check}) % 11) + 1, 1) AS expected
            FROM (
                SELECT *, CASE WHEN shape THEN CAST(substr(id, 1, 17) AS BIGINT) END AS n17
                FROM (
                    SELECT *, COALESCE(legacy OR {e.regex_full("id", "[0-9]{17}[0-9X]")}, false) AS shape
                    FROM (
                        SELECT *,
                               CASE WHEN legacy THEN substr(cleaned, 1, 6) || '19' || substr(cleaned, 7)
                                    ELSE cleaned END AS id
                        FROM (
                            SELECT *, COALESCE(NOT blank AND {e.regex_full("cleaned", "[0-9]{15}")}, false) AS legacy
                            FROM (
                                SELECT * EXCEPT (raw_id, fast, folded, is_ascii, rare_clean),
                                       CASE WHEN fast THEN {raw} WHEN folded IS NULL THEN NULL
                                            WHEN is_ascii THEN upper(folded)
                                            ELSE rare_clean END AS cleaned,
                                       CASE WHEN fast THEN false ELSE {blank_sql(raw)} END AS blank
                                FROM ({rare}) s1
                            ) s2
                        ) s3
                    ) s4
                ) s5
            ) s6
        ) s7
    ) s8"""
