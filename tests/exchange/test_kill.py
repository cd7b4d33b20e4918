"""A process killed in the middle of a merge leaves the registry exactly as it was.

Runs on SQLite always, and on PostgreSQL (production) when DATABASE_URL points to a PostgreSQL
server: there in a fresh database of its own (fupin_kill_<pid>), created and dropped on that server.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from .files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx

SETUP = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from fupin.areas.services import load_divisions, read_bundled
load_divisions(read_bundled("360222"))
"""
# Run in a fresh process against the same database: is a merge live? then recover and merge again.
CHECK = (
    SETUP.replace('call_command("migrate", verbosity=0)', "").split("from fupin.areas")[0]
    + """
from fupin.exchange import imports
from fupin.exchange.models import ImportJob
job = ImportJob.objects.get()
print("live" if imports.merge_in_progress(job.pk) else "dead")
"""
)
RECOVER = (
    CHECK
    + """
assert imports.recover_interrupted(job)
imports.merge(job)
"""
)
# The import command, with the merge held open right after the new households are inserted: the
# test's own wrapper around `bulk.insert_select` (the live merge has no pause of its own), so the
# test can look at the open transaction and kill the process there.
PAUSED_IMPORT = """
import sys, time
from fupin.exchange import bulk
insert_select = bulk.insert_select

def households_then_pause(model, *args, **kwargs):
    n = insert_select(model, *args, **kwargs)
    if model._meta.label == "registry.Household":
        sys.stderr.write("\\n合并：新户已写入，暂停\\n")
        sys.stderr.flush()
        time.sleep(60)
    return n

bulk.insert_select = households_then_pause
from fupin.cli import main
main(sys.argv[1:])
"""
QUERIES = [
    ("SELECT COUNT(*) FROM registry_household", 0),
    ("SELECT COUNT(*) FROM registry_person", 0),
    ("SELECT COUNT(*) FROM registry_statuschange", 0),
    ("SELECT COUNT(*) FROM access_auditentry WHERE action = 'import'", 0),
    ("SELECT state FROM exchange_importjob", "merging"),
]
PG_URL = os.environ.get("DATABASE_URL", "")
ON_PG = PG_URL.startswith(("postgres://", "postgresql://"))


@contextmanager
def sqlite_database(tmp_path):
    db = tmp_path / "kill.sqlite3"

    def query(sql):
        with closing(sqlite3.connect(db)) as con:
            return con.execute(sql).fetchone()[0]

    yield f"sqlite:///{db}", query


@contextmanager
def postgres_database():
    import psycopg

    name = f"fupin_kill_{os.getpid()}"
    parts = urlsplit(PG_URL)
    server = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    try:

        def query(sql):
            with psycopg.connect(url) as con:
                return con.execute(sql).fetchone()[0]

        yield url, query
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("backend", [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not ON_PG, reason="DATABASE_URL is not PostgreSQL")),
])  # fmt: skip
def test_killed_merge_leaves_registry_unchanged(tmp_path, backend):
    database = sqlite_database(tmp_path) if backend == "sqlite" else postgres_database()
    with database as (url, query):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "FUPIN_DATA_DIR": str(tmp_path),
            "FUPIN_TASKS": "immediate",
        }
        env.pop("FUPIN_TEST_DB", None)
        subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=300)
        rows = []
        for h in range(200):
            rows += roster_rows(
                f"K{h:04d}", VILLAGE_A, [(person_id(h, 1950 + h % 40), f"户主{h}", "户主")]
            )
        path = tmp_path / "roster.xlsx"
        path.write_bytes(xlsx(rows, header=ROSTER_HEADER))
        proc = subprocess.Popen(
            [sys.executable, "-c", PAUSED_IMPORT, "import", "roster", str(path), "--yes"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            seen = ""
            deadline = time.monotonic() + 120
            while (
                "新户已写入" not in seen and time.monotonic() < deadline
            ):  # wait until the merge has inserted the new households
                ch = proc.stderr.read(1)
                if not ch:
                    break
                seen += ch
            assert "合并" in seen, seen
            # the households are inserted, inside the open transaction
            if backend == "postgresql":  # really inside: the households are there, uncommitted
                assert (
                    query(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                        "AND datname = current_database()"
                    )
                    >= 1
                )
            live = subprocess.run(
                [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
            )
            assert live.stdout.strip() == "live", (
                live.stderr
            )  # a running merge is never taken for dead
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        for sql, expected in QUERIES:
            assert query(sql) == expected, sql
        # The job row says "merging" for ever unless someone notices the merge died: the next
        # look at it does, and the same confirmed file merges in full.
        subprocess.run([sys.executable, "-c", RECOVER], env=env, check=True, timeout=300)
        assert query("SELECT state FROM exchange_importjob") == "done"
        assert query("SELECT COUNT(*) FROM registry_household") == 200
