"""The comparison (信息比对) on Apache Spark: the same pipeline (pipeline.py, ids.py) as DuckDB, on a cluster.

`SparkEngine` is the adapter engine.py describes: the same methods as `DuckDBEngine`, each dialect
function spelt in Spark SQL, the Python functions (`name_sim`, `id_clean`, `damerau_levenshtein`)
as Arrow-batched pandas UDFs running fupin's own code, and every pipeline table materialised as
Parquet in a work directory (a cluster's equivalent of DuckDB's tables: later steps read it with
statistics, and a failed task re-reads it instead of recomputing the steps before).

Rows are numbered in file order, as DuckDB numbers them (`row_no`): for a directory of part files,
in the order of the file names. tests/spark/ proves the outputs equal to DuckDB's.

`compare_spark` is `fupin compare --engine spark`: inputs and outputs are paths or any URI Spark
reads (hdfs://, s3a://, file://); outputs are one Parquet (or CSV) directory per category plus
summary.json.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyarrow as pa

from fupin.sparkio import (
    SQL_CONF,
    delete_path,
    is_parquet_dir,
    path_exists,
    path_size,
    read_table,
    session,
    with_row_numbers,
    write_text,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
from .pipeline import (
    CATEGORIES,
    INPUT_SIZED,
    RESULT_COLUMNS,
    BadInput,
    Settings,
    check_inputs,
    run,
)


def _register_udfs(spark: SparkSession) -> None:
    from pyspark.sql.functions import pandas_udf

    from . import spark_udfs  # imports pandas: only when Spark runs

    spark.udf.register("name_sim", pandas_udf(spark_udfs.name_sim, "double"))
    spark.udf.register("id_clean", pandas_udf(spark_udfs.id_clean, "string"))
    spark.udf.register("damerau_levenshtein", pandas_udf(spark_udfs.damerau, "long"))


class SparkEngine:
    """Runs the comparison on Spark; each pipeline table is materialised once (see `materialize`)."""

    def __init__(
        self,
        spark: SparkSession | None = None,
        work: str | None = None,
        csv_multiline: bool = True,
        materialize: str | None = None,
        shuffle_partitions: int | None = None,
    ):
        import tempfile

        self.spark = spark or session()
        for k, v in SQL_CONF.items():
            self.spark.conf.set(k, v)
        _register_udfs(self.spark)
        self._own_work = work is None
        self.work = work or tempfile.mkdtemp(prefix="fupin-spark-")
        self.run_id = uuid.uuid4().hex[:8]
        self.csv_multiline = csv_multiline
        # "auto" (the default): a table that grows with the inputs (pipeline.INPUT_SIZED: the
        # extract's and the registry's rows, the exact pairs, the results) is written as Parquet
        # under `work` and read back (columnar and compressed; a lost executor costs a re-read, not
        # the steps before); the small ones (the unmatched and near rows) are local checkpoints in
        # the executors' block stores (one job, no files). "parquet": every table as Parquet;
        # "memory": every table a local checkpoint (small inputs, tests). Both cut the lineage, so
        # each step's plan stays small (a persisted DataFrame drags every earlier step's plan along).
        self.materialize = materialize or "auto"
        self.big = set(INPUT_SIZED)
        # None: sized to the inputs (see size_shuffles) unless the session sets its own number.
        self.shuffle_partitions = shuffle_partitions
        self.input_bytes = 0
        self.tables: list[str] = []

    # dialect functions -----------------------------------------------------------------
    @staticmethod
    def regex_full(expr: str, pattern: str) -> str:
        # Java regex: \z is the very end (a $ would also match before a final newline).
        return f"regexp_like({expr}, '^(?:{pattern})\\z')"

    @staticmethod
    def regex_remove(expr: str, pattern_literal: str) -> str:
        return f"regexp_replace({expr}, {pattern_literal}, '')"

    @staticmethod
    def div(expr: str, divisor: int) -> str:
        return f"({expr} div {int(divisor)})"

    @staticmethod
    def month_day(expr: str) -> str:
        return f"date_format({expr}, '-MM-dd')"

    @staticmethod
    def round(expr: str, digits: int) -> str:
        # DuckDB: round(x × 10^d) / 10^d with C's round (half away from zero). Spark's round(v, 0)
        # rounds the shortest decimal text of v half up, which for a double is the same.
        m = f"{10**digits}D"
        return f"(round(({expr}) * {m}, 0) / {m})"

    @staticmethod
    def try_date_ymd(expr: str) -> str:
        return f"try_to_date({expr}, 'yyyyMMdd')"

    @staticmethod
    def edit_distance(a: str, b: str) -> str:
        return f"damerau_levenshtein({a}, {b})"

    @staticmethod
    def id_clean(expr: str) -> str:
        return f"id_clean({expr})"

    @staticmethod
    def where_python(frame: str, name: str, expr: str, where: str, sql_type: str = "STRING") -> str:
        # Spark evaluates a Python UDF on every row of its input, whatever CASE guards it (the UDF runs
        # in its own operator below the projection): the rows that need it get their own branch.
        cond = f"COALESCE({where}, false)"
        return (
            f"SELECT *, CAST(NULL AS {sql_type}) AS {name} FROM ({frame}) wp WHERE NOT {cond} "
            f"UNION ALL SELECT *, {expr} AS {name} FROM ({frame}) wp WHERE {cond}"
        )

    # tables ------------------------------------------------------------------------------
    def _path(self, name: str) -> str:
        return f"{self.work.rstrip('/')}/{self.run_id}/{name}"

    def read(self, path: str) -> DataFrame:
        return read_table(self.spark, path, self.csv_multiline)

    def load_file(self, name: str, path: str | os.PathLike) -> None:
        df = self.read(str(path))
        self.input_bytes += path_size(self.spark, str(path))
        numbered = with_row_numbers(df)
        if self.materialize != "memory" and _is_parquet(self.spark, str(path)):
            # Parquet is read again where needed (only the columns a step uses) instead of copied:
            # the row numbers are a broadcast join of each split's offset, the same on every scan.
            numbered.createOrReplaceTempView(name)
            self.tables.append(name)
        else:
            self._save(name, numbered)  # CSV: parsed once

    def size_shuffles(self) -> int:
        """spark.sql.shuffle.partitions from the inputs' size (about 32 MB of input per partition,
        at least two per core; AQE merges the small ones), unless given or set on the session."""
        n = self.shuffle_partitions
        if n is None:
            if self.spark.conf.get("spark.sql.shuffle.partitions") != "200":  # set by the session
                return int(self.spark.conf.get("spark.sql.shuffle.partitions"))
            cores = self.spark.sparkContext.defaultParallelism
            n = max(2 * cores, -(-self.input_bytes // (32 * 1024 * 1024)))
        self.spark.conf.set("spark.sql.shuffle.partitions", str(n))
        return n

    def load_arrow(self, name: str, table: pa.Table) -> None:
        from pyspark.sql import functions as F

        table = table.append_column("row_no", pa.array(range(1, table.num_rows + 1), pa.int64()))
        df = self.spark.createDataFrame(table)
        self._save(name, df.select("row_no", *[F.col(c) for c in df.columns if c != "row_no"]))

    def _save(self, name: str, df: DataFrame) -> None:
        if self.materialize == "memory":
            df.localCheckpoint(eager=True).createOrReplaceTempView(name)
        elif self.materialize == "auto" and name not in self.big:
            df.localCheckpoint(eager=True).createOrReplaceTempView(name)
        else:
            path = self._path(name)
            df.write.mode("overwrite").parquet(path)
            self.spark.read.parquet(path).createOrReplaceTempView(name)
        self.tables.append(name)

    def columns(self, name: str) -> list[str]:
        return self.spark.table(name).columns

    def is_float(self, name: str, column: str) -> bool:
        types = dict(self.spark.table(name).dtypes)
        return types.get(column, "") in ("float", "double")

    def create(self, name: str, sql: str) -> None:
        self._save(name, self.spark.sql(sql))

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def close(self) -> None:
        for name in self.tables:
            self.spark.catalog.dropTempView(name)
        delete_path(self.spark, f"{self.work.rstrip('/')}/{self.run_id}")
        if self._own_work:
            import shutil

            shutil.rmtree(self.work, ignore_errors=True)


def _is_parquet(spark: SparkSession, path: str) -> bool:
    return str(path).rstrip("/").lower().endswith((".parquet", ".pq")) or is_parquet_dir(
        spark, str(path).rstrip("/")
    )


def _label(path: str, table: str) -> str:
    name = str(path).rstrip("/").rsplit("/", 1)[-1]
    return f"{'建档立卡' if table == 'registry' else '参保数据'}文件 {name}"


def compare_spark(
    registry: str,
    enrolment: str,
    out: str,
    settings: Settings,
    progress: Callable[[int, int, str], None] = lambda step, total, label: None,
    engine: SparkEngine | None = None,
    fmt: str = "parquet",
    timings: dict | None = None,
) -> dict:
    """The batch comparison on Spark: out/summary.json and out/<category>/ (Parquet or CSV parts).

    Result rows are those of DuckDB's `compare_files`, in the same order within a category
    (area, registry row, enrolment row); CSV text is written formula-safe as there.
    """
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    if fmt not in ("parquet", "csv"):
        raise BadInput(f"输出格式应为 parquet 或 csv，而不是 {fmt}")
    timings = {} if timings is None else timings
    own = engine is None
    e = engine or SparkEngine()
    try:
        started = time.perf_counter()
        labels = {}
        for table, path in (("registry", registry), ("enrolment", enrolment)):
            labels[table] = _label(path, table)
            labels[f"{table}_kind"] = "parquet" if _is_parquet(e.spark, str(path)) else "csv"
            try:
                if not path_exists(e.spark, str(path)):
                    raise BadInput(f"文件不存在：{path}")
                e.load_file(table, path)
            except (PySparkException, Py4JJavaError) as exc:
                first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
                raise BadInput(
                    f"{labels[table]}无法读取（应为 UTF-8 编码的 CSV 或 Parquet）：{first}"
                ) from None
        e.size_shuffles()
        check_inputs(e, labels)
        timings["read"] = time.perf_counter() - started
        summary = run(e, settings, progress, timings)
        started = time.perf_counter()
        write_results(e, out, fmt)
        write_text(
            e.spark,
            f"{str(out).rstrip('/')}/summary.json",
            json.dumps(summary, ensure_ascii=False, indent=2),
        )
        timings["write"] = time.perf_counter() - started
        return summary
    finally:
        if own:
            e.close()


def write_results(e: SparkEngine, out: str, fmt: str = "parquet") -> None:
    """out/<category>/ for every category, rows ordered as DuckDB's CSV files are."""
    from fupin.sheets.write import sql_text

    numeric = {"registry_row", "enrolment_row", "score"}
    cols = RESULT_COLUMNS[1:]
    for cat in CATEGORIES:
        if fmt == "csv":
            select = ", ".join(c if c in numeric else f"{sql_text(c)} AS {c}" for c in cols)
        else:
            select = ", ".join(cols)
        df = e.spark.sql(
            f"SELECT {select} FROM results WHERE category = '{cat}' "
            "ORDER BY area_code NULLS LAST, registry_row NULLS LAST, enrolment_row NULLS LAST"
        )
        path = f"{str(out).rstrip('/')}/{cat}"
        writer = df.write.mode("overwrite")
        if fmt == "csv":
            # Spark trims values on writing by default: keep them as DuckDB writes them.
            writer.options(
                header=True,
                quote='"',
                escape='"',
                ignoreLeadingWhiteSpace=False,
                ignoreTrailingWhiteSpace=False,
                encoding="UTF-8",
            ).csv(path)
        else:
            writer.parquet(path)
