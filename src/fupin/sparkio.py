"""Spark 会话与文件 (the Spark session and file helpers) both Spark paths share: the comparison
(`fupin.exchange.comparison.spark`) and the batch settlement (`fupin.policy.spark`).

A neutral module below both, so neither imports the other: the session with the SQL settings the
pipelines rely on, CSV/Parquet inputs read as DuckDB and Polars read them, rows numbered in file
order, and the few Hadoop file-system calls (exists, size, delete, a small text file) on any URI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyspark is imported only when a Spark path runs
    from pyspark.sql import DataFrame, SparkSession

# Spark settings the pipeline's SQL relies on: string literals as DuckDB reads them (a backslash
# is a backslash: the ID regexes use \x{…}), no ANSI errors from CASE branches that DuckDB skips,
# and correlated EXISTS in a projection.
SQL_CONF = {
    "spark.sql.parser.escapedStringLiterals": "true",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.caseSensitive": "false",
}


def session(
    master: str | None = None, shuffle_partitions: int | None = None, **conf: str
) -> SparkSession:
    """A SparkSession with the settings the pipeline needs (getOrCreate: spark-submit's session)."""
    from pyspark.sql import SparkSession

    if master is None or master.startswith("local"):
        # Local mode: the Python workers are this interpreter, and see fupin where it does.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        src = str(Path(__file__).resolve().parents[1])
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if src not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([src, *[x for x in paths if x]])
    b = SparkSession.builder.appName("fupin")
    if master:
        b = b.master(master)
    for k, v in {**SQL_CONF, **conf}.items():
        b = b.config(k, v)
    if shuffle_partitions:
        b = b.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = b.getOrCreate()
    for k, v in SQL_CONF.items():  # an existing session (spark-submit, tests) gets them too
        spark.conf.set(k, v)
    return spark


def read_table(spark: SparkSession, path: str, csv_multiline: bool = True) -> DataFrame:
    """A CSV or Parquet file (or directory of part files, any URI) as a DataFrame, columns as read."""
    p = str(path).rstrip("/")
    if p.lower().endswith((".parquet", ".pq")) or is_parquet_dir(spark, p):
        return spark.read.parquet(p)
    # RFC 4180 as DuckDB reads it: header, every value text, doubled quotes, short rows padded
    # with NULL; multiLine so that a quoted line break stays inside its field.
    return spark.read.options(
        header=True,
        encoding="UTF-8",
        sep=",",
        quote='"',
        escape='"',
        multiLine=csv_multiline,
        mode="PERMISSIVE",
        inferSchema=False,
    ).csv(p)


def with_row_numbers(df: DataFrame) -> DataFrame:
    """df with `row_no` first: 1, 2, … in file order (see numbered)."""
    return numbered(df)[0]


def numbered(df: DataFrame) -> tuple[DataFrame, int]:
    """(df with `row_no` first, its number of rows): row_no 1, 2, … in file order (files by name,
    then position in the file).

    No global sort: each input split is read in order, so a row's number is the rows of the splits
    before it plus its place in its own split. The splits' row counts are gathered on the driver
    (one small aggregate), their offsets sent back as a broadcast join.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cols = df.columns
    tagged = df.select(
        F.col("_metadata.file_path").alias("_fp"),
        F.col("_metadata.file_block_start").alias("_bs"),
        F.spark_partition_id().alias("_pid"),
        F.monotonically_increasing_id().alias("_mid"),
        *[F.col(f"`{c}`") for c in cols],
    )
    splits = (
        tagged.groupBy("_pid", "_fp", "_bs")
        .agg(F.min("_mid").alias("_first"), F.count(F.lit(1)).alias("_n"))
        .withColumn(
            "_offset",
            F.sum("_n").over(
                Window.orderBy("_fp", "_bs").rowsBetween(Window.unboundedPreceding, -1)
            ),
        )
        .fillna(0, subset=["_offset"])
    )
    rows = splits.collect()
    offsets = df.sparkSession.createDataFrame(rows, splits.schema)
    out = tagged.join(F.broadcast(offsets), ["_pid", "_fp", "_bs"]).select(
        (F.col("_offset") + F.col("_mid") - F.col("_first") + 1).alias("row_no"),
        *[F.col(f"`{c}`") for c in cols],
    )
    return out, sum(int(r["_n"]) for r in rows)


def path_size(spark: SparkSession, path: str) -> int:
    """Bytes under a path or URI (0 when the file system cannot say)."""
    try:
        jvm = spark._jvm
        p = jvm.org.apache.hadoop.fs.Path(path)
        fs = p.getFileSystem(spark._jsc.hadoopConfiguration())
        return int(fs.getContentSummary(p).getLength())
    except Exception:  # noqa: BLE001 - sizing is a hint only
        return 0


def is_parquet_dir(spark: SparkSession, path: str) -> bool:
    """A directory whose data files end in .parquet (as Spark and fupin write them)."""
    try:
        jvm = spark._jvm
        p = jvm.org.apache.hadoop.fs.Path(path)
        fs = p.getFileSystem(spark._jsc.hadoopConfiguration())
        if not fs.exists(p) or not fs.getFileStatus(p).isDirectory():
            return False
        return any(s.getPath().getName().endswith(".parquet") for s in fs.listStatus(p))
    except Exception:  # noqa: BLE001 - unknown scheme: let the reader report it
        return False


def path_exists(spark: SparkSession, path: str) -> bool:
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return bool(p.getFileSystem(spark._jsc.hadoopConfiguration()).exists(p))


def delete_path(spark: SparkSession, path: str) -> None:
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark._jsc.hadoopConfiguration())
    if fs.exists(p):
        fs.delete(p, True)


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """A small text file at a path or URI (the Hadoop file system Spark writes to)."""
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark._jsc.hadoopConfiguration())
    out = fs.create(p, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()
