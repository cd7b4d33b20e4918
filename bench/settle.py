"""Benchmark of the settlement engine (issues 3 and 10).

1,000,000 random claims over 200,000 persons. Prints, as medians of several runs with the load
average before and after: claims per second on the column path (Polars, one thread) for
validation, for settlement and for both together; the scalar path with and without writing its
Chinese trail; and the end-to-end time of `fupin settle` against merely reading and writing the
same file.

    .venv/bin/python bench/settle.py [--claims 1000000] [--persons 200000] [--policy fuliang-2018] [--runs 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # "on one core": set before Polars loads

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from fupin.policy import load_policy, settle_claims, settle_frame
from fupin.policy.allocator import OPTIONS as ALLOCATOR_OPTIONS
from fupin.policy.claims import COLUMNS, parse_claims, to_claims

ROOT = Path(__file__).resolve().parent.parent


def random_claims(pack, n: int, persons: int, seed: int = 7) -> pl.DataFrame:
    """Raw string table of n claims; deterministic pseudo-random from hashes of the row number."""
    classes = sorted(pack.medical.chronic.classes) if pack.medical.chronic else []
    diseases = ["", "", "", "J18", "I10", "C34.1", "I63.9", "K35.8"]

    def rnd(salt: int, modulo: int) -> pl.Expr:
        return (pl.int_range(n, dtype=pl.UInt64).hash(seed * 1000 + salt) % modulo).cast(pl.Int64)

    person = rnd(1, persons)
    categories = pl.Series(["general"] * 6 + ["poor", "poor", "dibao", "tekun"])
    chronic = (rnd(3, 10) < 4) if classes else pl.lit(False)
    frame = pl.select(
        claim_id=pl.format("C{}", pl.int_range(n).cast(pl.String).str.zfill(8)),
        person_id=pl.format("P{}", person.cast(pl.String).str.zfill(7)),
        # One category per person (same hash of the person), as the validator requires.
        category=pl.lit(categories).gather(person.hash(11) % 10),
        visit_type=pl.when(chronic)
        .then(pl.lit("chronic_outpatient"))
        .otherwise(pl.lit("inpatient")),
        hospital_level=(rnd(4, 3) + 1).cast(pl.String),
        chronic_class=pl.when(chronic).then(
            pl.lit(pl.Series(classes or [""])).gather(rnd(5, max(len(classes), 1)))
        ),
        disease_code=pl.lit(pl.Series(diseases)).gather(rnd(6, len(diseases))),
        admission_date=(pl.date(2018, 1, 1) + pl.duration(days=rnd(7, 365)))
        .cast(pl.Date)
        .cast(pl.String),
        _total=rnd(8, 2_000) * rnd(9, 2_000) + rnd(10, 100_000),  # fen, long tail up to ~4万元
    ).with_columns(
        _in=pl.col("_total") * (70 + rnd(12, 31)) // 100,
    )

    def yuan(col: str) -> pl.Expr:
        return (
            (pl.col(col) // 100).cast(pl.String)
            + "."
            + (pl.col(col) % 100).cast(pl.String).str.zfill(2)
        )

    return frame.with_columns(total_cost=yuan("_total"), in_policy_cost=yuan("_in")).select(COLUMNS)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}（{os.cpu_count()} 核）"


def timed(fn, repeat: int):
    """Median wall time, median CPU time of this process, and the last value. On a shared machine
    the CPU time is the honest "one core" figure; the wall time includes waiting for the core."""
    walls, cpus = [], []
    value = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--policy", default="fuliang-2018", help="政策包、地区或 地区@日期")
    parser.add_argument(
        "--runs", type=int, default=5, help="each figure is the median of this many runs"
    )
    parser.add_argument(
        "--scalar-sample", type=int, default=50_000, help="claims timed on the scalar path"
    )
    args = parser.parse_args()
    policy = load_policy(args.policy)
    pack = policy.packs[0]
    runs = args.runs
    print(
        f"政策 {policy.id}；{args.claims:,} 笔结算单，{args.persons:,} 人；Polars 线程数 "
        f"{pl.thread_pool_size()}；每项取 {runs} 次的中位数"
    )
    print(f"开始时负载（1/5/15 分钟）：{load()}")

    raw = random_claims(pack, args.claims, args.persons)
    parse_wall, parse_cpu, claims = timed(lambda: parse_claims(raw, policy), runs)
    print(
        f"校验与类型转换：CPU {parse_cpu:.3f} s，{args.claims / parse_cpu:,.0f} 笔/秒"
        f"（墙钟 {parse_wall:.3f} s）"
    )
    batch_wall, batch_cpu, result = timed(lambda: settle_frame(policy, claims), runs)
    print(
        f"列式路径结算：CPU {batch_cpu:.3f} s，{args.claims / batch_cpu:,.0f} 笔/秒"
        f"（墙钟 {batch_wall:.3f} s）"
    )
    both_wall, both_cpu, _ = timed(lambda: settle_frame(policy, parse_claims(raw, policy)), runs)
    print(
        f"列式路径 含校验（校验 + 结算，一个核）：CPU {both_cpu:.3f} s，"
        f"{args.claims / both_cpu:,.0f} 笔/秒（墙钟 {both_wall:.3f} s，{args.claims / both_wall:,.0f} 笔/秒）"
    )

    sample_persons = (
        claims["person_id"]
        .unique()
        .sort()
        .head(max(1, args.persons * args.scalar_sample // args.claims))
    )
    sample = to_claims(claims.filter(pl.col("person_id").is_in(sample_persons.implode())))
    scalar_runs = max(1, min(runs, 3))
    _, scalar_cpu, settled = timed(lambda: settle_claims(policy, sample), scalar_runs)
    _, bare_cpu, bare = timed(lambda: settle_claims(policy, sample, trail=False), scalar_runs)
    print(
        f"标量路径（含中文计算过程）：{len(sample):,} 笔 CPU {scalar_cpu:.2f} s，"
        f"{len(sample) / scalar_cpu:,.0f} 笔/秒"
    )
    print(
        f"标量路径（不写计算过程）：{len(sample):,} 笔 CPU {bare_cpu:.2f} s，"
        f"{len(sample) / bare_cpu:,.0f} 笔/秒"
    )
    print(
        f"列式 / 标量 速度比（按 CPU，含计算过程）：{(args.claims / batch_cpu) / (len(sample) / scalar_cpu):,.0f} 倍"
    )
    expected = result.filter(pl.col("claim_id").is_in([s.claim.claim_id for s in settled]))
    by_id = {row[0]: row[1:] for row in expected.iter_rows()}
    same = all(by_id[s.claim.claim_id] == tuple(s.parts().values()) for s in settled)
    same = same and [s.parts() for s in bare] == [s.parts() for s in settled]
    print(f"抽样核对两条路径逐分一致：{'是' if same else '否'}")

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    bare_code = (
        "import polars as pl, sys; s = sys.argv[1]; "
        "df = pl.read_csv(s, infer_schema=False) if s.endswith('.csv') else pl.read_parquet(s); "
        "df.write_csv(sys.argv[2]) if s.endswith('.csv') else df.write_parquet(sys.argv[2])"
    )
    startup = [sys.executable, "-m", "fupin.cli", "settle", "--help"]
    wall, cpu = run_timed(startup, env, runs)
    print(f"Django 启动（fupin settle --help）：墙钟 {wall:.2f} s（CPU {cpu:.2f} s）")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".parquet"):
            source = Path(tmp) / f"claims{suffix}"
            out = Path(tmp) / f"split{suffix}"
            copy = Path(tmp) / f"copy{suffix}"
            (raw.write_csv if suffix == ".csv" else raw.write_parquet)(source)
            bare_run = [sys.executable, "-c", bare_code, str(source), str(copy)]
            command = [
                sys.executable,
                "-m",
                "fupin.cli",
                "settle",
                "--policy",
                args.policy,
                "--claims",
                str(source),
                "--out",
                str(out),
            ]
            no_django = [sys.executable, "-m", "fupin.policy", *command[3:]]
            bare_wall, bare_cpu = run_timed(bare_run, env, runs)
            print(
                f"仅读+写同一文件（{suffix[1:]}）：墙钟 {bare_wall:.2f} s（CPU {bare_cpu:.2f} s）"
            )
            # The same, with the allocator options `python -m fupin.policy` sets for itself: they
            # are no help to the bare read + write (so the ratio below is against the plain one).
            kept = {**env, "_RJEM_MALLOC_CONF": ALLOCATOR_OPTIONS}
            kept_wall, kept_cpu = run_timed(bare_run, kept, runs)
            print(
                f"  同上，用结算命令的内存分配设置：墙钟 {kept_wall:.2f} s（CPU {kept_cpu:.2f} s）"
            )
            for label, argv in (
                ("fupin settle", command),
                ("python -m fupin.policy settle", no_django),
            ):
                e2e_wall, e2e_cpu = run_timed(argv, env, runs)
                print(
                    f"  端到端 {label}：墙钟 {e2e_wall:.2f} s（CPU {e2e_cpu:.2f} s）；"
                    f"倍数 {e2e_wall / bare_wall:.2f}（按 CPU {e2e_cpu / bare_cpu:.2f}）"
                )
            steps = run_steps(args.policy, source, out, env, runs)
            print(
                "  逐步 CPU（新进程，各步中位数）："
                + "，".join(f"{name} {cpu:.2f} s" for name, cpu in steps.items())
                + f"；合计 {sum(steps.values()):.2f} s"
            )
    print(f"结束时负载（1/5/15 分钟）：{load()}")


# One `python -m fupin.policy settle` in a fresh process, step by step: CPU (user + system) of
# each step, as JSON. The same calls as `fupin.policy.cli.settle_file` on a valid CSV, in its
# order (the streamed path; a Parquet file is read whole); the import is timed from the
# interpreter's start (Polars included), as the end-to-end figure counts it.
STEPS_CODE = """
import gc, json, resource, sys
gc.disable()
from fupin.policy.allocator import keep_freed_memory
keep_freed_memory()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
steps, last = {}, 0.0
def step(name):
    global last
    now = cpu(); steps[name] = now - last; last = now
