"""`python -m fupin.policy` — the settlement commands without Django, exit status 2 on bad input."""

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).parents[2]
HEADER = (
    "claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,"
    "admission_date,total_cost,in_policy_cost"
)


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "fupin.policy", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_settle_without_django(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(
        HEADER + "\nC1,P1,poor,inpatient,3,,,2018-03-01,100000,90000\n", encoding="utf-8"
    )
    out = tmp_path / "o.parquet"
    done = run("settle", "--policy", "fuliang-2018", "--claims", str(claims), "--out", str(out))
    assert done.returncode == 0, done.stderr
    # Golden case F-03: 53520 + 15740 + 0 + 20740 + 10000.
    row = pl.read_parquet(out).row(0)
    assert [str(v) for v in row] == ["C1", "53520.00", "15740.00", "0.00", "20740.00", "10000.00"]


def test_bad_input_is_status_2_and_writes_nothing(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(HEADER + "\nC1,P1,poor,inpatient,3,,,2018-03-01,100,900\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    done = run("settle", "--policy", "fuliang-2018", "--claims", str(claims), "--out", str(out))
    assert done.returncode == 2
    assert (
        "第 2 行，列 in_policy_cost（政策范围内费用）：政策范围内费用 900 元大于总费用 100 元"
        in done.stderr
    )
    assert not out.exists()
    assert run("policy", "show", "nowhere").returncode == 2


def allocator_options(env: dict[str, str]) -> dict[str, str]:
    """The options Polars' allocator (jemalloc) ran `python -m fupin.policy policy list` with,
    as its statistics at exit print them."""
    done = subprocess.run(
        [sys.executable, "-m", "fupin.policy", "policy", "list"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"} | env,
    )
    assert done.returncode == 0, done.stderr
    options = {}
    for line in done.stderr.splitlines():
        name, _, value = line.strip().partition(": ")
        if name.startswith("opt."):
            options[name] = value.split(" ")[0]
    return options


def test_the_command_keeps_freed_memory_unless_the_caller_chose():
    """The command sets Polars' allocator for its own process, before Polars is loaded, only
    when the caller has not: a caller's own choice (here: statistics at exit) stands alone."""
    chosen = allocator_options({"_RJEM_MALLOC_CONF": "stats_print:true"})
    assert chosen["opt.narenas"] != "1" and chosen["opt.dirty_decay_ms"] != "-1"
    code = (
        "import os, runpy, sys; sys.argv = ['fupin.policy', 'policy', 'list']\n"
        "try:\n    runpy.run_module('fupin.policy', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    settings = done.stdout.strip().splitlines()[-1].split(",")
    assert {"narenas:1", "dirty_decay_ms:-1", "muzzy_decay_ms:-1"} <= set(settings)


def test_the_allocator_reads_its_options_set_from_python_before_polars_loads():
    """What the command relies on: set in `os.environ` before `import polars`, they take."""
    code = (
        "import os; os.environ['_RJEM_MALLOC_CONF'] = 'stats_print:true,narenas:1'\n"
        "import polars as pl; pl.Series([1, 2]).sum()"
    )
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0
    assert "opt.narenas: 1" in done.stderr


def test_a_file_that_cannot_be_read_is_named_in_chinese(tmp_path):
    """Damaged files of every kind: status 2, a Chinese reason, no traceback, no English text of
    the reader, no output file."""
    files = {
        # neither UTF-8 nor GBK after a good header
        "random.csv": (HEADER + "\nC1,").encode() + b"\xff\xfe" * 50 + b"\n",
        "quotes.csv": (
            HEADER + '\nC1,P1,poor,inpatient,2,,J18,2018-03-01,100,90\n"C2,P2\n'
        ).encode(),
        "random.xlsx": bytes(range(256)) * 8,
        "zip.xlsx": b"PK\x03\x04 not a workbook",
        "random.parquet": b"PAR1 not parquet",
    }
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        out = tmp_path / "out.csv"
        done = run("settle", "--policy", "fuliang", "--claims", str(path), "--out", str(out))
        assert done.returncode == 2, (name, done.stderr)
        assert "Traceback" not in done.stderr, (name, done.stderr)
        text = done.stdout + done.stderr
        assert f"文件：无法读取文件 {name}：" in text, (name, text)
        reason = text.split(f"{name}：", 1)[1]
        assert not any(
            "a" <= ch.lower() <= "z"
            for ch in reason.replace("UTF-8", "")
            .replace("GBK", "")
            .replace("CSV", "")
            .replace("Excel", "")
            .replace("xlsx", "")
            .replace("Parquet", "")
        ), (
            name,
            reason,
        )
        assert not out.exists()
