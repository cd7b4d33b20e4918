"""A year of stored claims in and out of the database as Polars frames, set-based: PostgreSQL
COPY both ways (CSV through memory), one SELECT / executemany elsewhere (SQLite in tests).

`settle_stored` settles such a frame on the column path with the category and chronic class
the official settlement recorded for each claim's day; re-settlement (政策测算) and
`bench/claims.py` run the same steps.

转院连续计算起付线 across the New Year: a transfer chain runs across 1 January (the engine walks a
person's claims in order, whatever the year), so a year is settled together with the earlier
claims its chains reach back to (`chain_context`: the previous year of each person whose first
stay of the year is a transfer, further back only while that year too began with one), read as
stored and kept out of the results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import polars as pl
from django.db import connection
from django.db.backends.utils import CursorWrapper

from fupin.policy import ClaimsError, settle_frame
from fupin.policy.batch import PARTS
from fupin.policy.claims import TYPED_SCHEMA
from fupin.policy.regions import Policy, admits_maternity
from fupin.sqlframe import read_sql

from .models import ClaimSplit, ClaimTrail, MedicalClaim, OfficialChange, ResettledClaim, VisitType

READ_COLUMNS = {
    "id": pl.Int64, "claim_no": pl.String, "person_id": pl.Int64, "village_code": pl.String, "category": pl.String,
    "visit_type": pl.String, "hospital_level": pl.Int8, "chronic_class": pl.String, "disease_code": pl.String,
    "admission_date": pl.Date, "total_fen": pl.Int64, "in_policy_fen": pl.Int64, "rehab_fen": pl.Int64,
    "transfer": pl.Int8, "policy": pl.String, "period": pl.String, "category_basis": pl.String,
    "settled_at": pl.String,
}  # fmt: skip
# The identity a claim was settled with (`ClaimSplit`), written back with the split.
IDENTITY_COLUMNS = ("policy", "period", "category", "category_basis", "chronic_class", "settled_at")
# The select list over the claim (c) and its settlement (s): a boolean read as 0/1 (PostgreSQL's
# CSV says t/f), the settlement time as the database's text (written back as it was read).
SELECT = ", ".join(
    "CAST(c.transfer AS integer)"
    if c == "transfer"
    else "CAST(s.settled_at AS text)"
    if c == "settled_at"
    else f"s.{c}"
    if c in IDENTITY_COLUMNS
    else f"c.{c}"
    for c in READ_COLUMNS
)
ID_LIST_LIMIT = 2_000  # SQLite: persons in an IN list; more, and the years are read whole
RESULT_COLUMNS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def _settled() -> str:
    """The claims with an official settlement (a `ClaimSplit` row), for SELECT."""
    return (
        f"{MedicalClaim._meta.db_table} c JOIN {ClaimSplit._meta.db_table} s ON s.claim_id = c.id"
    )


def read_year(year: int, area_code: str = "") -> pl.DataFrame:
    """Every settled claim of `year` whose village lies in `area_code` ("" = all), with the
    identity it was settled with (READ_COLUMNS)."""
    where = "c.year = %s AND c.village_code LIKE %s"
    return read_sql(
        f"SELECT {SELECT} FROM {_settled()} WHERE {where}", [year, f"{area_code}%"], READ_COLUMNS
    )


def settled_text(when: datetime) -> str:
    """A settlement time as the database stores it, for a frame's `settled_at` (text)."""
    return str(connection.ops.adapt_datetimefield_value(when))


def chain_years(frame: pl.DataFrame) -> pl.DataFrame:
    """(person_id, year) of the person-years of `frame` whose first stay (the first claim that is
    not chronic outpatient, by admission date and id) is a transfer (转院接续): the chain it
    continues may have begun the year before."""
    # Only persons with a transfer at all are sorted (few: a year without any costs one scan).
    transferred = frame.filter(pl.col("transfer") == 1).select("person_id").unique()
    return (
        frame.join(transferred, on="person_id", how="semi")
        .filter(pl.col("visit_type") != VisitType.CHRONIC)
        .sort("person_id", "admission_date", "id")
        .group_by(
            "person_id",
            pl.col("admission_date").dt.year().cast(pl.Int64).alias("year"),
            maintain_order=True,
        )
        .first()
        .filter(pl.col("transfer") == 1)
        .select("person_id", "year")
    )


