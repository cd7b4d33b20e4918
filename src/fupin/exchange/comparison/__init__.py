"""信息比对 pipeline (Django-free): see pipeline.py for the steps, engine.py for the engine."""

from collections.abc import Callable

from fupin.sheets.write import sql_text

from .engine import DuckDBEngine
from .pipeline import (
    CATEGORIES,
    LABELS,
    RESULT_COLUMNS,
    BadInput,
    Settings,
    by_area,
    check_inputs,
    run,
)

__all__ = [
    "CATEGORIES",
    "LABELS",
    "RESULT_COLUMNS",
    "BadInput",
    "DuckDBEngine",
    "Settings",
    "by_area",
    "check_inputs",
    "run",
    "compare_files",
]


def compare_files(
    registry: str,
    enrolment: str,
    out_dir: str,
    settings: Settings,
    progress: Callable[[int, int, str], None] = lambda step, total, label: None,
    engine: DuckDBEngine | None = None,
    timings: dict | None = None,
) -> dict:
    """The batch comparison: two CSV/Parquet files in, summary.json and one CSV per category out.

    `timings`, if given, receives seconds per phase: read (load and check the files), then run()'s
    phases, then write.
    """
    import json
    import time
    from pathlib import Path

    import duckdb

    out = Path(out_dir)
    e = engine or DuckDBEngine()
    timings = {} if timings is None else timings
    started = time.perf_counter()
    labels = {}
    for table, path in (("registry", registry), ("enrolment", enrolment)):
        p = Path(path)
        if not p.is_file():
            raise BadInput(f"文件不存在：{path}")
        labels[table] = f"{'建档立卡' if table == 'registry' else '参保数据'}文件 {p.name}"
        labels[f"{table}_kind"] = "parquet" if p.suffix.lower() in (".parquet", ".pq") else "csv"
        try:
            e.load_file(table, p)
        except (duckdb.Error, UnicodeDecodeError) as exc:
            raise BadInput(
                f"{labels[table]}无法读取（应为 UTF-8 编码的 CSV 或 Parquet）：{str(exc).splitlines()[0][:200]}"
            ) from None
    check_inputs(e, labels)
    timings["read"] = time.perf_counter() - started
    summary = run(e, settings, progress, timings)
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    # Names and IDs come from the input files: a text that a spreadsheet would run as a formula is
    # written with a leading quote (fupin.sheets.write); row numbers and scores stay numbers.
    numeric = {"registry_row", "enrolment_row", "score"}
    columns = ", ".join(c if c in numeric else f"{sql_text(c)} AS {c}" for c in RESULT_COLUMNS[1:])
    for cat in CATEGORIES:
        e.write_csv(
            f"SELECT {columns} FROM results WHERE category = '{cat}' ORDER BY area_code, registry_row, enrolment_row",
            out / f"{cat}.csv",
        )
    timings["write"] = time.perf_counter() - started
    return summary
