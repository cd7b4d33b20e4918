"""A job whose worker died is recognised: never left "queued" or "running" for ever.

For each kind of background job (import reading, comparison, batch recommendation) a real
process runs the real task and is caught in the middle of it: while it lives, its job is shown
as running; once it is killed (SIGKILL, as the kernel's OOM killer or an abort would), the
next look at the job — its page or its API — fails it with the reason in Chinese.

On SQLite always, on PostgreSQL too when DATABASE_URL points at one (a database of its own)."""

import json
import os
import select
import signal

import pytest

from tests.exchange.files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx

from .procs import BACKENDS, database, run, start

JOBS = """
from fupin.access.models import Role, User
from fupin.areas.models import Area
from fupin.employment.models import RecommendationBatch
from fupin.exchange import imports
from fupin.exchange.models import ComparisonJob
user = User.objects.create_user(
    username="county", password="x-Long-pass-42", role=Role.COUNTY, area=Area.objects.get(code="360222")
)
job = imports.create_job(user=user, kind="roster", filename="花名册.xlsx", content=open(sys.argv[1], "rb").read())
comparison = ComparisonJob.objects.create(area_code="360222", created_by=user, steps=9)
batch = RecommendationBatch.objects.create(area_code="360222000000", requested_by=user)
print(json.dumps({"import": job.pk, "comparison": comparison.pk, "batch": batch.pk, "user": user.pk}))
"""
# Each runs its task as a worker would, and stops for good in the middle of the work.
HANG = """
def hang(*args, **kwargs):
    print("inside", flush=True)
    time.sleep(600)
"""
WORKERS = {
    "import": HANG
    + """
from fupin.sheets import reader
reader.raw_rows = hang  # reading the file
from fupin.exchange.tasks import stage_task
stage_task.call(int(sys.argv[1]), int(sys.argv[2]))
""",
    "comparison": HANG
    + """
from fupin.exchange import services
services._registry_table = hang  # reading the registry
from fupin.exchange.tasks import comparison_task
comparison_task.call(int(sys.argv[1]), int(sys.argv[2]))
""",
    "batch": HANG
    + """
from fupin.employment import recommend
recommend.recommend_persons = hang  # ranking
recommend.run_batch.call(int(sys.argv[1]), int(sys.argv[2]), "360222")
""",
}
# What the users see: the import and comparison through the API, the batch through its page.
LOOK = """
from django.test import Client
from fupin.access.models import User
from fupin.employment.models import RecommendationBatch
ids = json.loads(sys.argv[1])
c = Client()
c.force_login(User.objects.get(username="county"))
imp = c.get(f"/api/v1/exchange/imports/{ids['import']}").json()
cmp = c.get(f"/api/v1/exchange/comparisons/{ids['comparison']}").json()
page = c.get(f"/employment/recommend/batches/{ids['batch']}/").content.decode()
batch = RecommendationBatch.objects.get(pk=ids["batch"])
print(json.dumps({"import": [imp["state"], imp["message"]], "comparison": [cmp["state"], cmp["message"]],
                  "batch": [batch.status, batch.error, batch.error in page]}, ensure_ascii=False))
"""


def _wait_inside(proc, timeout: float = 120) -> None:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    assert line.strip() == "inside", (
        f"the worker did not reach its task: {line!r} {proc.poll()} "
        f"{proc.stderr.read() if proc.poll() is not None else ''}"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_job_of_a_dead_worker_is_failed_with_the_reason(tmp_path, backend):
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(
        xlsx(
            roster_rows("D001", VILLAGE_A, [(person_id(1), "户主甲", "户主")]), header=ROSTER_HEADER
        )
    )
    with database(backend, tmp_path) as env:
        ids = run(env, JOBS, str(roster))
        workers = {
            kind: start(env, code, str(ids[kind]), str(ids["user"]))
            for kind, code in WORKERS.items()
        }
        try:
            for proc in workers.values():
                _wait_inside(proc)
            seen = run(env, LOOK, json.dumps(ids))
            # Alive and working: shown as running, never taken for dead.
            assert seen["import"] == ["reading", ""]
            assert seen["comparison"][0] == "running"
            assert seen["batch"][0] == "running"
        finally:
            for proc in workers.values():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        seen = run(env, LOOK, json.dumps(ids))
        state, message = seen["import"]
        assert (
            state == "failed"
            and "读取或校验时后台进程意外退出" in message
            and "请检查文件后重新上传" in message
        )
        state, message = seen["comparison"]
        assert (
            state == "failed"
            and "比对时后台进程意外退出" in message
            and "请重新发起比对" in message
        )
        status, error, on_page = seen["batch"]
        assert status == "failed" and "批量推荐时后台进程意外退出" in error and on_page
