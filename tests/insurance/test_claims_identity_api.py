"""低保/特困名单导入 in the background and through the API (issue 10 §5): the upload only stores the
file, the check runs as a job reporting rows checked / total, the page polls then previews, every
fault is listed and exported; `POST /api/v1/insurance/identity-imports`, `{pk}`, `{pk}/confirm` —
with attacker cases: another township's job and people, hostile files, a read-only role, huge ids,
a job delivered twice, two confirms at once. And the claims upload's check reports rows too."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin import jobprogress, liveness
from fupin.access.models import AuditEntry
from fupin.insurance.claims import identity_import, imports
from fupin.insurance.claims.models import ClaimImport, IdentityImport, ImportState
from fupin.insurance.claims.tasks import identity_stage_task
from fupin.jobprogress import Reporter
from fupin.registry.models import IdentityPeriod, Person
from tests.concurrency import postgres_only, together
from tests.conftest import TOWN_A, TOWN_B, login
from tests.exchange import hostile
from tests.insurance.claims_factories import csv as claims_csv

API = "/api/v1/insurance/identity-imports"
HEADER = "身份证号,姓名,身份,起始日期,终止日期,依据"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def upload(client, content: bytes, name: str = "低保名单.csv"):
    return client.post(API, {"file": SimpleUploadedFile(name, content)})


def sheets(response) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture
def people(make_household):
    a = Person.objects.get(household=make_household(TOWN_A, members=1))
    b = Person.objects.get(household=make_household(TOWN_A, members=1))
    other = Person.objects.get(household=make_household(TOWN_B, members=1))
    return a, b, other


def test_api_upload_answers_before_the_check_then_previews_and_confirms(
    people, town_a_user, django_capture_on_commit_callbacks
):
    a, b, _ = people
    c = login(town_a_user)
    content = csv(f"{a.id_number},{a.name},低保,2018-07-01,,浮民发〔2018〕12号",
                  f"{b.id_number},,特困供养人员,2017-01-01,2018-06-30,浮民发〔2017〕3号")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        r = upload(c, content)
    assert r.status_code == 201, r.content
    body = r.json()
    # Only stored: nothing read or staged inside the request.
    assert (body["state"], body["step"], body["rows_total"], body["preview"]) == (
        "reading",
        "排队等待读取",
        0,
        [],
    )
    assert len(queued) == 1 and not IdentityImport.objects.get().rows.exists()
    queued[0]()
    body = c.get(f"{API}/{body['id']}").json()
    assert (body["state"], body["rows_total"], body["rows_rejected"], body["percent"]) == (
        "ready",
        2,
        0,
        100,
    )
    first = body["preview"][0]
    assert (first["row"], first["identity"], first["start"], first["end"]) == (
        2,
        "dibao",
        "2018-07-01",
        None,
    )
    assert "*" in first["id_number"] and a.id_number not in r.content.decode()
    assert not IdentityPeriod.objects.exists()  # preview only
    r = c.post(f"{API}/{body['id']}/confirm")
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert IdentityPeriod.objects.filter(person=a, identity="dibao").count() == 1
    assert IdentityPeriod.objects.filter(person=b, identity="tekun").count() == 1
    r = c.post(f"{API}/{body['id']}/confirm")
    assert r.status_code == 422 and "不能确认入库" in r.json()["detail"]
    assert IdentityPeriod.objects.count() == 2


def test_page_polls_with_rows_percentage_then_shows_the_preview(
    people, town_a_user, django_capture_on_commit_callbacks
):
    a, _, _ = people
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        r = c.post(
            reverse("insurance:claims_identity_upload"),
            {"file": SimpleUploadedFile("名单.csv", csv(f"{a.id_number},,低保,2018-07-01,,浮民发〔2018〕12号"))},
        )  # fmt: skip
    assert r.status_code == 302 and len(queued) == 1
    job = IdentityImport.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert "import-progress" in page and "hx-trigger" in page and "排队等待读取" in page
    progress = reverse("insurance:claims_identity_progress", args=[job.pk])
    # Half-way through a 200-row file, as a live job (holding its lock) reports it.
    IdentityImport.objects.filter(pk=job.pk).update(
        step="第 1/4 步：逐行检查", rows_total=200, rows_done=50
    )
    with liveness.holding(identity_import.LIVENESS, job.pk):
        poll = c.get(progress, HTTP_HX_REQUEST="true")
        text = poll.content.decode()
        assert "HX-Refresh" not in poll and "第 1/4 步：逐行检查，已处理 50 / 200 行" in text
        assert 'data-width="25"' in text
        assert c.get(f"{API}/{job.pk}").json()["percent"] == 25
    IdentityImport.objects.filter(pk=job.pk).update(step="", rows_total=0, rows_done=0)
    queued[0]()
    assert c.get(progress, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    page = c.get(r["Location"]).content.decode()
    assert "共 1 行，有误 0 行" in page and "确认登记（1 段）" in page


def test_the_job_reports_rows_as_it_checks_them(people, town_a_user, monkeypatch):
    a, _, _ = people
    seen: list[tuple[str, int, int]] = []

    class Every(Reporter):  # no throttling, and a record of what was reported (on PostgreSQL inside
        # the test's transaction the reporter's own connection cannot see the uncommitted job row)
        def __init__(self, model, pk, **kw):
            super().__init__(model, pk, every=0)

        def __call__(self, **fields):
            super().__call__(**fields)
            seen.append((fields["step"], fields["rows_done"], fields["rows_total"]))

    monkeypatch.setattr(identity_import, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(jobprogress, "Reporter", Every)
    rows = [f"{a.id_number},,低保,2018-0{m}-01,2018-0{m}-02,文{m}" for m in range(1, 6)]
    upload(login(town_a_user), csv(*rows))
    check, persons, overlaps, preview = (
        "第 1/4 步：逐行检查",
        "第 2/4 步：查找人员（按身份证号）",
        "第 3/4 步：核对期间重叠",
        "第 4/4 步：写入预览",
    )
    assert seen == [
        (check, 0, 5), (check, 2, 5), (check, 4, 5), (check, 5, 5),
        (persons, 0, 5), (persons, 5, 5), (overlaps, 0, 5), (overlaps, 5, 5),
        (preview, 0, 5), (preview, 5, 5),
    ]  # fmt: skip
    job = IdentityImport.objects.get()
    assert (job.state, job.rows_done, job.rows_total, job.percent) == ("ready", 5, 5, 100)


def test_every_fault_is_listed_and_exported(people, town_a_user):
    a, _, other = people
    c = login(town_a_user)
    content = csv(f"{a.id_number},错名,低保,2018-07-01,,文1",
                  f"{other.id_number},,低保,2018-07-01,,文2",
                  "11010519491231002X,,低保,2018-07-01,,文3",
                  f"{a.id_number},,富裕,2018-07-01,,文4",
                  f"{a.id_number},,特困,2999-01-01,,文5",
                  f"{a.id_number},,特困,2018-05-01,2018-04-01,文6",
                  f"{a.id_number},,特困,2030-01-01,,文7")  # fmt: skip
    body = upload(c, content).json()
    assert body["state"] == "ready" and body["rows_rejected"] == 7
    assert {f["row"] for f in body["faults"]} == {2, 3, 4, 5, 6, 7, 8}
    r = c.post(f"{API}/{body['id']}/confirm")
    assert r.status_code == 422 and "7 行有误" in r.json()["detail"]
    assert not IdentityPeriod.objects.exists()
    page = c.get(reverse("insurance:claims_identity_import", args=[body["id"]])).content.decode()
    assert "导出全部错误（xlsx）" in page
    r = c.get(reverse("insurance:claims_identity_errors", args=[body["id"]]))
    assert r.status_code == 200
    lines = sheets(r)["错误清单"]
    assert lines[0] == ["行号", "身份证号（脱敏）", "列", "问题"]
    by_row = {int(x[0]): x for x in lines[1:]}
    assert set(by_row) == {2, 3, 4, 5, 6, 7, 8}
    assert "不一致" in by_row[2][3] and "不在本辖区" in by_row[3][3]
    assert "不在建档立卡登记中" in by_row[4][3] and "无法识别" in by_row[5][3]
    assert "超出范围" in by_row[6][3] and "早于起始日期" in by_row[7][3]
    assert "晚于今天" in by_row[8][3]
    assert all("*" in x[1] for x in lines[1:] if x[1]) and other.id_number not in str(lines)
    assert AuditEntry.objects.filter(action="export", summary__contains="错误清单").exists()


@pytest.mark.parametrize(
    "content, name, fault",
    [
        (b"MZ\x90\x00\x03\x00", "名单.exe", "文件"),
        (b"PK\x03\x04" + b"\x00" * 64, "名单.xlsx", "文件"),
        (hostile.zip_bomb(), "名单.xlsx", "文件"),
        (hostile.dimension_bomb(), "名单.xlsx", ""),
        ("户编号,家庭人口\n1,2\n".encode(), "名单.csv", "未找到表头"),
        (b"", "empty.csv", ""),
    ],
)
def test_hostile_files_fail_in_chinese_never_500(content, name, fault, town_a_user):
    c = login(town_a_user)
    r = upload(c, content, name)
    assert r.status_code in (201, 413, 422), r.content
    if r.status_code != 201:
        assert "文件" in r.json()["detail"] or "上传" in r.json()["detail"]
        return
    body = c.get(f"{API}/{r.json()['id']}").json()
    assert body["state"] == "failed" and fault in body["message"], body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    assert "Traceback" not in body["message"] and not IdentityPeriod.objects.exists()
    page = c.get(reverse("insurance:claims_identity_import", args=[body["id"]])).content.decode()
    assert body["message"] in page


def test_another_townships_job_is_404_and_read_only_is_403(
    people, town_a_user, town_b_user, make_user
):
    a, _, _ = people
    pk = upload(login(town_a_user), csv(f"{a.id_number},,低保,2018-07-01,,文1")).json()["id"]
    b = login(town_b_user)
    for method, url in (("get", f"{API}/{pk}"), ("post", f"{API}/{pk}/confirm"),
                        ("get", reverse("insurance:claims_identity_progress", args=[pk])),
                        ("get", reverse("insurance:claims_identity_errors", args=[pk]))):  # fmt: skip
        assert getattr(b, method)(url).status_code == 404, url
    # 鹅湖镇 uploading 浮梁镇's person: refused by row, never linked.
    body = upload(b, csv(f"{a.id_number},,低保,2018-07-01,,文1")).json()
    assert body["rows_rejected"] == 1 and "不在本辖区" in body["faults"][0]["reason"]
    assert a.name not in str(body)
    viewer = login(make_user("viewer-a", "auditor", TOWN_A))
    r = upload(viewer, csv(f"{a.id_number},,低保,2018-07-01,,文1"))
    assert r.status_code == 403 and "只读" in r.json()["detail"]
    assert viewer.post(f"{API}/{pk}/confirm").status_code == 403
    assert IdentityImport.objects.count() == 2 and not IdentityPeriod.objects.exists()


def test_huge_ids_and_bad_uploads_are_not_500(town_a_user):
    c = login(town_a_user)
    for pk in (0, -1, 2**63, 10**30):
        assert c.get(f"{API}/{pk}").status_code in (404, 422)
        assert c.post(f"{API}/{pk}/confirm").status_code in (404, 422)
    r = c.post(API, {"not_file": "x"})
    assert r.status_code == 422 and r.json()["errors"]["file.file"] == ["必填项缺失"]
    r = c.post(API, '{"file": 7}', content_type="application/json")
    assert r.status_code in (400, 422) and any(
        "\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"]
    )


def test_a_job_delivered_twice_is_checked_once(
    people, town_a_user, django_capture_on_commit_callbacks
):
    a, _, _ = people
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        pk = upload(c, csv(f"{a.id_number},,低保,2018-07-01,,文1")).json()["id"]
    queued[0]()
    identity_stage_task.enqueue(pk, town_a_user.pk)  # the queue hands the job out again
    job = IdentityImport.objects.get(pk=pk)
    assert (job.state, job.rows.count()) == ("ready", 1)
    c.post(f"{API}/{pk}/confirm")
    identity_stage_task.enqueue(pk, town_a_user.pk)  # even after the confirm: left alone
    job.refresh_from_db()
    assert (job.state, job.rows.count()) == ("done", 1)
    assert IdentityPeriod.objects.count() == 1


def test_an_abandoned_check_is_failed_with_the_reason(people, town_a_user):
    job = identity_import.create_import(user=town_a_user, filename="a.csv", content=csv())
    got = login(town_a_user).get(f"{API}/{job.pk}").json()
    assert got["state"] == "reading"  # still queued: nobody took it yet
    IdentityImport.objects.filter(pk=job.pk).update(step="第 2/4 步：查找人员（按身份证号）")
    got = login(town_a_user).get(f"{API}/{job.pk}").json()
    assert got["state"] == "failed" and "意外退出" in got["message"]


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_record_once(people, town_a_user):
    postgres_only()
    a, _, _ = people
    pk = upload(login(town_a_user), csv(f"{a.id_number},,低保,2018-07-01,,文1")).json()["id"]
    answers = together([lambda: login(town_a_user).post(f"{API}/{pk}/confirm") for _ in range(2)])
    assert sorted(r.status_code for r in answers) == [200, 422]
    assert IdentityPeriod.objects.filter(person=a).count() == 1


# -- the claims upload's check reports rows too -------------------------------------------------
def test_claim_upload_check_reports_rows_done_and_percent(make_household, town_a_user, monkeypatch):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    seen: list[tuple[int, int]] = []

    class Every(Reporter):
        def __init__(self, model, pk, **kw):
            super().__init__(model, pk, every=0)

        def __call__(self, **fields):
            super().__call__(**fields)
            if fields["step"] == "第 1/6 步：逐行检查":
                seen.append((fields["rows_done"], fields["rows_total"]))

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(jobprogress, "Reporter", Every)
    rows = [
        f"ZY{i},{p.id_number},,县医院,住院,二级,,2018-03-0{i},100.00,80.00" for i in range(1, 6)
    ]
    c = login(town_a_user)
    r = c.post(
        "/api/v1/insurance/claim-imports", {"file": SimpleUploadedFile("a.csv", claims_csv(*rows))}
    )
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    body = r.json()
    assert (body["state"], body["rows_done"], body["percent"]) == ("ready", 5, 100)
    job = ClaimImport.objects.get()
    ClaimImport.objects.filter(pk=job.pk).update(state=ImportState.READING, step="第 1/6 步：逐行检查", rows_total=8,
                                                 rows_done=6)  # fmt: skip
    with liveness.holding(imports.LIVENESS, job.pk):
        poll = c.get(
            reverse("insurance:claims_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
        )
    assert "已处理 6 / 8 行" in poll.content.decode() and 'data-width="75"' in poll.content.decode()
