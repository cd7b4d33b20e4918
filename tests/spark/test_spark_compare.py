"""信息比对 on Spark (local mode) equals DuckDB's: every category, every pair, every column.

The inputs come from the independent generator (tests/exchange/world.py): faulty, messy and
15-digit IDs, homophones, duplicates, neighbours — every category occurs. The registry is read as
CSV, the extract as Parquet (both readers); results are compared row by row with DuckDB's
`results` table, and the CSV output of each category with DuckDB's CSV file.
"""

import csv
import json

import polars as pl
import pytest

from fupin.exchange.comparison import (
    CATEGORIES,
    RESULT_COLUMNS,
    BadInput,
    DuckDBEngine,
    Settings,
    compare_files,
)
from fupin.exchange.comparison.spark import SparkEngine, compare_spark, write_results
from tests.exchange.world import AS_OF, generate

SETTINGS = Settings(pension_min_age=16, as_of=AS_OF)
ORDER = ["area_code", "registry_row", "enrolment_row", "insurance"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    w = generate(300, 600, seed=3)
    d = tmp_path_factory.mktemp("spark-compare")
    w.registry.write_csv(d / "registry.csv")
    w.enrolment.write_parquet(d / "enrolment.parquet")
    return d


@pytest.fixture(scope="module")
def duck(files):
    e = DuckDBEngine(threads=1)
    summary = compare_files(
        str(files / "registry.csv"),
        str(files / "enrolment.parquet"),
        str(files / "duck"),
        SETTINGS,
        engine=e,
    )
    results = pl.from_arrow(e.arrow("SELECT * FROM results"))
    e.close()
    return summary, results


@pytest.fixture(scope="module")
def sparked(spark, files):
    e = SparkEngine(spark, materialize="memory")
    summary = compare_spark(
        str(files / "registry.csv"),
        str(files / "enrolment.parquet"),
        str(files / "spark"),
        SETTINGS,
        engine=e,
    )
    write_results(e, str(files / "spark-csv"), "csv")
    yield summary
    e.close()


def test_every_category_and_pair_equal(files, duck, sparked):
    summary, results = duck
    assert sparked == summary
    assert all(summary[c] > 0 for c in CATEGORIES), summary  # the data exercise every category
    assert json.loads((files / "spark" / "summary.json").read_text(encoding="utf-8")) == summary
    for cat in CATEGORIES:
        want = results.filter(pl.col("category") == cat).drop("category")
        got = pl.read_parquet(files / "spark" / cat / "*.parquet")
        assert got.columns == RESULT_COLUMNS[1:]
        got = got.cast(dict(want.schema))
        assert got.sort(ORDER, nulls_last=True).equals(want.sort(ORDER, nulls_last=True)), cat
        # and in the order DuckDB's CSV files have
        assert got.select("registry_row", "enrolment_row").rows() == [
            (
                int(r["registry_row"]) if r["registry_row"] else None,
                int(r["enrolment_row"]) if r["enrolment_row"] else None,
            )
            for r in csv.DictReader((files / "duck" / f"{cat}.csv").open(encoding="utf-8"))
        ], cat


def test_csv_output_equal_to_duckdb_files(files, duck, sparked):
    for cat in CATEGORIES:
        want = list(csv.reader((files / "duck" / f"{cat}.csv").open(encoding="utf-8")))
        parts = sorted((files / "spark-csv" / cat).glob("part-*.csv"))
        got = []
        for part in parts:
            rows = list(csv.reader(part.open(encoding="utf-8")))
            got += rows if not got else rows[1:]
        assert got[0] == want[0], cat
        assert sorted(got[1:]) == sorted(want[1:]), cat


def test_row_numbers_in_file_order_across_part_files(spark, tmp_path):
    """A directory of part files is numbered file by file, in name order, as one file would be."""
    d = tmp_path / "parts"
    d.mkdir()
    for k in range(3):
        pl.DataFrame({"v": [f"{k}-{i}" for i in range(50 + k)]}).write_csv(d / f"part-{k}.csv")
    e = SparkEngine(spark, materialize="memory")
    e.load_file("t", str(d))
    rows = e.rows("SELECT row_no, v FROM t ORDER BY row_no")
    assert rows == [
        (n + 1, v) for n, v in enumerate(f"{k}-{i}" for k in range(3) for i in range(50 + k))
    ]
    e.close()


def test_bad_input_named(spark, tmp_path):
    (tmp_path / "r.csv").write_text("id_number,name\n1,张三\n", encoding="utf-8")
    e = SparkEngine(spark, materialize="memory")
    with pytest.raises(BadInput, match="缺少列"):
        compare_spark(
            str(tmp_path / "r.csv"),
            str(tmp_path / "r.csv"),
            str(tmp_path / "o"),
            SETTINGS,
            engine=e,
        )
    with pytest.raises(BadInput, match="文件不存在"):
        compare_spark(
            str(tmp_path / "nope.csv"),
            str(tmp_path / "r.csv"),
            str(tmp_path / "o"),
            SETTINGS,
            engine=e,
        )
    e.close()


def test_cli_compare_engine_spark_bad_file(spark, tmp_path, capsys):
    """`fupin compare --engine spark` on a missing file: the Chinese message and exit status 2."""
    from django.core.management import call_command

    with pytest.raises(SystemExit) as caught:
        call_command(
            "compare",
            registry=str(tmp_path / "none.csv"),
            enrolment=str(tmp_path / "none.parquet"),
            out=str(tmp_path / "o"),
            engine="spark",
            as_of="2020-06-30",
        )
    assert caught.value.code == 2
    assert "文件不存在" in capsys.readouterr().err


def test_tables_on_disk_and_parquet_read_in_place_equal(spark, files, duck, tmp_path):
    """The default materialisation as on a cluster: tables above the size limit written as Parquet
    under the work directory (here also some of the small ones), the Parquet extract read in place, the CSV registry
    parsed once: the same pairs as DuckDB."""
    summary, results = duck
    e = SparkEngine(spark, work=str(tmp_path / "work"))
    e.big = {"registry", "reg", "enr", "pairs", "reg_rem", "scored", "tag_free", "results"}
    got = compare_spark(
        str(files / "registry.csv"),
        str(files / "enrolment.parquet"),
        str(tmp_path / "out"),
        SETTINGS,
        engine=e,
    )
    rows = pl.from_arrow(e.arrow("SELECT * FROM results")).cast(dict(results.schema))
    e.close()
    assert got == summary
    cols = ["category", *ORDER]
    assert rows.sort(cols, nulls_last=True).equals(results.sort(cols, nulls_last=True))
    assert list((tmp_path / "work").iterdir()) == []  # the work tables are removed
