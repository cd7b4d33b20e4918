"""资金发放 pages: the flow by forms, Chinese everywhere, filtered list export, paginated lines,
bad return files explained, another township's batch missing, the person page section."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.payments.models import Batch, BatchJob, BatchLine, BatchState, Difference
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import csv_bytes

pytestmark = pytest.mark.django_db


def _text(r) -> str:
    return r.content.decode()


def _messages(r) -> str:
    return " ".join(str(m) for m in r.context["messages"]) if r.context else _text(r)


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


def test_the_whole_flow_by_the_pages(clients, django_capture_on_commit_callbacks):
    c = clients["preparer"]
    with django_capture_on_commit_callbacks(execute=True):  # the task worker, at once
        r = c.post(
            reverse("payments:prepare"),
            {"kind": "t_post", "period": "2018-03", "area": TOWN_A, "note": "三月补贴"},
        )
    job = BatchJob.objects.get()
    assert r.url == reverse("payments:job", args=[job.pk])
    r = c.get(r.url, follow=True)  # the job is done: its page leads to the batch
    batch = Batch.objects.get()
    assert job.job == "prepare" and BatchJob.objects.get().batch_id == batch.pk
    assert "已编制发放批次" in _messages(r) and "4 人次，2000.00 元" in _messages(r)
    page = _text(c.get(reverse("payments:batch", args=[batch.pk])))
    assert (
        "测试岗位补贴 · 2018年03月 · 浮梁镇" in page
        and "本批次由您编制，须由另一名工作人员复核" in page
    )
    assert "t_post" not in page and "360222100" not in page  # names, not codes
    r = clients["checker"].post(
        reverse("payments:review", args=[batch.pk]), {"version": batch.version}, follow=True
    )
    assert "已复核" in _messages(r)
    r = clients["checker"].post(reverse("payments:approve", args=[batch.pk]), follow=True)
    assert "审批发放批次须由县级人社局办理" in _messages(r)
    clients["approver"].post(reverse("payments:approve", args=[batch.pk]))
    r = clients["payer"].post(reverse("payments:bank_file", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 5 and r["Content-Disposition"].startswith("attachment")
    r = clients["payer"].post(
        reverse("payments:pay", args=[batch.pk]),
        {"reference": "", "paid_on": dt.date.today().isoformat()},
        follow=True,
    )
    assert "请填写支付凭证号" in _messages(r)
    clients["payer"].post(
        reverse("payments:pay", args=[batch.pk]),
        {"reference": "NS-7", "paid_on": dt.date.today().isoformat()},
    )
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PAID
    bad = csv_bytes(
        [
            (rows[1][0], rows[1][2], "", "500", "成功", ""),
            (rows[2][0], rows[2][2], "", "5OO", "成功", ""),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = clients["payer"].post(
            reverse("payments:import_return", args=[batch.pk]),
            {"file": SimpleUploadedFile("回盘.csv", bad)},
        )
    r = clients["payer"].get(r.url)
    assert "回盘文件有 1 处错误，未导入：第3行D列“金额(元)”" in _text(r)
    assert "未完成" in _text(r) and "返回批次" in _text(r)
    assert not Difference.objects.exists() and BatchJob.objects.get(job="reconcile").data == b""
    good = csv_bytes(
        [(x[0], x[2], x[1], "500.00", "成功", "") for x in rows[1:4]]
    )  # the 4th line missing
    with django_capture_on_commit_callbacks(execute=True):
        r = clients["payer"].post(
            reverse("payments:import_return", args=[batch.pk]),
            {"file": SimpleUploadedFile("回盘.csv", good)},
        )
    r = clients["payer"].get(r.url, follow=True)
    assert "3 人次到账，差异 1 条" in _messages(r)
    assert "本批次明细未回盘" in _text(r)
    diff = Difference.objects.get()
    r = clients["payer"].post(
        reverse("payments:resolve", args=[diff.pk]),
        {"resolution": "confirmed_paid", "reason": ""},
        follow=True,
    )
    assert "请填写处理理由" in _messages(r)
    r = clients["payer"].post(
        reverse("payments:resolve", args=[diff.pk]),
        {"resolution": "confirmed_paid", "reason": "银行流水已核实"},
        follow=True,
    )
    assert (
        "差异已处理" in _messages(r)
        and Batch.objects.get(pk=batch.pk).state == BatchState.RECONCILED
    )


def test_list_filters_and_exports_the_filtered_set_with_names(clients, county_user):
    from fupin.payments import services

    a = services.prepare(
        user=county_user, kind="t_post", period="2018-03", area_code=TOWN_A, note="甲"
    )
    services.prepare(user=county_user, kind="t_post", period="2018-04", area_code=TOWN_B, note="乙")
    c = clients["approver"]
    table = _text(c.get(reverse("payments:batches"))).split("<tbody>")[1]
    assert (
        "浮梁镇" in table
        and "鹅湖镇" in table
        and "已编制（待复核）" in table
        and "t_post" not in table
        and "360222" not in table
    )
    filtered = _text(c.get(reverse("payments:batches"), {"period": "2018-03"}))
    assert f'href="/payments/{a.pk}/"' in filtered and "鹅湖镇" not in filtered.split("<tbody>")[1]
    r = c.get(reverse("payments:batches_export"), {"period": "2018-03"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = book.get_sheet_by_name("发放批次").to_python()
    assert (
        len(rows) == 2
        and rows[1][:4] == [a.pk, "测试岗位补贴", "2018年03月", "浮梁镇"]
        and rows[1][6] == 2000.0
    )
    for junk in ({"area": "x" * 300}, {"state": "nope"}, {"page": "-1"}, {"period": "9" * 50}):
        assert c.get(reverse("payments:batches"), junk).status_code == 200


def test_lines_are_paginated_and_their_export_is_masked(clients, make_household, county_user):
    from fupin.payments import services

    for _ in range(5):
        make_household(TOWN_A, 20)
    batch = services.prepare(user=county_user, kind="t_post", period="2018-03", area_code=TOWN_A)
    assert batch.line_count == 104  # 4 + 5 × 20
    c = clients["approver"]
    first = c.get(reverse("payments:batch", args=[batch.pk]))
    assert len(first.context["line_rows"]) == 100 and "第 1 / 2 页，共 104 条" in _text(first)
    second = c.get(reverse("payments:batch", args=[batch.pk]), {"page": 2})
    assert len(second.context["line_rows"]) == 4
    r = c.get(reverse("payments:batch_lines_export", args=[batch.pk]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_name("发放明细")
        .to_python()
    )
    assert len(rows) == 105 and all("*" in row[2] for row in rows[1:])


def test_another_townships_batch_is_404_on_every_page(clients, county_user):
    from fupin.payments import services

    batch = services.prepare(user=county_user, kind="t_post", period="2018-03", area_code=TOWN_A)
    other = clients["other"]
    for name in ("payments:batch", "payments:batch_lines_export"):
        assert other.get(reverse(name, args=[batch.pk])).status_code == 404
    for name in (
        "payments:review",
        "payments:cancel",
        "payments:remove_line",
        "payments:bank_file",
        "payments:pay",
    ):
        assert (
            other.post(reverse(name, args=[batch.pk]), {"reason": "x", "line": "1"}).status_code
            == 404
        )
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PREPARED


def test_the_person_page_shows_what_was_paid_when_and_under_which_rule(
    clients, county_user, county_approver, town_a_checker
):
    from fupin.payments import services

    batch = services.prepare(user=county_user, kind="t_post", period="2018-03", area_code=TOWN_A)
    services.review(user=county_approver, batch_id=batch.pk)
    line = BatchLine.objects.filter(batch=batch).order_by("id").first()
    page = _text(clients["preparer"].get(reverse("registry:person", args=[line.person_id])))
    section = page.split("资金发放记录")[1]
    assert "测试岗位补贴" in section and "2018年03月" in section and "500.00" in section
    assert (
        f'href="/payments/{batch.pk}/"' in section
        and "已复核（待审批）" in section
        and "假设：测试用补贴" not in section
    )
    assert "assumed: 测试用补贴" in section  # the source as the provider gave it
