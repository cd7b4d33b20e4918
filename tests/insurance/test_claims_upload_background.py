"""Uploads of claims files checked in the background (the page polls the job), every faulty row
marked — not the first 20 — and the full error list as xlsx; hostile files and other townships."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.insurance.claims import imports
from fupin.insurance.claims.models import ClaimImport, ImportState, MedicalClaim
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv


@pytest.fixture
def person(make_household):
    return Person.objects.get(household=make_household(TOWN_A, members=1))


def upload(client, content: bytes, name: str = "结算.csv"):
    return client.post(
        reverse("insurance:claims_upload"), {"file": SimpleUploadedFile(name, content)}
    )


def sheets(response) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def bad_rows(person, n: int) -> bytes:
    """n claims whose in-policy cost exceeds the total (an engine fault), one good claim first."""
    rows = [f"ZY0,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00"]
    rows += [
        f"ZY{i},{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,180.00"
        for i in range(1, n + 1)
    ]
    return csv(*rows)


def test_the_upload_is_checked_after_the_request(
    person, town_a_user, django_capture_on_commit_callbacks
):
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        r = upload(c, bad_rows(person, 1))
    job = ClaimImport.objects.get()
    # The request only stored the file: nothing read, nothing staged yet; the page polls.
    assert r.status_code == 302 and len(queued) == 1
    assert (job.state, job.rows_total, job.rows.count()) == (ImportState.READING, 0, 0)
    page = c.get(r["Location"]).content.decode()
    assert "import-progress" in page and "hx-trigger" in page and "排队等待读取" in page
    poll = c.get(reverse("insurance:claims_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll
    queued[0]()
    poll = c.get(reverse("insurance:claims_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert (job.state, job.rows_total, job.rows_rejected, job.step) == (ImportState.READY, 2, 1, "")


def test_every_faulty_row_is_marked_and_exported(person, town_a_user):
    c = login(town_a_user)
    r = upload(c, bad_rows(person, 45))
    job = ClaimImport.objects.get()
    assert (job.state, job.rows_total, job.rows_rejected) == (ImportState.READY, 46, 45)
    marked = {r.row_no: r.errors for r in job.rows.exclude(errors=[])}
    assert sorted(marked) == list(
        range(3, 48)
    )  # file rows 3 … 47 (header on row 1, good claim on 2)
    assert all(
        any(col == "政策范围内费用" and "大于总费用" in msg for col, msg in e)
        for e in marked.values()
    )
    page = c.get(r["Location"]).content.decode()
    assert "共 45 行，全部列出" in page and "第 47 行" in page
    rows = sheets(c.get(reverse("insurance:claims_import_errors", args=[job.pk])))["错误清单"]
    assert rows[0] == ["行号", "结算单号", "列", "问题"]
    assert [int(r[0]) for r in rows[1:]] == list(range(3, 48))
    assert all(r[2] == "政策范围内费用" and "大于总费用" in r[3] for r in rows[1:])
    with pytest.raises(imports.ImportRefused):
        imports.merge(job, user=town_a_user)
    assert not MedicalClaim.objects.exists()


def test_the_api_upload_answers_before_the_check(
    person, town_a_user, django_capture_on_commit_callbacks
):
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        r = c.post(
            "/api/v1/insurance/claim-imports",
            {"file": SimpleUploadedFile("a.csv", bad_rows(person, 2))},
        )
    assert r.status_code == 201 and r.json()["state"] == "reading" and len(queued) == 1
    queued[0]()
    body = c.get(f"/api/v1/insurance/claim-imports/{r.json()['id']}").json()
    assert (body["state"], body["rows_rejected"], len(body["faults"])) == ("ready", 2, 2)


@pytest.mark.parametrize(
    "content,name,fault",
    [
        (b"PK\x03\x04" + b"\x00" * 64, "zip.xlsx", "文件"),
        (b"\x00\x01garbage", "x.xlsx", "文件"),
        ("结算单号\nZY1\n".encode(), "a.csv", "缺少"),
    ],
)
def test_hostile_files_fail_in_the_background_in_chinese(content, name, fault, town_a_user):
    c = login(town_a_user)
    r = upload(c, content, name)
    job = ClaimImport.objects.get()
    assert (
        job.state == ImportState.FAILED and fault in job.message and job.message.isascii() is False
    )
    body = c.get(r["Location"]).content.decode()
    assert "Traceback" not in body and job.message in body


def test_an_upload_abandoned_by_a_dead_worker_is_failed(person, town_a_user):
    job = imports.create_import(user=town_a_user, filename="a.csv", content=bad_rows(person, 1))
    ClaimImport.objects.filter(pk=job.pk).update(
        step="第 3/6 步：核对入院当日的人员类别和慢性病医疗证"
    )
    page = (
        login(town_a_user).get(reverse("insurance:claims_import", args=[job.pk])).content.decode()
    )
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and "意外退出" in job.message and "意外退出" in page


def test_another_townships_upload_errors_are_404(person, town_a_user, town_b_user):
    upload(login(town_a_user), bad_rows(person, 1))
    job = ClaimImport.objects.get()
    b = login(town_b_user)
    for name in ("insurance:claims_import_errors", "insurance:claims_import_progress"):
        assert b.get(reverse(name, args=[job.pk])).status_code == 404
