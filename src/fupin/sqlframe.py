"""One SELECT read whole into a Polars frame (批量读取): COPY … TO STDOUT on PostgreSQL, one fetch
on SQLite. Shared by the stored-claims year reads (医疗费用结算) and the comparison job (信息比对),
so neither app imports the other for it."""

from __future__ import annotations

import io

import polars as pl
from django.db import connection


def read_sql(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """The rows of one SELECT as a frame of `schema` (its columns in select order): COPY … TO
    STDOUT on PostgreSQL (a boolean must be selected as an integer: CSV says t/f), one fetch
    elsewhere."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            query = cur.cursor.mogrify(sql, params)
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buf.write(block)
            buf.seek(0)
            if not buf.getbuffer().nbytes:
                return pl.DataFrame(schema=schema)
            return pl.read_csv(buf, has_header=False, new_columns=list(schema), schema=schema)
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