def _person_years(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "person_id", pl.col("admission_date").dt.year().cast(pl.Int64).alias("year")
    ).unique()


def chain_context(
    frame: pl.DataFrame, read: Callable[[pl.DataFrame], pl.DataFrame] | None = None
) -> pl.DataFrame:
    """The earlier stored claims the transfer chains of `frame` (whole person-years) reach back
    to: the previous year of each person whose first stay of a year is a transfer, and further
    back only while that year too began with one — `read(pairs)` (person_id, year → their settled
    claims, `read_person_years` by default, with `frame`'s columns) once per year back, not per
    person; nothing is read when no year begins with a transfer. Person-years already in `frame`
    are not read again."""
    read = read or read_person_years
    wanted = chain_years(frame)
    if not wanted.height:  # the usual year: no one's first stay is a transfer
        return frame.clear()
    # The person-years at hand, of the persons concerned only (a year has a million claims).
    known = _person_years(frame.join(wanted.select("person_id"), on="person_id", how="semi"))
    parts = []
    while True:
        wanted = wanted.with_columns(pl.col("year") - 1).join(
            known, on=["person_id", "year"], how="anti"
        )
        if not wanted.height:
            break
        earlier = read(wanted)
        if not earlier.height:
            break
        parts.append(earlier)
        known = pl.concat([known, wanted])
        wanted = chain_years(earlier)
    return pl.concat(parts) if parts else frame.clear()


def read_person_years(pairs: pl.DataFrame) -> pl.DataFrame:
    """Every settled claim of the (person_id, year) pairs (READ_COLUMNS): one SELECT."""
    if not pairs.height:
        return pl.DataFrame(schema=READ_COLUMNS)
    persons = pairs["person_id"].unique().sort().to_list()
    years = pairs["year"].unique().sort().to_list()
    sql = f"SELECT {SELECT} FROM {_settled()} WHERE"
    if connection.vendor == "postgresql":
        sql, params = f"{sql} c.person_id = ANY(%s) AND c.year = ANY(%s)", [persons, years]
    elif len(persons) <= ID_LIST_LIMIT:
        marks, ymarks = ", ".join(["%s"] * len(persons)), ", ".join(["%s"] * len(years))
        sql, params = f"{sql} c.person_id IN ({marks}) AND c.year IN ({ymarks})", [*persons, *years]
    else:  # SQLite, many persons: the years read whole, filtered below
        sql, params = f"{sql} c.year IN ({', '.join(['%s'] * len(years))})", years
    frame = read_sql(sql, params, READ_COLUMNS)
    return frame.join(
        pairs.select(pl.col("person_id").cast(pl.Int64), pl.col("year").cast(pl.Int64)),
        left_on=["person_id", pl.col("admission_date").dt.year().cast(pl.Int64)],
        right_on=["person_id", "year"],
        how="semi",
    )


