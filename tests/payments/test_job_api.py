"""Preparing and reconciling through the API are background jobs: checked at once (Chinese 422),
queued after commit, their progress in named steps with rows done of total, readable at
GET /api/v1/payments/jobs/{id} — and attacked: another township's ids, a hostile or oversized
return file, two prepares queued at once. Nothing is half-written."""

import json

import pytest
from django.test import override_settings

from fupin.payments import jobs, services
from fupin.payments.models import Batch, BatchJob, BatchLine, BatchState, Difference
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import csv_bytes, paid

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def world(kind, two_towns, town_a_user, town_a_checker, county_user, county_approver, town_b_user):
    return {
        "a": town_a_user,
        "checker": town_a_checker,
        "county": county_user,
        "payer": county_approver,
        "b": town_b_user,
    }


def test_prepare_reports_named_steps_and_rows_done_of_total(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 2)  # 浮梁镇's 4 lines in chunks of 2
    heard = []
    batch = services.prepare(
        user=world["a"],
        kind="t_post",
        period="2018-03",
        area_code=TOWN_A,
        progress=lambda *a: heard.append(a),
    )
    assert batch.line_count == 4
    assert [h[0] for h in heard] == sorted(h[0] for h in heard)  # steps only move forward
    assert {h[0]: h[1] for h in heard} == {
        1: "读取应发明细",
        2: "核对是否已在其他发放批次",
        3: "写入明细",
        4: "按乡镇合计",
    }
    # Read in chunks of 2 (total not yet known), then written 2 and 4 of 4.
    assert (1, "读取应发明细", 2, 0) in heard and (1, "读取应发明细", 4, 0) in heard
    assert (2, "核对是否已在其他发放批次", 0, 4) in heard
    assert [h for h in heard if h[0] == 3] == [
        (3, "写入明细", 0, 4),
        (3, "写入明细", 2, 4),
        (3, "写入明细", 4, 4),
    ]


def test_reconcile_reports_rows_checked_of_total(world, monkeypatch):
    from fupin.payments import reconcile

    batch = paid(world["a"], world["checker"], world["county"], world["payer"])
    rows = [
        (x.pk, x.person.id_number, "", "500", "成功", "")
        for x in BatchLine.objects.filter(batch=batch).select_related("person")
    ]
    heard = []
    rf = reconcile.import_return(
        user=world["payer"],
        batch_id=batch.pk,
        data=csv_bytes(rows),
        filename="回盘.csv",
        progress=lambda *a: heard.append(a),
    )
    assert rf.paid == 4
    assert heard[0] == (1, "读取回盘文件", 0, 0) and heard[-1] == (3, "写入对账结果", 0, 4)


def test_job_percent_counts_finished_steps_and_rows():
    job = BatchJob(state="running", step=3, steps=4, done=150, total=300)
    # Two steps done and half of the third: (2 + 0.5) / 4.
    assert job.percent == 62
    assert BatchJob(state="running", step=1, steps=4).percent == 0
    assert BatchJob(state="queued").percent == 0
    assert BatchJob(state="failed", step=2, steps=3).percent == 100


def test_job_status_route_and_other_townships_job_is_404(world, django_capture_on_commit_callbacks):
    a, b = login(world["a"]), login(world["b"])
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            a,
            "/api/v1/payments/batches",
            {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A},
        )
    assert r.status_code == 202
    job = r.json()
    assert (job["job"], job["job_name"], job["state"], job["state_label"], job["steps"]) == (
        "prepare",
        "编制发放批次",
        "queued",
        "排队中",
        4,
    )
    done = a.get(f"/api/v1/payments/jobs/{job['id']}").json()
    batch = Batch.objects.get()
    assert (done["state"], done["state_label"], done["batch_id"], done["percent"]) == (
        "done",
        "已完成",
        batch.pk,
        100,
    )
    assert done["message"].startswith(f"已编制发放批次 {batch.pk}：4 人次，2000.00 元")
    r = b.get(f"/api/v1/payments/jobs/{job['id']}")
    assert r.status_code == 404 and r.json()["detail"] == "记录不存在或不在本辖区"
    for bad in ("abc", str(10**30), "-1"):
        assert b.get(f"/api/v1/payments/jobs/{bad}").status_code in (404, 422)


