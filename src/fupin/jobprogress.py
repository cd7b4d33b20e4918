"""Progress of a background job that pages can read while the job's transaction is still open
(后台任务进度).

A job that is all or nothing does its work inside one transaction; a progress row written through
that transaction is invisible to the page polling it until the very end. On PostgreSQL the reporter
writes through a connection of its own (autocommit, like `fupin.liveness`), so "写入明细 120000 /
300000" shows while the rows are still uncommitted. It never waits for a lock (a job row locked by
the job's own transaction would otherwise wait for itself): a report that cannot be written at once
is dropped, and so are the later ones. Elsewhere (SQLite, or outside any transaction) it is a plain
update of the row.

Reports are throttled (`every` seconds) except when the step changes, so a loop may report on
every chunk without flooding the database.
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models import Model


class Reporter:
    """`report(step=…, step_label=…, done=…, total=…)` onto one row of `model` (field names are
    the model's own; values ints or short text)."""

    def __init__(self, model: type[Model], pk: int, *, every: float = 0.5) -> None:
        self.model, self.pk, self.every = model, pk, every
        self.last = 0.0
        self.last_step = None
        self.side = None
        self.broken = False

    def __call__(self, **fields) -> None:
        step = fields.get("step")
        now = time.monotonic()
        if step == self.last_step and now - self.last < self.every:
            return
        self.last, self.last_step = now, step
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            self._side(fields)
        else:
            self.model.objects.filter(pk=self.pk).update(**fields)

    def _side(self, fields: dict) -> None:
        if self.broken:
            return
        meta = self.model._meta
        sets = ", ".join(
            f"{connection.ops.quote_name(meta.get_field(k).column)} = %s" for k in fields
        )
        try:
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.side.cursor() as cur:
                    cur.execute("SET lock_timeout = '200ms'")
            with self.side.cursor() as cur:
                cur.execute(
                    f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} "
                    f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s",
                    [*fields.values(), self.pk],
                )
        except DatabaseError:
            self.broken = True  # progress is a courtesy: the job goes on without it

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
