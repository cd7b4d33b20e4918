"""Real processes for the worker tests: a fresh database (a SQLite file, or a PostgreSQL database of
its own) that separate Python processes share, and short Django scripts run in them."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from contextlib import contextmanager

import pytest

from tests.exchange.test_kill import ON_PG, postgres_database, sqlite_database

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql", marks=pytest.mark.skipif(not ON_PG, reason="DATABASE_URL is not PostgreSQL")
    ),
]
PRELUDE = """
import json, os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
django.setup()
"""
SETUP = (
    PRELUDE
    + """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from fupin.areas.services import load_divisions, read_bundled
load_divisions(read_bundled("360222"))
"""
)


def at_most_8gb() -> None:  # whatever the code under test does, this machine is shared
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


@contextmanager
def database(backend: str, tmp_path):
    """(environment for processes on a fresh, migrated database with the county's areas)."""
    with sqlite_database(tmp_path) if backend == "sqlite" else postgres_database() as (url, _query):
        env = {**os.environ, "DATABASE_URL": url, "FUPIN_DATA_DIR": str(tmp_path)}
        for name in ("FUPIN_TEST_DB", "FUPIN_TASKS"):  # the database task backend, as in production
            env.pop(name, None)
        subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=300)
        yield env


def run(env: dict, code: str, *args: str) -> object:
    """Run a Django script (PRELUDE + code) that prints one JSON value; return that value."""
    done = subprocess.run([sys.executable, "-c", PRELUDE + code, *args], env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=at_most_8gb)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def start(env: dict, code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PRELUDE + code, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=at_most_8gb,
                            **kwargs)  # fmt: skip
