"""A process killed in the middle of a merge leaves the registry exactly as it was."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

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


def test_killed_merge_leaves_registry_unchanged(tmp_path):
    db = tmp_path / "kill.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "FUPIN_DATA_DIR": str(tmp_path), "FUPIN_TASKS": "immediate"}
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=300)
    rows = []
    for h in range(200):
        rows += roster_rows(f"K{h:04d}", VILLAGE_A, [(person_id(h, 1950 + h % 40), f"户主{h}", "户主")])
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(rows, header=ROSTER_HEADER))
    proc = subprocess.Popen([sys.executable, "-m", "fupin.cli", "import", "roster", str(path), "--yes"],
                            env={**env, "FUPIN_IMPORT_PAUSE_AFTER_HOUSEHOLDS": "60"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = ""
    deadline = time.monotonic() + 120
    while "合并" not in seen and time.monotonic() < deadline:  # wait until the merge is under way
        ch = proc.stderr.read(1)
        if not ch:
            break
        seen += ch
    assert "合并" in seen, seen
    time.sleep(0.5)  # the households are inserted, inside the open transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT COUNT(*) FROM registry_household").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM registry_statuschange").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM access_auditentry WHERE action = 'import'").fetchone()[0] == 0
        assert con.execute("SELECT state FROM exchange_importjob").fetchone()[0] == "merging"
    finally:
        con.close()
