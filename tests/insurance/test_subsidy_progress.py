"""The 代缴 run as a background job: queued through the service once the run row has committed
(never from a view), its progress in named steps (page and API), and the progress readable by
another connection while the run's own transaction is still open (PostgreSQL)."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction

from fupin import jobprogress, liveness
from fupin.insurance import entitlements, services
from fupin.insurance.models import SubsidyRun
from fupin.insurance.rules import plan
from tests.conftest import TOWN_A, login

from .factories import person


@pytest.mark.django_db
def test_start_run_queues_the_task_only_after_commit(
    areas, county_user, django_capture_on_commit_callbacks
):
    person(TOWN_A)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        with transaction.atomic():
            run = services.start_run(user=county_user, year=2018, insurance="medical")
            assert not queued  # still inside the caller's transaction: nothing queued yet
    assert len(queued) == 1
    run.refresh_from_db()
    assert run.state == "queued"
    queued[0]()  # the worker's turn
    run.refresh_from_db()
    assert run.state == "done" and run.step == run.steps and run.step_label == "已完成"


@pytest.mark.django_db
def test_steps_are_named_per_plan_and_heard_in_order(areas):
    person(TOWN_A, born=dt.date(1950, 3, 1))
    person(TOWN_A, born=dt.date(1959, 3, 1))
    medical = plan(year=2018, insurance="medical", pack_id="fuliang-2018")
    assert entitlements.steps(medical) == [
        "计算年度代缴名单",
        "与已存名单比较并写入",
        "与上年度比较新增、减少",
        "按规则、原因统计",
    ]
    pension = plan(year=2018, insurance="pension", pack_id="fuliang-2018")
    labels = entitlements.steps(pension)
    assert labels[0] == "计算年度代缴名单" and labels[-3:] == entitlements.steps(medical)[1:]
    assert "计算60周岁以上补缴名单" in labels and "计算提前领取养老金名单" in labels
    r = services.create_run(user=None, year=2018, insurance="pension", pack_id="fuliang-2018")
    heard = []
    with transaction.atomic():
        entitlements.compute(pension, area_code="", run_id=r.pk, progress=heard.append)
    assert heard == labels


@pytest.mark.django_db
def test_page_and_api_show_step_of_steps(areas, county_user):
    person(TOWN_A)
    c = login(county_user)
    r = c.post(
        "/api/v1/insurance/subsidy-runs",
        json.dumps({"year": 2018, "insurance": "medical"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["steps"] == 5
    pk = r.json()["id"]
    # As a worker would leave it mid-way: step 3 of 5.
    SubsidyRun.objects.filter(pk=pk).update(
        state="running", step=3, steps=5, step_label="与已存名单比较并写入"
    )
    with liveness.holding(services.LIVENESS, pk):  # a live worker holds it
        body = c.get(f"/api/v1/insurance/subsidy-runs/{pk}").json()
        page = c.get(f"/insurance/subsidy/runs/{pk}/progress/").content.decode()
    assert (body["step"], body["steps"], body["step_label"], body["percent"]) == (
        3,
        5,
        "与已存名单比较并写入",
        40,  # two of five steps finished
    )
    assert "第 3/5 步：与已存名单比较并写入" in page and 'hx-trigger="every 1s"' in page


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_transaction_is_open(areas, county_user):
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL：SQLite 上进度随事务一起提交")
    run = SubsidyRun.objects.create(year=2018, insurance="medical", pack_id="fuliang-2018")
    reporter = jobprogress.Reporter(SubsidyRun, run.pk, every=0)
    with transaction.atomic():
        SubsidyRun.objects.create(year=2017, insurance="medical", pack_id="fuliang-2018")
        reporter(step=2, step_label="计算年度代缴名单")
        from django.db import DEFAULT_DB_ALIAS, connections

        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cur:
                cur.execute(
                    "SELECT step, step_label FROM insurance_subsidyrun WHERE id = %s", [run.pk]
                )
                assert cur.fetchone() == (2, "计算年度代缴名单")
                cur.execute("SELECT COUNT(*) FROM insurance_subsidyrun")
                assert cur.fetchone()[0] == 1  # the transaction's own row is not committed yet
        finally:
            other.close()
        # The run row locked by this very transaction: the report is dropped, never waited for.
        SubsidyRun.objects.filter(pk=run.pk).update(message="x")
        reporter(step=3, step_label="与已存名单比较并写入")
        assert reporter.broken
    reporter.close()
    run.refresh_from_db()
    assert (run.step, run.message) == (2, "x")