def settle_stored(
    frame: pl.DataFrame, policy: Policy, context: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, int]:
    """(results: id, person_id, village_code, the identity settled with (IDENTITY_COLUMNS, as in
    `frame`) and the five parts in fen; number of claims left out) of the claims of `frame`,
    settled together with `context` (the earlier claims their transfer chains reach back to,
    `chain_context`), whose results are dropped.

    Left out: a chronic-outpatient claim whose class the policy does not know (another region's
    classes), or a claim dated outside the policy's periods — counted, never guessed.

    转院连续计算起付线 (003): a transfer continues its chain's deductible whatever the calendar says,
    so a chain is never cut where the policy's periods begin. The earlier stays of `context` dated
    before the policy's first period are settled (for the chain only, their results dropped) with
    the values of that first period — the policy's own deductibles, as if it had been in force
    (`Policy.reaching_back`); `chains_reaching_back` counts the persons concerned."""
    own, settle_under = frame, policy
    dated = pl.lit(False)  # the context's stays settled before the policy's periods
    if context is not None and context.height:
        frame = pl.concat([frame.select(list(READ_COLUMNS)), context.select(list(READ_COLUMNS))])
        start = policy.region.spans[0].start
        if context["admission_date"].min() < start:
            settle_under = policy.reaching_back(context["admission_date"].min())
            dated = pl.col("id").is_in(context["id"].implode()) & (pl.col("admission_date") < start)
    classes = {
        c
        for p in policy.packs
        if p.medical and p.medical.chronic
        for c in p.medical.chronic.classes
    }
    days = frame["admission_date"].unique()
    ok_days = pl.Series([d for d in days.to_list() if policy.span_of(d) is not None], dtype=pl.Date)
    usable = frame.filter(
        (
            (pl.col("visit_type") != VisitType.CHRONIC)
            | pl.col("chronic_class").is_in(pl.lit(sorted(classes), pl.List(pl.String)).first())
        )
        & (pl.col("admission_date").is_in(ok_days.implode()) | dated)
    )
    typed = usable.select(
        pl.col("id").cast(pl.String).alias("claim_id"),
        pl.col("person_id").cast(pl.String),
        "category",
        "visit_type",
        "hospital_level",
        pl.when(pl.col("visit_type") == VisitType.CHRONIC)
        .then(pl.col("chronic_class"))
        .alias("chronic_class"),
        pl.when(pl.col("disease_code").str.len_bytes() > 0)
        .then(pl.col("disease_code"))
        .alias("disease_code"),
        "admission_date",
        pl.col("total_fen").alias("total_cost"),
        pl.col("in_policy_fen").alias("in_policy_cost"),
        pl.col("rehab_fen").alias("rehab_cost"),
        (pl.col("transfer") == 1).alias("transfer"),
    )
    typed = (
        typed.with_columns(
            pl.lit(None).cast(kind).fill_null(False if kind == pl.Boolean else 0).alias(name)
            for name, kind in TYPED_SCHEMA.items()
            if name not in typed.columns
        )
        .select(list(TYPED_SCHEMA))
        .cast(TYPED_SCHEMA)
    )
    try:
        split = settle_frame(settle_under, typed, first_row=0)
    except ClaimsError as exc:  # named by claim number: a row of this frame means nothing to anyone
        raise exc.by_claim(usable["claim_no"]) from exc
    results = pl.concat(
        [
            usable.select("id", "person_id", "village_code", *IDENTITY_COLUMNS),
            split.select(pl.col(p).alias(c) for p, c in zip(PARTS, RESULT_COLUMNS, strict=True)),
        ],
        how="horizontal",
    )
    if frame is not own:
        results = results.join(own.select("id"), on="id", how="semi", maintain_order="left")
    return results, own.height - results.height


def maternity_refused(frame: pl.DataFrame, policy: Policy) -> pl.Expr:
    """True for each 住院分娩 stay of `frame` admitted on a day whose period of `policy` has no
    maternity rule (济宁, 浮梁: only 吉林 003 settles them at the inpatient ratio). 政策测算 leaves
    such stays out, counted, as it does a chronic class the policy does not know; the official
    settlement refuses them instead, by claim number (`settle_stored` raises)."""
    days = frame.filter(pl.col("visit_type") == VisitType.MATERNITY)["admission_date"].unique()
    under = policy.reaching_back(days.min()) if days.len() else policy
    refused = [
        d
        for d in days.to_list()
        if (span := under.span_of(d)) is not None and not admits_maternity(under.spans[span].pack)
    ]
    return (pl.col("visit_type") == VisitType.MATERNITY) & pl.col("admission_date").is_in(
        pl.Series(refused, dtype=pl.Date).implode()
    )


def chains_reaching_back(context: pl.DataFrame, policy: Policy) -> int:
    """How many persons' transfer chains (转院) continue stays of `context` dated before the
    policy's first period — settled with that period's values (`settle_stored`); 0 when no period
    of the policy continues a deductible across a transfer (the chain then changes nothing)."""
    if not context.height or not policy.has_transfer_rule():
        return 0
    return (
        context.filter(
            (pl.col("visit_type") != VisitType.CHRONIC)
            & (pl.col("admission_date") < policy.region.spans[0].start)
        )
        .select(pl.col("person_id").n_unique())
        .item()
    )


