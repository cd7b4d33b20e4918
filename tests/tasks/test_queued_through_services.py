"""Jobs are queued by services after commit, never straight from a view or an API route: no page or
API module names a task or calls `.enqueue(`/`.delay(`/`async_task(` (docs/CONVENTIONS.md, 后台任务)."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "fupin"
ENTRY = re.compile(r"(^|_)(views|api)\.py$")
QUEUEING = re.compile(r"\.enqueue\(|\.delay\(|async_task\(|\btasks import\b|\bimport tasks\b")


def test_no_view_or_api_module_queues_a_job():
    entry_modules = [p for p in SRC.rglob("*.py") if ENTRY.search(p.name)]
    assert len(entry_modules) > 20  # the pattern finds the pages and routes
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(entry_modules)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if QUEUEING.search(line)
    ]
    assert found == []
