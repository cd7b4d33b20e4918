"""Is some process still working on this background job? (后台任务是否仍在运行)

A task holds a lock named after its job for as long as it works on it, and writes the job's
final state before letting go. The lock dies with the process that holds it, however that
process ends (killed, out of memory, aborted inside a native library), so a job whose row
says "running" while nobody holds its lock was abandoned by a dead worker: the job's module
then fails it with a Chinese reason instead of leaving it "queued" or "running" for ever.

- PostgreSQL: a session advisory lock on a connection of the task's own, visible in pg_locks to
  the workers and web processes of every machine.
- SQLite (one machine by nature): an flock on `<FUPIN_DATA_DIR>/locks/<db>-<job>.lock`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections


class AlreadyRunning(RuntimeError):
    """Another live process holds this job's lock (the job was enqueued twice)."""


def _keys(label: str, pk: int) -> tuple[int, int]:
    return zlib.crc32(label.encode()) & 0x7FFFFFFF, int(pk) & 0x7FFFFFFF


def _lock_path(label: str, pk: int) -> Path:
    db = hashlib.sha1(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:10]
    return Path(settings.DATA_DIR) / "locks" / f"{db}-{label}-{pk}.lock"


@contextlib.contextmanager
def holding(label: str, pk: int) -> Iterator[None]:
    """Hold the job's lock while the body runs; AlreadyRunning if a live process holds it."""
    if connection.vendor == "postgresql":
        own = connections.create_connection(
            DEFAULT_DB_ALIAS
        )  # not the task's: its lock must not depend on the task's transactions
        try:
            with own.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(%s, %s)", _keys(label, pk))
                if not cur.fetchone()[0]:
                    raise AlreadyRunning(label, pk)
            yield
        finally:
            own.close()  # the session ends, and its advisory lock with it
        return
    path = _lock_path(label, pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(label, pk) from None
        try:
            yield
        finally:
            # Unlinked while still held: a process that opened the old file can lock it only
            # after the job's final state was written, and nobody else can create it meanwhile.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    finally:
        os.close(fd)


def held(label: str, pk: int) -> bool:
    """Whether some live process holds the job's lock (this one included)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = %s::bigint::oid AND objid = %s::bigint::oid)",
                _keys(label, pk),
            )
            return bool(cur.fetchone()[0])
    try:
        fd = os.open(_lock_path(label, pk), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock this probe may have taken
    return False
