"""/api/v1/payments: the flow, maker–checker, Chinese refusals, wrong JSON types, huge numbers,
another township's ids. Preparing a batch and importing a return file are background jobs
(202 and the job; GET /payments/jobs/{id} for its progress and outcome)."""

import datetime as dt
import json

import pytest

from fupin.payments.models import Batch, BatchState
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import csv_bytes

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(
        url,
        json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Runs the jobs the request queued on commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def queued(client, url, body, capture, **kw) -> dict:
    """POST that queues a job; the job once the worker has run it."""
    with capture():
        r = post(client, url, body) if body is not None else client.post(url, kw)
    assert r.status_code == 202, r.content
    assert r.json()["state"] == "queued" and r.json()["job_name"]
    job = client.get(f"/api/v1/payments/jobs/{r.json()['id']}")
    assert job.status_code == 200
    return job.json()


def prepared(client, body, capture) -> dict:
    """编制 through the API; the new batch as GET /batches/{id} gives it."""
    job = queued(client, "/api/v1/payments/batches", body, capture)
    assert job["state"] == "done" and job["percent"] == 100, job
    r = client.get(f"/api/v1/payments/batches/{job['batch_id']}")
    assert r.status_code == 200
    return r.json()


@pytest.fixture
def clients(
    kind, two_towns, town_a_user, town_a_checker, county_user, county_approver, town_b_user
):
    return {
        "preparer": login(town_a_user),
        "checker": login(town_a_checker),
        "approver": login(county_user),
        "payer": login(county_approver),
        "other": login(town_b_user),
    }


def test_the_whole_flow_through_the_api(clients, capture):
    b = prepared(
        clients["preparer"],
        {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A},
        capture,
    )
    # 浮梁镇: 4 persons × 500.00 元 = 200,000 fen.
    assert (b["line_count"], b["total_fen"], b["state"], b["kind_name"], b["period_label"]) == (
        4,
        200_000,
        "prepared",
        "测试岗位补贴",
        "2018年03月",
    )
    pk = b["id"]
    lines = clients["preparer"].get(f"/api/v1/payments/batches/{pk}/lines").json()
    assert len(lines) == 4 and all("*" in x["id_number"] for x in lines)
    r = post(clients["preparer"], f"/api/v1/payments/batches/{pk}/review", {})
    assert (
        r.status_code == 422
        and r.json()["detail"] == "编制人不能复核本人编制的批次，须由另一名工作人员复核"
    )
    assert (
        post(clients["checker"], f"/api/v1/payments/batches/{pk}/review", {"version": 1}).json()[
            "state"
        ]
        == "reviewed"
    )
    r = post(clients["approver"], f"/api/v1/payments/batches/{pk}/approve", {"version": 1})
    assert r.status_code == 422 and "已被他人处理" in r.json()["detail"]
    assert (
        post(clients["approver"], f"/api/v1/payments/batches/{pk}/approve", {"version": 2}).json()[
            "state"
        ]
        == "approved"
    )
    r = post(
        clients["preparer"],
        f"/api/v1/payments/batches/{pk}/remove",
        {"line_id": lines[0]["id"], "reason": "重复"},
    )
    assert r.status_code == 422 and "批次已审批，不能再修改" in r.json()["detail"]
    Batch.objects.filter(pk=pk).update(state=BatchState.EXPORTED)
    r = post(
        clients["payer"],
        f"/api/v1/payments/batches/{pk}/paid",
        {"reference": "NS-1", "paid_on": dt.date.today().isoformat()},
    )
    assert r.json()["state"] == "paid"
    from fupin.payments.models import BatchLine

    rows = [
        (x.pk, x.person.id_number, "", "500", "成功" if i else "失败", "")
        for i, x in enumerate(
            BatchLine.objects.filter(batch_id=pk).order_by("id").select_related("person")
        )
    ]
    job = queued(
        clients["payer"],
        f"/api/v1/payments/batches/{pk}/return",
        None,
        capture,
        file=_file(csv_bytes(rows)),
    )
    assert job["state"] == "done" and job["batch_id"] == pk
    assert job["message"] == "已导入回盘文件：4 行，3 人次到账，差异 1 条"
    [diff] = clients["payer"].get(f"/api/v1/payments/batches/{pk}/differences").json()
    assert diff["kind"] == "refused"
    r = post(
        clients["payer"],
        f"/api/v1/payments/differences/{diff['id']}/resolve",
        {"resolution": "reissue", "reason": "换卡后重发"},
    )
    assert r.status_code == 200 and r.json()["resolution"] == "reissue"
    assert clients["payer"].get(f"/api/v1/payments/batches/{pk}").json()["state"] == "reconciled"


def _file(data: bytes, name="回盘.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_return_file_with_bad_rows_fails_its_job_in_chinese(clients, capture):
    pk = prepared(
        clients["preparer"],
        {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A},
        capture,
    )["id"]
    Batch.objects.filter(pk=pk).update(state=BatchState.PAID)
    job = queued(
        clients["payer"],
        f"/api/v1/payments/batches/{pk}/return",
        None,
        capture,
        file=_file(csv_bytes([(1, "123", "", "x", "?", "")])),
    )
    assert job["state"] == "failed"
    assert job["message"].startswith(
        "回盘文件有 3 处错误，未导入：第2行B列“身份证号”：身份证号位数错误"
    )
    assert job["faults"][0] == [2, "B列“身份证号”", "身份证号位数错误：应为18位，实为3位"]
    assert Batch.objects.get(pk=pk).state == BatchState.PAID


def test_bad_input_gets_chinese_messages(clients, capture):
    c = clients["preparer"]
    cases = [
        ({"kind": 123, "period": "2018-03", "area_code": TOWN_A}, "kind", "应为文本"),
        ({"kind": "t_post", "period": ["2018"], "area_code": TOWN_A}, "period", "应为文本"),
        ({"kind": "t_post", "period": "2018-03"}, "area_code", "必填项缺失"),
        (
            {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A, "note": "长" * 201},
            "note",
            "文本过长：最多 200 个字",
        ),
    ]
    for body, field, message in cases:
        r = post(c, "/api/v1/payments/batches", body)
        assert r.status_code == 422 and r.json()["errors"][field] == [message], (body, r.content)
    r = post(
        c, "/api/v1/payments/batches", {"kind": "t_post", "period": "9999-12", "area_code": TOWN_A}
    )
    assert r.status_code == 422 and "期间应写作 2018-03" in r.json()["detail"]
    r = post(
        c,
        "/api/v1/payments/batches",
        {"kind": "t_post", "period": "2018-03", "area_code": "99999999999999999"},
    )
    assert r.status_code == 422 and r.json()["errors"]["area_code"] == ["文本过长：最多 12 个字"]
    r = post(c, "/api/v1/payments/batches", "{not json")
    assert r.status_code in (400, 422) and "JSON" in r.json()["detail"]
    pk = prepared(c, {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A}, capture)["id"]
    checker = clients["checker"]
    for body, field in (
        ({"version": "abc"}, "version"),
        ({"version": 10**30}, "version"),
        ({"version": True}, "version"),
    ):
        r = post(checker, f"/api/v1/payments/batches/{pk}/review", body)
        assert r.status_code == 422 and field in r.json()["errors"], (body, r.content)
    r = post(c, f"/api/v1/payments/batches/{pk}/remove", {"line_id": 10**30, "reason": "x"})
    assert r.status_code == 422 and r.json()["errors"]["line_id"]
    r = post(c, f"/api/v1/payments/batches/{pk}/remove", {"line_id": 2**62, "reason": "x"})
    assert r.status_code == 422 and r.json()["detail"] == "本批次没有这条明细，或已剔除"
    r = post(
        clients["payer"],
        f"/api/v1/payments/batches/{pk}/paid",
        {"reference": "x", "paid_on": "9999-12-31"},
    )
    assert r.status_code == 422 and "超出范围" in r.json()["errors"]["paid_on"][0]
    r = c.get("/api/v1/payments/batches?limit=100000")
    assert r.status_code == 422 and r.json()["errors"]["limit"] == ["数值过大：最大为 500"]
    assert Batch.objects.get(pk=pk).state == BatchState.PREPARED


def test_another_townships_batch_ids_are_404(clients, capture):
    pk = prepared(
        clients["preparer"],
        {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A},
        capture,
    )["id"]
    other = clients["other"]
    for method, url in (
        ("get", f"/api/v1/payments/batches/{pk}"),
        ("get", f"/api/v1/payments/batches/{pk}/lines"),
        ("post", f"/api/v1/payments/batches/{pk}/review"),
        ("post", f"/api/v1/payments/batches/{pk}/cancel"),
    ):
        r = getattr(other, method)(
            url,
            json.dumps({"reason": "x"}) if method == "post" else None,
            content_type="application/json",
        )
        assert r.status_code == 404 and r.json()["detail"] == "记录不存在或不在本辖区"
    assert other.get("/api/v1/payments/batches").json() == []
    r = post(
        other,
        "/api/v1/payments/batches",
        {"kind": "t_post", "period": "2018-03", "area_code": TOWN_A},
    )
    assert r.status_code == 422 and "不在本辖区" in r.json()["detail"]
    b = prepared(other, {"kind": "t_post", "period": "2018-03", "area_code": TOWN_B}, capture)
    assert b["town_totals"] == {TOWN_B: [3, 150_000]}
    assert other.get("/api/v1/payments/batches/99999999999999999999999").status_code in (404, 422)
    assert Batch.objects.get(pk=pk).state == BatchState.PREPARED