from fupin.policy.cli import load_compiled, parse_claims, read_claims_file, settle_frame
from fupin.policy.batch import cost_controlled
from fupin.policy.io import write_settlements
from fupin.policy.streamed import settle_csv
gc.freeze(); gc.enable()
step("导入模块（含 Polars）")
policy = load_compiled(sys.argv[1]); step("读政策")  # compiled, from packs/__pycache__
if sys.argv[2].endswith(".csv"):
    streamed = settle_csv(policy, sys.argv[2]); step("流式读取、校验并结算")
    assert streamed is not None
    write_settlements(streamed.result, sys.argv[3]); step("写出")
else:
    raw = read_claims_file(sys.argv[2], typed=True); step("读文件")
    claims = parse_claims(raw, policy); del raw; step("校验")
    result = settle_frame(policy, claims); step("结算")
    write_settlements(result, sys.argv[3]); step("写出")
    int(cost_controlled(policy, claims).sum()); step("控费统计")
print(json.dumps(steps))
"""


def run_steps(
    policy: str, source: Path, out: Path, env: dict[str, str], repeat: int
) -> dict[str, float]:
    """Median CPU seconds of each step of a settlement run in a fresh process."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", STEPS_CODE, policy, str(source), str(out)],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout))
    return {name: statistics.median(r[name] for r in runs) for name in runs[0]}


def run_timed(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of a child process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


if __name__ == "__main__":
    main()
