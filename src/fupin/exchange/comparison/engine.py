"""The engine adapter (比对引擎): the only place that knows which SQL engine runs the pipeline.

The pipeline (pipeline.py, ids.py) is SQL that DuckDB and Spark SQL both parse (`* EXCEPT`,
`CAST(… AS STRING)`, `FILTER (WHERE …)`, correlated `EXISTS`) plus the dialect functions below,
which each engine spells its own way: `regex_full`, `regex_remove`, `try_date_ymd`, `month_day`,
`div`, `round`, `edit_distance`, `where_python`, and the Python functions `name_sim` and `id_clean`. DuckDB runs it
on one machine (this file); Spark on a cluster (spark.py) — Splink's "one pipeline, several engines".
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from fupin.registry.idnumber import clean

from . import names


class DuckDBEngine:
    """Runs the comparison on DuckDB, in memory (or spilling to a temp directory)."""

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.create_function(
            "name_sim", _name_sim_arrow, ["VARCHAR", "VARCHAR"], "DOUBLE", type="arrow"
        )
        self.con.create_function("id_clean", _id_clean_arrow, ["VARCHAR"], "VARCHAR", type="arrow")

    # dialect functions -----------------------------------------------------------------
    @staticmethod
    def regex_full(expr: str, pattern: str) -> str:
        return f"regexp_full_match({expr}, '{pattern}')"

    @staticmethod
    def regex_remove(expr: str, pattern_literal: str) -> str:
        """expr with every match of the regex (an SQL string literal) removed."""
        return f"regexp_replace({expr}, {pattern_literal}, '', 'g')"

    @staticmethod
    def div(expr: str, divisor: int) -> str:
        """Integer division (operands non-negative)."""
        return f"({expr} // {int(divisor)})"

    @staticmethod
    def month_day(expr: str) -> str:
        """A date's '-MM-DD'."""
        return f"strftime({expr}, '-%m-%d')"

    @staticmethod
    def round(expr: str, digits: int) -> str:
        """ROUND of a DOUBLE: DuckDB's round(x × 10^d) / 10^d, half away from zero."""
        return f"ROUND({expr}, {int(digits)})"

    @staticmethod
    def try_date_ymd(expr: str) -> str:
        return f"CAST(try_strptime({expr}, '%Y%m%d') AS DATE)"

    @staticmethod
    def edit_distance(a: str, b: str) -> str:
        return f"damerau_levenshtein({a}, {b})"

    @staticmethod
    def id_clean(expr: str) -> str:
        """fupin.registry.idnumber.clean for the rare ID text that plain SQL cannot fold (see ids.py)."""
        return f"id_clean({expr})"

    @staticmethod
    def where_python(
        frame: str, name: str, expr: str, where: str, sql_type: str = "VARCHAR"
    ) -> str:
        """`frame` (a SELECT) with a column `name`: `expr` (a Python function) where `where` holds, else NULL."""
        return f"SELECT *, CASE WHEN {where} THEN {expr} END AS {name} FROM ({frame}) wp"

    # tables ------------------------------------------------------------------------------
    def load_file(self, name: str, path: str | os.PathLike) -> None:
        p = Path(path)
        if p.suffix.lower() in (".parquet", ".pq"):
            # A view: the pipeline reads the file twice (input checks, then one normalising pass), each
            # time in parallel and only the columns it needs, which is cheaper than copying it into a
            # table first. file_row_number numbers the rows in file order.
            src = f"read_parquet('{_quote(p)}', file_row_number = true)"
            self.con.execute(
                f"CREATE OR REPLACE VIEW {name} AS SELECT file_row_number + 1 AS row_no, "
                f"* EXCLUDE (file_row_number) FROM {src}"
            )
            self.con.execute(
                f"SELECT * FROM {name} LIMIT 1"
            ).fetchall()  # a file that is not Parquet fails here
        else:
            # The dialect is stated, not sniffed (RFC 4180, as Excel and fupin write CSV): a sniffer
            # guessing from the first rows kept doubled quotes in 张""三 and took an apostrophe in a
            # name for the quote character.
            src = (f"read_csv('{_quote(p)}', header = true, all_varchar = true, encoding = 'utf-8', "
                   f"delim = ',', quote = '\"', escape = '\"', "
                   f"strict_mode = false, null_padding = true)")  # fmt: skip
            self.con.execute(
                f"CREATE OR REPLACE TABLE {name} AS SELECT row_number() OVER () AS row_no, * FROM {src}"
            )

    def load_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}_src", table)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT row_number() OVER () AS row_no, * FROM {name}_src"
        )
        self.con.unregister(f"{name}_src")

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()]

    def is_float(self, name: str, column: str) -> bool:
        """The column holds floating-point numbers (an ID typed as a number in a spreadsheet)."""
        types = {r[0]: r[1] for r in self.con.execute(f"DESCRIBE {name}").fetchall()}
        return types.get(column, "").upper() in ("FLOAT", "DOUBLE", "REAL")

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def write_csv(self, sql: str, path: str | os.PathLike) -> None:
        self.con.execute(f"COPY ({sql}) TO '{_quote(Path(path))}' (HEADER, DELIMITER ',')")

    def close(self) -> None:
        self.con.close()


def _quote(p: Path) -> str:
    return str(p).replace("'", "''")


def _name_sim_arrow(a: pa.Array | pa.ChunkedArray, b: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pa.array(names.similarities(a.to_pylist(), b.to_pylist()), type=pa.float64())


def _id_clean_arrow(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pa.array([None if v is None else clean(v) for v in a.to_pylist()], type=pa.string())