def test_two_prepares_queued_at_once_make_one_batch(world, django_capture_on_commit_callbacks):
    a = login(world["a"])
    body = {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = post(a, "/api/v1/payments/batches", body).json()
        second = post(a, "/api/v1/payments/batches", body).json()
    assert len(queued) == 2 and not Batch.objects.exists()  # nothing runs before commit
    for callback in queued:
        callback()
    one, two = (BatchJob.objects.get(pk=j["id"]) for j in (first, second))
    assert one.state == "done" and two.state == "failed" and two.batch_id is None
    assert "已在其他发放批次中" in two.message and "未编制批次" in two.message
    assert Batch.objects.count() == 1 and BatchLine.objects.count() == 4


def test_prepare_refusals_are_immediate_chinese_422_and_queue_nothing(world):
    a, b = login(world["a"]), login(world["b"])
    cases = [
        (a, {"kind": "t_post", "period": "2018-03", "area_code": TOWN_B}, "不在本辖区"),
        (b, {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A}, "不在本辖区"),
        (a, {"kind": "nope", "period": "2018-03", "area_code": TOWN_A}, "发放项目"),
        (a, {"kind": "t_post", "period": "9999-99", "area_code": TOWN_A}, "期间"),
        (a, {"kind": "t_post", "period": "2018-03", "area_code": "1" * 12}, "发放区划"),
    ]
    for client, body, words in cases:
        r = post(client, "/api/v1/payments/batches", body)
        assert r.status_code == 422 and words in r.json()["detail"], (body, r.content)
    for body, field in (
        ({"kind": ["t_post"], "period": "2018-03", "area_code": TOWN_A}, "kind"),
        ({"kind": "t_post", "period": 201803, "area_code": TOWN_A}, "period"),
        ({"kind": "t_post", "period": "2018-03", "area_code": 360222100}, "area_code"),
        ({"kind": "t_post", "period": "2018-03", "area_code": None}, "area_code"),
    ):
        r = post(a, "/api/v1/payments/batches", body)
        assert r.status_code == 422 and field in r.json()["errors"], (body, r.content)
    assert not BatchJob.objects.exists() and not Batch.objects.exists()


def test_return_file_attacks(world, django_capture_on_commit_callbacks):
    batch = paid(world["a"], world["checker"], world["county"], world["payer"])
    payer, town = login(world["payer"]), login(world["a"])
    url = f"/api/v1/payments/batches/{batch.pk}/return"
    # Another township cannot even see the batch; a township user may not reconcile its own.
    r = login(world["b"]).post(url, {"file": upload(b"x", "a.csv")})
    assert r.status_code == 404
    r = town.post(url, {"file": upload(b"x", "a.csv")})
    assert r.status_code == 422 and "导入回盘文件须由县级" in r.json()["detail"]
    # Too big: refused at once, no job.
    with override_settings(MAX_UPLOAD_BYTES=100):
        r = payer.post(url, {"file": upload(b"9" * 101, "a.csv")})
    assert r.status_code == 422 and "超过" in r.json()["detail"]
    assert not BatchJob.objects.exists()
    line = BatchLine.objects.filter(batch=batch).select_related("person").first()
    hostile = [
        (upload(b"PK\x03\x04 not really a workbook" * 10, "回盘.xlsx"), "无法读取 Excel 文件"),
        (upload(bytes(range(256)) * 4, "回盘.csv"), "无法识别文件编码"),
        (
            upload(
                csv_bytes(
                    [
                        (line.pk, line.person.id_number, "", str(10**30), "成功", ""),
                        (line.pk, line.person.id_number, "", "500", "=HYPERLINK(1)", "=1+1"),
                        ("=1+1", "'" + line.person.id_number, "", "-5", "成功", ""),
                    ]
                ),
                "回盘.csv",
            ),
            "回盘文件有 4 处错误，未导入：第2行D列“金额(元)”",
        ),
    ]
    for file, words in hostile:
        with django_capture_on_commit_callbacks(execute=True):
            r = payer.post(url, {"file": file})
        assert r.status_code == 202, r.content
        job = payer.get(f"/api/v1/payments/jobs/{r.json()['id']}").json()
        assert job["state"] == "failed" and words in job["message"], job
        batch.refresh_from_db()
        assert (
            batch.state == BatchState.PAID and not Difference.objects.filter(batch=batch).exists()
        )
    assert not BatchLine.objects.filter(batch=batch).exclude(status="pending").exists()
    # A good file after all that still imports.
    rows = [
        (x.pk, x.person.id_number, "", "500", "成功", "")
        for x in BatchLine.objects.filter(batch=batch).select_related("person")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        r = payer.post(url, {"file": upload(csv_bytes(rows), "回盘.csv")})
    job = payer.get(f"/api/v1/payments/jobs/{r.json()['id']}").json()
    assert (
        job["state"] == "done" and job["message"] == "已导入回盘文件：4 行，4 人次到账，差异 0 条"
    )
    batch.refresh_from_db()
    assert batch.state == BatchState.RECONCILED
    # And a second file is refused at once.
    r = payer.post(url, {"file": upload(csv_bytes(rows), "回盘.csv")})
    assert r.status_code == 422 and r.json()["detail"] == "本批次已导入回盘文件，不能重复导入"


def test_a_job_runs_once_even_if_delivered_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_prepare(user=world["a"], kind="t_post", period="2018-03", area_code=TOWN_A)
    jobs.run(job.pk, world["a"])  # the queue delivers it again: taken already, nothing happens
    job.refresh_from_db()
    assert job.state == "done" and Batch.objects.count() == 1


def test_job_page_shows_step_and_rows(world):
    from fupin import liveness
    from fupin.payments.jobs import LIVENESS

    job = BatchJob.objects.create(
        job="prepare",
        state="running",
        area_code=TOWN_A.ljust(12, "0"),
        params={"kind": "t_post", "period": "2018-03", "area": TOWN_A, "note": ""},
        step=3,
        steps=4,
        step_label="写入明细",
        done=150_000,
        total=300_000,
        created_by=world["a"],
    )
    a = login(world["a"])
    with liveness.holding(LIVENESS, job.pk):  # a live worker holds it
        page = a.get(f"/payments/jobs/{job.pk}/progress/").content.decode()
        body = a.get(f"/api/v1/payments/jobs/{job.pk}").json()
    assert "第 3/4 步：写入明细（150000 / 300000 行）" in page and 'data-width="62"' in page
    assert (body["step"], body["steps"], body["done"], body["total"], body["percent"]) == (
        3,
        4,
        150_000,
        300_000,
        62,
    )
    assert login(world["b"]).get(f"/payments/jobs/{job.pk}/progress/").status_code == 404
