"""Two requests at once (并发) in tests: run callables together on their own database connections.

Only PostgreSQL lets two write transactions run at the same time; on SQLite such a test skips with
the reason in Chinese.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务")


def together(fns: list[Callable]) -> list:
    """Start every fn at the same moment (a barrier), each in its own thread and connection; their
    results, or the exception each raised (a refusal is a result), in the order they finished."""
    barrier = threading.Barrier(len(fns))
    results = []

    def go(fn: Callable) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 — the refusal is the result
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
