"""Set-based inserts (批量写入): PostgreSQL COPY, or one executemany elsewhere (SQLite).

Django's bulk_create compiles every value of every row in Python; at 100,000 rows that alone
takes longer than the database does. Rows here are plain tuples in the model's column order,
with each field's default filled in, so the database does the work.
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import Model
from django.utils import timezone


def columns_of(model: type[Model]) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert(model: type[Model], rows: list[dict], chunk: int = 20000) -> int:
    """Insert `rows` ({attname: value}); missing fields take their defaults. Returns the row count."""
    if not rows:
        return 0
    fields = columns_of(model)
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = (
                f.get_default()
            )  # "" for text fields without a default, as Django does
    json_cols = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)

    def values(row: dict) -> tuple:
        out = []
        for n in names:
            v = row.get(n, defaults[n])
            out.append(json.dumps(v, ensure_ascii=False) if n in json_cols else v)
        return tuple(out)

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            for i in range(0, len(rows), chunk):
                cur.executemany(sql, [values(r) for r in rows[i : i + chunk]])
    return len(rows)


def insert_select(
    model: type[Model],
    exprs: dict[str, str],
    from_sql: str,
    params: list | tuple = (),
    values: dict | None = None,
) -> int:
    """INSERT INTO model's table SELECT … FROM staging, entirely in the database.

    `exprs` maps attnames to SQL expressions (without parameters) over `from_sql`, whose own %s
    parameters are `params`; `values` gives constants for other columns; every remaining column
    takes its default (auto_now fields: now). No row travels through Python. Returns the row count.
    """
    values = values or {}
    fields = columns_of(model)
    now = timezone.now()
    cols, select, args = [], [], []
    for f in fields:
        cols.append(connection.ops.quote_name(f.column))
        if f.attname in exprs:
            select.append(exprs[f.attname])
            continue
        if f.attname in values:
            value = values[f.attname]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        else:
            value = f.get_default()
            if f.get_internal_type() == "JSONField":
                value = json.dumps(value, ensure_ascii=False)
        select.append("%s")
        args.append(value)
    unknown = (set(exprs) | set(values)) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"insert_select: unknown columns {sorted(unknown)}")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(cols)}) "
        f"SELECT {', '.join(select)} {from_sql}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*args, *params])
        return cur.rowcount
