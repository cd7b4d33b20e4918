"""The progress of the background check of an upload (上传后的后台校验进度) on files of a few
thousand rows, for the claim import and the 低保/特困 list import: after the row check, the
whole-file checks show as numbered steps with their own rows done / total (the preview written in
batches of 2,000, reported after each), and the job ends as it always did.

Each report is recorded together with the job row as it stands right after it (read back through
the test's connection: the jobs run committed, so on PostgreSQL the reporter's own connection can
write the row while the preview's transaction is open)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.urls import reverse

from fupin import jobprogress, liveness
from fupin.demo.people import id_number as make_id_number
from fupin.insurance.claims import identity_import, imports
from fupin.insurance.claims.models import ClaimImport, IdentityImport, ImportState
from fupin.registry.models import Person
from tests.conftest import COUNTY, TOWN_A, login
from tests.insurance.claims_factories import csv as claims_csv

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 4500  # three batches of the preview: 2,000, 2,000 and 500
STEP = re.compile(r"第 (\d)/(\d) 步：(.+)")


@pytest.fixture
def spy(monkeypatch):
    """Every report of the check (no throttling) as (step, rows done, rows total), each with the
    job row's own (step, rows_done, rows_total) right after it."""
    calls: list[tuple[str, int, int]] = []
    rows: list[tuple[str, int, int]] = []

    class Every(jobprogress.Reporter):
        def __init__(self, model, pk, **kw):
            super().__init__(model, pk, every=0)

        def __call__(self, **fields):
            super().__call__(**fields)
            calls.append((fields["step"], fields["rows_done"], fields["rows_total"]))
            rows.append(
                self.model.objects.values_list("step", "rows_done", "rows_total").get(pk=self.pk)
            )

    monkeypatch.setattr(jobprogress, "Reporter", Every)
    return calls, rows


def numbered(calls: list[tuple[str, int, int]]) -> list[tuple[int, int, str, int, int]]:
    out = []
    for step, done, total in calls:
        m = STEP.fullmatch(step)
        assert m, f"step not numbered: {step}"
        out.append((int(m[1]), int(m[2]), m[3], done, total))
    return out


def check_sequence(calls: list, names: list[str]) -> list[tuple[int, int, str, int, int]]:
    """Steps numbered 1..N in order, each named as given, rows never past the total nor going
    back within a step, every step from 0 to the file's rows."""
    steps = numbered(calls)
    assert [n for n, *_ in steps] == sorted(n for n, *_ in steps)
    assert {of for _, of, *_ in steps} == {len(names)}
    assert [
        name for _, _, name, *_ in dict.fromkeys((n, of, name) for n, of, name, *_ in steps)
    ] == names
    for n in range(1, len(names) + 1):
        done = [d for m, _, _, d, total in steps if m == n]
        assert all(total == ROWS for m, _, _, _, total in steps if m == n)
        assert done == sorted(done) and done[0] == 0 and done[-1] == ROWS
    assert all(0 <= done <= total for *_, done, total in steps)
    return steps


def test_claim_check_shows_every_whole_file_step_with_rows(make_household, town_a_user, spy):
    calls, rows = spy
    persons = list(Person.objects.filter(household=make_household(TOWN_A, members=3)))
    used = set(Person.objects.values_list("id_number", flat=True))
    stranger = make_id_number(random.Random(7), COUNTY, dt.date(1961, 5, 4), "男", used)
    lines = []
    for i in range(ROWS):
        number = stranger if i % 10 == 0 else persons[i % 3].id_number  # 450 unknown persons
        visit = "急诊" if i % 100 == 55 else "住院"  # 45 rows faulty in the row check
        day = dt.date(2018, 1, 1) + dt.timedelta(days=i % 300)
        lines.append(f"ZYP{i:05d},{number},,县医院,{visit},二级,,{day},100.00,80.00")
    job = imports.create_import(user=town_a_user, filename="大文件.csv", content=claims_csv(*lines))
    job = imports.stage(job, user=town_a_user)

    assert rows == calls  # the job row took each reported state
    steps = check_sequence(calls, [
        "逐行检查", "查找人员（按身份证号）", "核对入院当日的人员类别和慢性病医疗证",
        "查找已入库的结算单号", "按结算规则校验费用和日期", "写入预览",
    ])  # fmt: skip
    for n in (2, 3, 4, 6):  # the steps over rows, in batches of 2,000
        assert [d for m, _, _, d, _ in steps if m == n] == [0, 2000, 4000, 4500]
    assert (job.state, job.step, job.rows_total, job.rows_done) == (
        ImportState.READY,
        "",
        ROWS,
        ROWS,
    )
    assert (job.rows_rejected, len(job.unknown_persons), job.rows.count()) == (495, 450, ROWS)


def test_list_check_shows_every_whole_file_step_with_rows(make_household, town_a_user, spy):
    calls, rows = spy
    a, b = Person.objects.filter(household=make_household(TOWN_A, members=2))
    lines = []
    for i in range(ROWS):
        # one day each; every tenth row repeats the day of the same person's row before: overlap
        day = dt.date(2000, 1, 1) + dt.timedelta(days=i - 2 if i % 10 == 9 else i)
        lines.append(f"{(a, b)[i % 2].id_number},,低保,{day},{day},民发{i}")
    content = ("身份证号,姓名,身份,起始日期,终止日期,依据\n" + "\n".join(lines) + "\n").encode()
    job = identity_import.create_import(user=town_a_user, filename="名单.csv", content=content)
    job = identity_import.stage(job, user=town_a_user)

    assert rows == calls
    steps = check_sequence(
        calls, ["逐行检查", "查找人员（按身份证号）", "核对期间重叠", "写入预览"]
    )
    for n in (2, 3, 4):
        assert [d for m, _, _, d, _ in steps if m == n] == [0, 2000, 4000, 4500]
    assert (job.state, job.step, job.rows_total, job.rows_done) == (
        ImportState.READY,
        "",
        ROWS,
        ROWS,
    )
    assert (job.rows_rejected, job.rows.count()) == (450, ROWS)


@pytest.mark.parametrize(
    "model,module,page,api",
    [
        (ClaimImport, imports, "insurance:claims_import_progress", "claim-imports"),
        (IdentityImport, identity_import, "insurance:claims_identity_progress", "identity-imports"),
    ],
)
def test_page_and_api_show_a_whole_file_step_and_its_percentage(
    model, module, page, api, town_a_user
):
    job = module.create_import(user=town_a_user, filename="a.csv", content=b"x")
    model.objects.filter(pk=job.pk).update(
        step="第 2/4 步：查找人员（按身份证号）", rows_done=3000, rows_total=4500
    )
    c = login(town_a_user)
    with liveness.holding(module.LIVENESS, job.pk):  # a live job: not failed as abandoned
        text = c.get(reverse(page, args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
        body = c.get(f"/api/v1/insurance/{api}/{job.pk}").json()
    assert "第 2/4 步：查找人员（按身份证号），已处理 3000 / 4500 行" in text
    assert 'data-width="66"' in text and "66%" in text
    assert (body["state"], body["step"], body["rows_done"], body["percent"]) == (
        "reading",
        "第 2/4 步：查找人员（按身份证号）",
        3000,
        66,
    )