def write_results(
    run_id: int,
    results: pl.DataFrame,
    progress: Callable[[int], object] | None = None,
    chunk: int = 200_000,
) -> int:
    """Insert a re-settlement's results (`ResettledClaim`), in chunks; `progress(done)` after each."""
    table = ResettledClaim._meta.db_table
    cols = ["run_id", "claim_id", "village_code", *RESULT_COLUMNS]
    rows = results.select(
        pl.lit(run_id, pl.Int64).alias("run_id"),
        pl.col("id").alias("claim_id"),
        "village_code",
        *RESULT_COLUMNS,
    )
    done = 0
    with connection.cursor() as cur:
        for start in range(0, rows.height, chunk):
            part = rows.slice(start, chunk)
            if connection.vendor == "postgresql":
                with cur.cursor.copy(
                    f"COPY {table} ({', '.join(cols)}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(part.write_csv(include_header=False))
            else:
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", part.rows()
                )
            done += part.height
            if progress:
                progress(done)
    return done


SPLIT_COLUMNS = (
    "claim_id",
    "person_id",
    "year",
    "village_code",
    *RESULT_COLUMNS,
    *IDENTITY_COLUMNS,
)


def write_back(year: int, results: pl.DataFrame, area_code: str = "") -> int:
    """Make `results` (id, person_id, village_code, the identity settled with — IDENTITY_COLUMNS —
    and the five parts of every claim of `year` inside `area_code`, "" = all) the official
    settlement of that year there (`ClaimSplit`: split and identity together), replacing those
    rows whole; the other areas' and years' rows are kept as they are.

    PostgreSQL: the other years' rows and this year's results go into a fresh table with no index
    (INSERT … SELECT, then COPY), the primary key and indexes are built once, and the fresh table
    takes the old one's place (DROP, RENAME) — all inside the caller's transaction, so a reader
    sees the old year or the new one, never half, and never a split beside another settlement's
    identity. Elsewhere: DELETE the year and INSERT."""
    table = ClaimSplit._meta.db_table
    rows = results.select(
        pl.col("id").alias("claim_id"),
        "person_id",
        pl.lit(year, pl.Int64).alias("year"),
        "village_code",
        *RESULT_COLUMNS,
        *IDENTITY_COLUMNS,
    )
    cols = ", ".join(SPLIT_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(
                f"DELETE FROM {table} WHERE year = %s AND village_code LIKE %s",
                [year, f"{area_code}%"],
            )
            marks = ", ".join(["%s"] * len(SPLIT_COLUMNS))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows.rows())
            return rows.height
        fresh = _fresh_table(cur, table)
        cur.execute(
            f"INSERT INTO {fresh} ({cols}) SELECT {cols} FROM {table}"
            " WHERE NOT (year = %s AND village_code LIKE %s)",
            [year, f"{area_code}%"],
        )
        # "" stays "" in CSV (quoted), a missing settlement time is NULL.
        with cur.cursor.copy(f"COPY {fresh} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, rows.height, 200_000):
                copy.write(rows.slice(start, 200_000).write_csv(include_header=False))
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the three index sorts in memory
        # The model's indexes (migration 0007).
        _swap_in(cur, table, fresh, {"claimsplit_year_area": "year, village_code",
                                     "claimsplit_person_year": "person_id, year"})  # fmt: skip
    return rows.height


def _fresh_table(cur: CursorWrapper, table: str) -> str:
    """An empty copy of `table` beside it (columns, defaults and checks; no index), for the caller
    to fill and `_swap_in` (PostgreSQL, in the caller's transaction). Writers of `table` wait from
    now on; readers go on until the swap."""
    fresh = f"{table}_fresh"
    cur.execute(f"LOCK TABLE {table} IN SHARE MODE")
    cur.execute(f"DROP TABLE IF EXISTS {fresh}")
    cur.execute(f"CREATE TABLE {fresh} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    return fresh


def _swap_in(cur: CursorWrapper, table: str, fresh: str, indexes: dict[str, str]) -> None:
    """Build the filled `fresh` table's primary key (claim_id) and `indexes` (the model's index
    name → columns) once, under temporary names, then put it in `table`'s place (DROP, RENAME) —
    a reader sees the old table or the new one, never half."""
    cur.execute(f"ALTER TABLE {fresh} ADD CONSTRAINT {table}_pkey_fresh PRIMARY KEY (claim_id)")
    for name, columns in indexes.items():
        cur.execute(f"CREATE INDEX {name}_fresh ON {fresh} ({columns})")
    cur.execute(f"ANALYZE {fresh}")
    cur.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    cur.execute(f"DROP TABLE {table}")
    cur.execute(f"ALTER TABLE {fresh} RENAME TO {table}")
    for name in (f"{table}_pkey", *indexes):
        cur.execute(f"ALTER INDEX {name}_fresh RENAME TO {name}")


TRAIL_CHUNK = 100_000


def delete_trails(ids: pl.Series) -> int:
    """Delete the trails (`ClaimTrail`) of the claims `ids` — settled again: the background fill
    writes them again, checked against the new split — in the caller's transaction.

    PostgreSQL: in chunks of TRAIL_CHUNK claims in id order, COPY into a temporary table and one
    DELETE … USING per chunk — or, when these claims are more than half the stored trails, the
    trail table rebuilt with the others and swapped in (`_keep_trails_but`); elsewhere executemany."""
    trail_t = ClaimTrail._meta.db_table
    ids = ids.unique().sort()
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.executemany(
                f"DELETE FROM {trail_t} WHERE claim_id = %s", [(i,) for i in ids.to_list()]
            )
            return ids.len()
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [trail_t])
        if 2 * ids.len() > (cur.fetchone()[0] or 0):
            _keep_trails_but(cur, ids.to_frame("id"))
            return ids.len()
        cur.execute("CREATE TEMPORARY TABLE fupin_gone_trail (id bigint) ON COMMIT DROP")
        for start in range(0, ids.len(), TRAIL_CHUNK):
            part = ids.slice(start, TRAIL_CHUNK)
            with cur.cursor.copy("COPY fupin_gone_trail (id) FROM STDIN (FORMAT csv)") as copy:
                copy.write(part.to_frame("id").write_csv(include_header=False))
            cur.execute("ANALYZE fupin_gone_trail")
            cur.execute(  # the id range lets the join start at the chunk's first claim
                f"DELETE FROM {trail_t} x USING fupin_gone_trail t"
                " WHERE x.claim_id = t.id AND x.claim_id BETWEEN %s AND %s",
                [part[0], part[-1]],
            )
            cur.execute("TRUNCATE fupin_gone_trail")
        cur.execute("DROP TABLE fupin_gone_trail")
    return ids.len()


def _keep_trails_but(cur: CursorWrapper, ids: pl.DataFrame) -> None:
    """Replace `ClaimTrail` with a fresh table holding every trail but those of `ids` (PostgreSQL,
    in the caller's transaction): the kept rows copied, the key and index built once, the tables
    swapped — instead of deleting most of a table of ~2 KB rows one by one."""
    table = ClaimTrail._meta.db_table
    cur.execute("CREATE TEMPORARY TABLE fupin_gone (id bigint PRIMARY KEY) ON COMMIT DROP")
    with cur.cursor.copy("COPY fupin_gone (id) FROM STDIN (FORMAT csv)") as copy:
        copy.write(ids.unique().write_csv(include_header=False))
    fresh = _fresh_table(cur, table)
    cur.execute(
        f"INSERT INTO {fresh} SELECT t.* FROM {table} t"
        " WHERE NOT EXISTS (SELECT 1 FROM fupin_gone g WHERE g.id = t.claim_id)"
    )
    _swap_in(cur, table, fresh, {"claimtrail_person_year": "person_id, year"})  # migration 0015
    cur.execute("DROP TABLE fupin_gone")


CHANGE_COLUMNS = (
    "claim_id", "village_code", "old_category", "new_category", "old_chronic_class",
    "new_chronic_class", *(f"old_{c}" for c in RESULT_COLUMNS), *RESULT_COLUMNS,
)  # fmt: skip


def write_changes(run_id: int, changes: pl.DataFrame) -> int:
    """Insert a re-settle's changed claims (`OfficialChange`: CHANGE_COLUMNS of `changes`) —
    COPY on PostgreSQL, executemany elsewhere; in the caller's transaction."""
    table = OfficialChange._meta.db_table
    rows = changes.select(pl.lit(run_id, pl.Int64).alias("run_id"), *CHANGE_COLUMNS)
    cols = ", ".join(rows.columns)
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * rows.width)
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows.rows())
            return rows.height
        with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, rows.height, 200_000):
                copy.write(rows.slice(start, 200_000).write_csv(include_header=False))
    return rows.height


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
