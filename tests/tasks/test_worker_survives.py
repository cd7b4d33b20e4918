"""A spreadsheet never takes the worker down: the real `fupin db_worker` process reads six hostile
uploads, fails each job with its reason in Chinese, stays alive, and then imports an ordinary file.

On SQLite always, on PostgreSQL too when DATABASE_URL points at one (a database of its own)."""

import signal
import subprocess
import sys
import time

import pytest

from tests.exchange import hostile
from tests.exchange.files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx

from .procs import BACKENDS, at_most_8gb, database, run

ENQUEUE = """
from fupin.access.models import Role, User
from fupin.areas.models import Area
from fupin.exchange import imports
from fupin.exchange.tasks import stage_task
user = User.objects.create_user(
    username="county", password="x-Long-pass-42", role=Role.COUNTY, area=Area.objects.get(code="360222")
)
for path in sys.argv[1:]:
    job = imports.create_job(user=user, kind="roster", filename=os.path.basename(path), content=open(path, "rb").read())
    stage_task.enqueue(job.pk, user.pk)
print(json.dumps(len(sys.argv) - 1))
"""
STATES = """
from fupin.exchange.models import ImportJob
states = {j.filename: [j.state, j.message, j.counts.get("new")] for j in ImportJob.objects.all()}
print(json.dumps(states, ensure_ascii=False))
"""
HOSTILE = [  # (file name, bytes, what the job's message must say)
    ("1-维度炸弹.xlsx", hostile.dimension_bomb, "A1:XFD1048576"),
    ("2-虚报维度.xlsx", hostile.lying_dimension, "A1:XFD1048576"),
    ("3-压缩炸弹.xlsx", hostile.zip_bomb, "压缩炸弹"),
    ("4-一千万列.csv", hostile.wide_csv, "10,000,000 列"),
    ("5-超长单元格.csv", hostile.long_field_csv, "第2行第3列（C列）"),
    ("6-虚报的xls.xls", hostile.lying_xls, "内存超过上限"),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_worker_survives_hostile_files_and_runs_the_next_job(tmp_path, backend):
    paths = []
    for name, make, _ in HOSTILE:
        paths.append(tmp_path / name)
        paths[-1].write_bytes(make())
    rows = []
    for h in range(3):
        rows += roster_rows(
            f"W{h:03d}",
            VILLAGE_A,
            [
                (person_id(h, 1960 + h), f"户主{h}", "户主"),
                (person_id(h + 50, 1990), f"子女{h}", "子女"),
            ],
        )
    paths.append(tmp_path / "7-正常花名册.xlsx")
    paths[-1].write_bytes(xlsx(rows, header=ROSTER_HEADER))
    with database(backend, tmp_path) as env:
        assert run(env, ENQUEUE, *map(str, paths)) == 7
        worker = subprocess.Popen([sys.executable, "-m", "fupin.cli", "db_worker", "--no-reload", "--interval", "0.2",
                                   "--no-startup-delay"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, start_new_session=True, preexec_fn=at_most_8gb)  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while True:
                states = run(env, STATES)
                if worker.poll() is not None or all(
                    s in ("failed", "ready") for s, _, _ in states.values()
                ):
                    break
                assert time.monotonic() < deadline, states
                time.sleep(1)
            alive = worker.poll() is None
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        assert alive, f"the worker died (code {worker.returncode}): {worker.stderr.read()[-2000:]}"
        for name, _, says in HOSTILE:
            state, message, _ = states[name]
            assert state == "failed" and says in message, (name, state, message)
        assert states["7-正常花名册.xlsx"] == ["ready", "", 6]
