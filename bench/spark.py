"""Spark beside the single-machine engines (issue 14): the comparison (Spark vs DuckDB) and the batch
settlement (Spark vs Polars), Spark in local[1] and local[2], in one run, on the same files.

    flock -w 1800 /work/wt/.bench.lock nice -n 10 .venv/bin/python bench/spark.py \
        [--persons 1000000] [--rows 20000000] [--claims 1000000] [--runs 1]

The comparison's inputs come from the independent generator (tests/exchange/world.py, as
bench/compare.py), the claims from bench/settle.py's generator; both written as Parquet. Every
Spark result is checked equal to the single-machine one (summary counts; claim totals to the fen).
Prints wall seconds (median of --runs), rows or claims per second, the scaling from 1 to 2 cores,
the ratio to DuckDB/Polars, the sizes of the tables the shuffles move (for the projection in the
README), and the load average before and after each measurement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.exchange.world import AS_OF, generate  # noqa: E402

from fupin.exchange.comparison import CATEGORIES, DuckDBEngine, Settings, compare_files  # noqa: E402

COUNTIES = tuple(str(360200 + 2 * i + 2) for i in range(40))
SHUFFLED = ["reg", "enr", "pairs", "reg_rem", "blocked", "cand", "scored", "tag_free", "tag_near"]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def med(values: list[float]) -> float:
    return statistics.median(values)


def spark_session(cores: int, tmp: str):
    from fupin.exchange.comparison.spark import session

    s = session(
        f"local[{cores}]",
        None,  # shuffle partitions: sized to the input by the engine
        **{
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.driver.memory": os.environ.get("FUPIN_BENCH_SPARK_MEMORY", "3g"),
            "spark.local.dir": tmp,
            "spark.sql.files.maxPartitionBytes": str(32 * 1024 * 1024),
        },
    )
    s.sparkContext.setLogLevel("ERROR")
    return s


def comparison_input(args, d: Path) -> tuple[Path, Path, int, int]:
    """The registry and extract as Parquet in `d`: generated once per (persons, rows, seed), then reused."""
    import pyarrow.parquet as pq

    stem = f"{args.persons}-{args.rows}-{args.seed}"
    reg, enr = d / f"registry-{stem}.parquet", d / f"enrolment-{stem}.parquet"
    if not (reg.exists() and enr.exists()):
        others = max(0, int((args.rows - args.persons * 1.75) / 1.66))
        started = time.perf_counter()
        world = generate(args.persons, others, seed=args.seed, counties=COUNTIES, as_of=AS_OF)
        for frame, path in ((world.registry, reg), (world.enrolment, enr)):
            frame.write_parquet(path.with_suffix(".tmp"))
            path.with_suffix(".tmp").rename(path)
        world = None
        print(f"generated in {time.perf_counter() - started:.0f} s")
    n_reg, n_enr = pq.ParquetFile(reg).metadata.num_rows, pq.ParquetFile(enr).metadata.num_rows
    print(f"comparison input: {n_reg:,} registry persons × {n_enr:,} enrolment rows ({d})")
    return reg, enr, n_reg, n_enr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--claim-persons", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--cores", default="1,2", help="Spark local[N] to run, e.g. 1,2")
    ap.add_argument("--skip-compare", action="store_true")
    ap.add_argument("--skip-settle", action="store_true")
    ap.add_argument(
        "--data",
        help="keep the generated inputs in this directory and reuse them on later runs "
        "(generate once, nice'd and outside the bench lock, with --generate-only)",
    )
    ap.add_argument("--generate-only", action="store_true")
    args = ap.parse_args()
    cores = [int(c) for c in args.cores.split(",")]
    settings = Settings(pension_min_age=16, as_of=AS_OF)
    print(f"load before: {load()} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="fupin-bench-spark-") as tmp:
        t = Path(tmp)
        if not args.skip_compare:
            reg, enr, n_reg, n_enr = comparison_input(args, Path(args.data) if args.data else t)
        if not args.skip_compare and not args.generate_only:
            duck = {}
            for threads in (1, 2):
                walls = []
                for _ in range(args.runs):
                    before = load()
                    e = DuckDBEngine(threads=threads)
                    started = time.perf_counter()
                    summary = compare_files(str(reg), str(enr), str(t / "duck"), settings, engine=e)
                    walls.append(time.perf_counter() - started)
                    e.close()
                duck[threads] = med(walls)
                print(
                    f"  DuckDB threads={threads}: {duck[threads]:.1f} s "
                    f"({n_enr / duck[threads]:,.0f} enrolment rows/s) load {before} → {load()}"
                )
            want = summary
            from fupin.exchange.comparison.spark import SparkEngine, compare_spark

            sp = {}
            for c in cores:
                s = spark_session(c, tmp)
                walls = []
                for _ in range(args.runs):
                    before = load()
                    e = SparkEngine(s, work=str(t / "work"))
                    timings: dict = {}
                    started = time.perf_counter()
                    got = compare_spark(
                        str(reg),
                        str(enr),
                        str(t / f"spark{c}"),
                        settings,
                        engine=e,
                        timings=timings,
                    )
                    walls.append(time.perf_counter() - started)
                    sizes = {n: s.table(n).count() for n in SHUFFLED}
                    e.close()
                assert got == want, (got, want)
                sp[c] = med(walls)
                print(
                    f"  Spark local[{c}]: {sp[c]:.1f} s ({n_enr / sp[c]:,.0f} enrolment rows/s), "
                    f"{sp[c] / duck[min(c, 2)]:.1f}× DuckDB threads={min(c, 2)}; phases "
                    + ", ".join(f"{k} {v:.0f}" for k, v in timings.items())
                    + f"; load {before} → {load()}; summary equal to DuckDB"
                )
                s.stop()
            print(
                "  rows of the tables the joins shuffle: "
                + ", ".join(f"{k} {v:,}" for k, v in sizes.items())
            )
            if 1 in sp and 2 in sp:
                print(f"  Spark scaling 1→2 cores: {sp[1] / sp[2]:.2f}×")
            print("  categories: " + ", ".join(f"{k} {want[k]:,}" for k in CATEGORIES))

        if not args.skip_settle:
            from fupin.policy import load_pack
            from fupin.policy.cli import settle_file
            from fupin.policy.spark import settle_spark
            from settle import random_claims

            pack = "fuliang-2018"
            d = Path(args.data) if args.data else t
            path = d / f"claims-{pack}-{args.claims}-{args.claim_persons}.parquet"
            if not path.exists():
                claims = random_claims(load_pack(pack), args.claims, args.claim_persons)
                claims.write_parquet(path.with_suffix(".tmp"))
                path.with_suffix(".tmp").rename(path)
                claims = None
            if args.generate_only:
                return
            print(
                f"settlement input: {args.claims:,} claims of {args.claim_persons:,} persons ({pack})"
            )
            walls = []
            for _ in range(args.runs):
                before = load()
                started = time.perf_counter()
                report = settle_file(pack, path, t / "polars.parquet")
                walls.append(time.perf_counter() - started)
            polars_s = med(walls)
            print(
                f"  Polars (fupin settle, {pl.thread_pool_size()} threads): "
                f"{polars_s:.1f} s ({args.claims / polars_s:,.0f} claims/s) load {before} → {load()}"
            )
            want = pl.read_parquet(t / "polars.parquet")
            sp = {}
            for c in cores:
                s = spark_session(c, tmp)
                walls = []
                for run in range(args.runs):
                    before = load()
                    started = time.perf_counter()
                    got = settle_spark(
                        s,
                        pack,
                        str(path),
                        str(t / f"spark{c}-{run}.parquet"),
                        work=tmp,
                    )
                    walls.append(time.perf_counter() - started)
                assert got.totals == report.totals, (got.totals, report.totals)
                out = pl.read_parquet(t / f"spark{c}-0.parquet" / "*.parquet")
                joined = want.join(out, on="claim_id", how="full", suffix="_s")
                assert joined.height == args.claims
                assert all((joined[p] == joined[f"{p}_s"]).all() for p in report.totals)
                sp[c] = med(walls)
                print(
                    f"  Spark local[{c}] ({got.partitions} person partitions): {sp[c]:.1f} s "
                    f"({args.claims / sp[c]:,.0f} claims/s), "
                    f"{sp[c] / polars_s:.1f}× Polars; load {before} → {load()}; every claim equal to the fen"
                )
                s.stop()
            if 1 in sp and 2 in sp:
                print(f"  Spark scaling 1→2 cores: {sp[1] / sp[2]:.2f}×")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
