"""Batch settlement (批量结算) on Apache Spark: `fupin settle --engine spark`.

The claims are partitioned by person (hash of the trimmed person number), so a person's claims —
and so every year-to-date total of a person's year — are in one partition; each partition is
validated and settled by the column path itself (`claims.parse_claims`, `batch.settle_frame`) in a
Python worker through `mapInArrow`. Nothing of the settlement is re-implemented here: Spark only
moves the rows. Results go to a Parquet directory: claim_id and the five parts in yuan as
decimal(18,2), the columns `fupin settle` writes on one machine; tests/spark proves every claim
equal to the fen.

Faults are gathered from every partition and reported as the local path reports them (row
number, column, message; the first 20 by row, and the total). Duplicate claim numbers across
partitions are checked once over the whole file.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from fupin.policy.batch import PARTS
from fupin.policy.claims import (
    COLUMNS,
    MAX_LISTED_FAULTS,
    OPTIONAL_COLUMNS,
    ClaimsError,
    Fault,
)

if TYPE_CHECKING:  # pyspark is imported only when the Spark path runs
    from pyspark.sql import DataFrame, SparkSession

# What a partition's worker returns: settled rows, or faults (row None: the header / whole file).
OUT_SCHEMA = (
    "row_no long, claim_id string, "
    + ", ".join(f"{p} long" for p in PARTS)
    + ", fault_row long, fault_column string, fault_message string, fault_total long"
)
WHITESPACE = r"(?U)^\s+|\s+$"  # what Polars' strip_chars() drops (Unicode White_Space)


def _partition_settler(policy_spec: str):
    """The function each partition runs: all its batches as one frame, parsed and settled."""

    def settle(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import polars as pl

        from fupin.policy.batch import settle_frame
        from fupin.policy.claims import ClaimsError, parse_claims
        from fupin.policy.regions import load_policy

        table = None
        chunks = list(batches)
        if chunks:
            table = pa.Table.from_batches(chunks)
        if table is None or table.num_rows == 0:
            return
        policy = load_policy(policy_spec)
        frame = pl.from_arrow(table)
        rows = frame["row_no"]
        raw = frame.drop("row_no")
        try:
            # first_row=0: a fault's row is its index here, mapped back to its line in the file
            claims = parse_claims(raw, policy, first_row=0)
            result = settle_frame(policy, claims, first_row=0)
        except ClaimsError as exc:
            out = pl.DataFrame(
                {
                    "fault_row": [
                        None if f.row is None else int(rows[f.row]) + 1 for f in exc.faults
                    ],
                    "fault_column": [f.column for f in exc.faults],
                    "fault_message": [f.message for f in exc.faults],
                    "fault_total": [exc.total] + [0] * (len(exc.faults) - 1),
                },
                schema={
                    "fault_row": pl.Int64,
                    "fault_column": pl.String,
                    "fault_message": pl.String,
                    "fault_total": pl.Int64,
                },
            )
            out = out.select(
                pl.lit(None, pl.Int64).alias("row_no"),
                pl.lit(None, pl.String).alias("claim_id"),
                *(pl.lit(None, pl.Int64).alias(p) for p in PARTS),
                pl.all(),
            )
            yield from out.to_arrow().to_batches()
            return
        out = result.select(
            pl.lit(rows).alias("row_no"),
            pl.col("claim_id"),
            *(pl.col(p).cast(pl.Int64) for p in PARTS),
            pl.lit(None, pl.Int64).alias("fault_row"),
            pl.lit(None, pl.String).alias("fault_column"),
            pl.lit(None, pl.String).alias("fault_message"),
            pl.lit(None, pl.Int64).alias("fault_total"),
        )
        yield from out.to_arrow().to_batches(max_chunksize=65536)

    return settle


@dataclass(frozen=True)
class SparkSettleReport:
    pack_id: str
    claims: int
    out: str
    totals: dict[str, int]
    partitions: int
    seconds: dict[str, float]

    def text(self) -> str:
        from fupin.policy.params import fen_to_yuan
        from fupin.policy.units import PART_NAMES

        return "\n".join(
            [
                f"已按 {self.pack_id} 在 Spark 上结算 {self.claims:,} 笔（按人员分 "
                f"{self.partitions} 个分区），结果写入 {self.out}",
                "；".join(f"{PART_NAMES[p]} {fen_to_yuan(v)} 元" for p, v in self.totals.items()),
            ]
        )


def read_claims(spark: SparkSession, path: str) -> tuple[DataFrame, int]:
    """The claims file (CSV or Parquet, a file or a directory of parts, any URI) as text columns,
    numbered `row_no` in file order; and its number of rows."""
    from pyspark.sql import functions as F

    from fupin.sparkio import numbered, read_table

    df = read_table(spark, path)
    renamed = {c: c.strip().lstrip("\ufeff") for c in df.columns}
    df = df.select(*[F.col(f"`{c}`").alias(renamed[c]) for c in df.columns])
    present = [c for c in (*COLUMNS, *OPTIONAL_COLUMNS) if c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        from fupin.policy.claims import COLUMN_NAMES

        names = "、".join(f"{c}（{COLUMN_NAMES[c]}）" for c in missing)
        raise ClaimsError([Fault(None, None, f"缺少列 {names}")])
    return numbered(df.select(*[F.col(c).cast("string").alias(c) for c in present]))


def settle_spark(
    spark: SparkSession,
    policy_spec: str,
    claims_path: str,
    out: str,
    partitions: int | None = None,
    work: str | None = None,
) -> SparkSettleReport:
    """Settle a claims file on Spark into the Parquet directory `out`. Raises ClaimsError/PackError."""
    import uuid

    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F

    from fupin.policy.regions import load_policy
    from fupin.sparkio import delete_path, path_exists

    policy = load_policy(policy_spec)  # a bad pack fails here, on the driver
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if not path_exists(spark, claims_path):
        raise ClaimsError([Fault(None, None, f"找不到文件 {claims_path}")])
    try:
        claims, n_rows = read_claims(spark, claims_path)
    except PySparkException:
        # Spark's own text is English: the users get the reason in theirs.
        raise ClaimsError(
            [Fault(None, None, f"无法读取文件 {claims_path}：不是可读的 CSV 或 Parquet 文件")]
        ) from None
    n = partitions or partitions_for(spark, n_rows)
    # Arrow batches of up to 100,000 rows to each partition's worker (Spark's default is 10,000):
    # the worker gathers its whole partition into one frame anyway.
    batch_conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
    old_batch = spark.conf.get(batch_conf)
    spark.conf.set(batch_conf, str(max(int(old_batch), 100_000)))
    person = F.regexp_replace(F.col("person_id"), WHITESPACE, "")
    by_person = claims.repartition(n, person)
    settled = by_person.mapInArrow(_partition_settler(policy_spec), OUT_SCHEMA)
    # Staging beside the output by default: on a cluster it must be where every executor writes.
    parent = out.rstrip("/").rsplit("/", 1)[0] if "/" in out.rstrip("/") else "."
    staging = f"{(work or parent).rstrip('/')}/.fupin-settle-{uuid.uuid4().hex[:8]}"
    try:
        settled.write.parquet(staging)
        seconds["settle"] = time.perf_counter() - started
        staged = spark.read.parquet(staging)
        is_fault = "fault_message IS NOT NULL OR fault_total IS NOT NULL"
        # One pass over the staged rows: faults, claims and the five totals.
        summary = staged.agg(
            F.count(F.when(F.expr(is_fault), 1)).alias("_faults"),
            F.sum("fault_total").alias("_fault_total"),
            F.count(F.when(~F.expr(is_fault), 1)).alias("_claims"),
            *[F.sum(p).alias(p) for p in PARTS],
        ).collect()[0]
        listed = []
        if summary["_faults"]:
            listed = [
                Fault(r["fault_row"], r["fault_column"], r["fault_message"])
                for r in staged.where(is_fault)
                .orderBy(F.col("fault_row").asc_nulls_first())
                .limit(MAX_LISTED_FAULTS)
                .collect()
            ]
        total = summary["_fault_total"] or 0
        # A claim number twice in the file, wherever the rows went.
        claim = F.regexp_replace(F.col("claim_id"), WHITESPACE, "")
        dup = (
            claims.where(F.length(claim) > 0)
            .withColumn("_c", claim)
            .groupBy("_c")
            .agg(F.count(F.lit(1)).alias("_n"))
            .where("_n > 1")
        )
        dup_rows = claims.withColumn("_c", claim).join(dup.select("_c"), "_c", "left_semi")
        n_dup = dup_rows.count()
        if n_dup:
            first = dup_rows.orderBy("row_no").limit(MAX_LISTED_FAULTS).collect()
            listed += [Fault(int(r["row_no"]) + 1, "claim_id", "结算单号重复") for r in first]
            total += n_dup
        if listed:
            # a duplicate inside one partition is reported by its worker and by the check above
            listed = list(dict.fromkeys(listed))
            listed.sort(key=lambda f: -1 if f.row is None else f.row)
            raise ClaimsError(listed[:MAX_LISTED_FAULTS], total=max(total, len(listed)))
        n_claims = summary["_claims"]
        if n_claims == 0:
            raise ClaimsError([Fault(None, None, "文件中没有结算单")])
        totals = summary
        yuan = [
            F.expr(f"CAST(CAST({p} AS DECIMAL(20, 0)) / 100 AS DECIMAL(18, 2))").alias(p)
            for p in PARTS
        ]
        staged.sortWithinPartitions("row_no").select("claim_id", *yuan).write.mode(
            "overwrite"
        ).parquet(out)
        seconds["write"] = time.perf_counter() - started - seconds["settle"]
        return SparkSettleReport(
            pack_id=policy.id,
            claims=n_claims,
            out=out,
            totals={p: int(totals[p] or 0) for p in PARTS},
            partitions=n,
            seconds=seconds,
        )
    finally:
        spark.conf.set(batch_conf, old_batch)
        if path_exists(spark, staging):
            delete_path(spark, staging)


def partitions_for(spark: SparkSession, rows: int) -> int:
    """Person partitions sized to the claims: one per 500,000 (a frame of well under 1 GB in the
    worker), at least one per core."""
    return max(spark.sparkContext.defaultParallelism, -(-rows // 500_000))
