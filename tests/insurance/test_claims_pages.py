"""Pages of stored claims: upload → preview → confirm, township totals and export, person page
section with each step, re-settlement page with progress and comparison, flag list; scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry
from fupin.insurance.claims.models import ClaimImport, MedicalClaim, Resettlement
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login
from tests.insurance.claims_factories import csv


@pytest.fixture
def person(make_household):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")
    return Person.objects.get(pk=p.pk)


def upload(client, content: bytes, name: str = "结算.csv"):
    return client.post(
        reverse("insurance:claims_upload"), {"file": SimpleUploadedFile(name, content)}
    )


def sheets(response) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_upload_preview_confirm_and_see_it_everywhere(person, town_a_user):
    c = login(town_a_user)
    r = upload(
        c,
        csv(f"ZY1,{person.id_number},{person.name},县医院,住院,二级,,2018-03-02,10000.00,8000.00"),
    )
    job = ClaimImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "insurance:claims_import", args=[job.pk]
    )
    page = c.get(r["Location"]).content.decode()
    assert "确认入库并结算（1 笔）" in page and not MedicalClaim.objects.exists()
    r = c.post(reverse("insurance:claims_import_merge", args=[job.pk]), follow=True)
    assert "已入库 1 笔" in r.content.decode()
    home = c.get(reverse("insurance:claims_home"), {"year": 2018}).content.decode()
    assert "浮梁镇" in home and "5700.00" in home and "4300.00" in home and "ZY1" in home
    assert person.id_number not in home  # masked
    section = c.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert (
        "医疗费用结算（2018 年度）" in section
        and "计算过程" in section
        and "个人自付 4300.00 元" in section
    )
    assert "普通参保居民" in section
    export = sheets(c.get(reverse("insurance:claims_export"), {"year": 2018}))
    rows = export["结算单"]
    assert rows[1][3] == "ZY1" and rows[1][1] != person.id_number and rows[1][-2] == 4300.0
    assert export["乡镇汇总"][1][:3] == ["浮梁镇", 1.0, 1.0]
    assert AuditEntry.objects.filter(action="export").exists()


def test_preview_of_a_bad_file_names_rows_and_offers_no_confirm(person, town_a_user):
    c = login(town_a_user)
    upload(c, csv(f"ZY1,{person.id_number},,县医院,住院,五级,,2018-03-02,100.00,80.00"))
    page = c.get(
        reverse("insurance:claims_import", args=[ClaimImport.objects.get().pk])
    ).content.decode()
    assert "第 2 行" in page and "列“医院级别”" in page and "确认入库" not in page
    r = c.post(
        reverse("insurance:claims_import_merge", args=[ClaimImport.objects.get().pk]), follow=True
    )
    assert "全部或全不" in r.content.decode() and not MedicalClaim.objects.exists()


@pytest.mark.parametrize(
    "content,name",
    [(b"\x00\x01garbage", "x.xlsx"), (b"", "empty.csv"), ("姓名\n张三\n".encode(), "a.csv")],
)
def test_hostile_or_empty_files_fail_in_chinese(content, name, town_a_user):
    c = login(town_a_user)
    r = upload(c, content, name)
    assert r.status_code in (200, 302)
    body = c.get(r["Location"]).content.decode() if r.status_code == 302 else r.content.decode()
    assert "Traceback" not in body and ("失败" in body or "文件" in body)


def test_another_townships_import_and_run_are_404(person, town_a_user, town_b_user):
    a = login(town_a_user)
    upload(a, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00"))
    job = ClaimImport.objects.get()
    b = login(town_b_user)
    assert b.get(reverse("insurance:claims_import", args=[job.pk])).status_code == 404
    assert b.post(reverse("insurance:claims_import_merge", args=[job.pk])).status_code == 404
    assert not MedicalClaim.objects.exists()
    a.post(reverse("insurance:claims_import_merge", args=[job.pk]))
    a.post(reverse("insurance:claims_resettle"), {"year": "2018", "policy": "jining"})
    run = Resettlement.objects.get()
    assert b.get(reverse("insurance:claims_resettlement", args=[run.pk])).status_code == 404
    assert (
        b.get(reverse("insurance:claims_resettlement_progress", args=[run.pk])).status_code == 404
    )
    assert "ZY1" not in b.get(reverse("insurance:claims_home"), {"year": 2018}).content.decode()


def test_resettle_page_runs_and_compares(person, town_a_user):
    c = login(town_a_user)
    upload(c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00"))
    c.post(reverse("insurance:claims_import_merge", args=[ClaimImport.objects.get().pk]))
    r = c.post(
        reverse("insurance:claims_resettle"),
        {"year": "2018", "policy": "jining", "note": "对照济宁"},
    )
    run = Resettlement.objects.get()
    page = c.get(r["Location"]).content.decode()
    # Official 4300.00 self-pay beside 济宁's 4750.00 (see test_claims_resettle for the arithmetic).
    assert "已完成" in page and "4300.00 → 4750.00" in page and "450.00" in page
    progress = c.get(
        reverse("insurance:claims_resettlement_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"


@pytest.mark.parametrize("form", [{"year": "abc", "policy": "jining"}, {"year": "2018", "policy": "x" * 500},
                                  {"year": "2018", "policy": "jining@2099-13-01"}, {"year": "2018",
                                                                                    "policy": "jining", "area": TOWN_B},
                                  {"year": "99999999999999999999", "policy": "jining"}, {}])  # fmt: skip
def test_resettle_form_refuses_bad_input_in_chinese(form, town_a_user, areas):
    r = login(town_a_user).post(reverse("insurance:claims_resettle"), form, follow=True)
    assert r.status_code == 200 and not Resettlement.objects.exists()
    assert "alert" in r.content.decode()


def test_read_only_user_cannot_upload_or_resettle(person, make_user):
    viewer = make_user("viewer", "poverty_office", TOWN_A)
    c = login(viewer)
    upload(c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00"))
    c.post(reverse("insurance:claims_resettle"), {"year": "2018", "policy": "jining"})
    assert not ClaimImport.objects.exists() and not Resettlement.objects.exists()


def test_unmasked_export_needs_the_permission(person, town_a_user, county_user):
    assert (
        login(town_a_user)
        .get(reverse("insurance:claims_export"), {"year": 2018, "unmasked": "1"})
        .status_code
        == 403
    )
    assert (
        login(county_user)
        .get(reverse("insurance:claims_export"), {"year": 2018, "unmasked": "1"})
        .status_code
        == 200
    )


def test_flags_page_lists_and_exports(make_household, town_a_user):
    hh = make_household(TOWN_A, members=1, income_year=2017, income_wage_fen=100000)
    p = Person.objects.get(household=hh)
    c = login(town_a_user)
    upload(c, csv(f"ZY1,{p.id_number},,县医院,住院,三级,,2018-03-02,30000.00,10000.00"))
    c.post(reverse("insurance:claims_import_merge", args=[ClaimImport.objects.get().pk]))
    page = c.get(reverse("insurance:claims_flags"), {"year": 2018}).content.decode()
    # Income 1000.00 元 × 1 person; 40% → line 400.00 元; the 20000 元 outside the policy alone passes it.
    assert p.name in page and "400.00" in page and "40%" in page
    rows = sheets(c.get(reverse("insurance:claims_flags"), {"year": 2018, "export": "xlsx"}))[
        "预警"
    ]
    assert rows[1][2] == p.name
