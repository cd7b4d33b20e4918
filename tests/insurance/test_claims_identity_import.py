"""低保/特困期间导入 (issue 10): a civil-affairs list through staging → validation → preview →
merge, all or nothing; then the settlement of a stored claim follows the category of its day."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.access.models import AuditEntry
from fupin.insurance.categories import timelines
from fupin.insurance.claims import identity_import as ii
from fupin.registry.models import IdentityPeriod, Person
from tests.conftest import TOWN_A, TOWN_B, login

HEADER = "身份证号,姓名,身份,起始日期,终止日期,依据"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def run(user, content: bytes):
    return ii.stage(
        ii.create_import(user=user, filename="低保名单.csv", content=content), user=user
    )


@pytest.fixture
def people(make_household):
    a = Person.objects.get(household=make_household(TOWN_A, members=1))
    b = Person.objects.get(household=make_household(TOWN_A, members=1))
    other = Person.objects.get(household=make_household(TOWN_B, members=1))
    return a, b, other


def errors(job) -> dict[int, list]:
    return {r.row_no: r.errors for r in job.rows.all() if r.errors}


def test_a_clean_file_is_previewed_then_recorded_whole(people, town_a_user):
    a, b, _ = people
    job = run(town_a_user, csv(f"{a.id_number},{a.name},低保,2018-07-01,,浮民发〔2018〕12号",
                               f"{b.id_number},,特困供养人员,2017-01-01,2018-06-30,浮民发〔2017〕3号",
                               f"{b.id_number.lower()},,低保,2018-07-01,,浮民发〔2018〕12号"))  # fmt: skip
    assert (job.state, job.rows_total, job.rows_rejected) == ("ready", 3, 0), errors(job)
    assert not IdentityPeriod.objects.exists()  # preview only
    assert ii.merge(job, user=town_a_user) == 3
    got = sorted((p.person_id, p.identity, p.start, p.end) for p in IdentityPeriod.objects.all())
    assert got == sorted(
        [
            (a.pk, "dibao", dt.date(2018, 7, 1), None),
            (b.pk, "tekun", dt.date(2017, 1, 1), dt.date(2018, 6, 30)),
            (b.pk, "dibao", dt.date(2018, 7, 1), None),
        ]
    )
    line = timelines(Person.objects.filter(pk=b.pk))[b.pk]
    assert (line.on(dt.date(2018, 6, 30)).category, line.on(dt.date(2018, 7, 1)).category) == (
        "tekun",
        "dibao",
    )
    assert AuditEntry.objects.filter(summary__contains="导入低保特困期间").exists()
    with pytest.raises(ii.ImportRefused, match="已入库"):
        ii.merge(job, user=town_a_user)  # a second confirm


def test_faults_are_named_and_nothing_is_recorded(people, town_a_user):
    a, b, other = people
    IdentityPeriod.objects.create(
        person=a, identity="dibao", start=dt.date(2018, 1, 1), reason="已登记"
    )
    job = run(town_a_user, csv(
        f"{a.id_number},,低保,2018-07-01,,x",            # 2: overlaps the recorded period
        f"{b.id_number},,五保,2018-07-01,,x",            # 3: unknown identity
        f"{b.id_number},,低保,2018-02-30,,x",            # 4: no such day
        f"{b.id_number},,低保,2018-07-01,2018-06-01,x",  # 5: end before start
        f"{b.id_number},,低保,2999-01-01,,x",            # 6: far future
        f"{other.id_number},,低保,2018-07-01,,x",        # 7: another township
        "110101199001011237,,低保,2018-07-01,,x",        # 8: not in the registry
        f"{b.id_number},别人,特困,2018-07-01,,x",        # 9: name differs
        f"{b.id_number},,特困,2018-01-01,2018-12-31,x",  # 10: fine alone
        f"{b.id_number},,特困,2018-12-01,,",             # 11: overlaps row 10, and no reason
    ))  # fmt: skip
    e = errors(job)
    assert "重叠" in e[2][0][1]
    assert e[3] == [["身份", "“五保”无法识别，应为：低保、特困"]]
    assert e[4] == [["起始日期", "起始日期“2018-02-30”不存在"]]
    assert e[5] == [["终止日期", "终止日期 2018-06-01 早于起始日期 2018-07-01"]]
    assert "超出范围" in e[6][0][1] or "晚于今天" in e[6][0][1]
    assert e[7] == [["身份证号", "该人员不在本辖区"]]
    assert "不在建档立卡登记中" in e[8][0][1]
    assert e[9][0][0] == "姓名"
    assert 10 not in e
    assert ["依据", "必填项为空"] in e[11]
    assert job.rows_rejected == 9
    with pytest.raises(ii.ImportRefused, match="9 行有误"):
        ii.merge(job, user=town_a_user)
    assert IdentityPeriod.objects.count() == 1


def test_rows_of_the_same_file_may_not_overlap(people, town_a_user):
    a, _, _ = people
    job = run(
        town_a_user,
        csv(f"{a.id_number},,特困,2018-01-01,2018-12-31,x", f"{a.id_number},,特困,2018-12-01,,y"),
    )
    assert errors(job) == {3: [["起始日期", "与本文件第 2 行的特困供养人员期间重叠"]]}


def test_a_period_recorded_after_the_preview_stops_the_whole_file(people, town_a_user):
    a, b, _ = people
    job = run(
        town_a_user, csv(f"{b.id_number},,低保,2018-01-01,,x", f"{a.id_number},,低保,2018-07-01,,y")
    )
    assert job.rows_rejected == 0
    IdentityPeriod.objects.create(
        person=a, identity="dibao", start=dt.date(2018, 3, 1), reason="后来登记"
    )
    with pytest.raises(ii.ImportRefused, match="第 3 行"):
        ii.merge(job, user=town_a_user)
    assert not IdentityPeriod.objects.filter(person=b).exists()  # all or nothing


def test_pages_upload_preview_confirm_and_scope(people, town_a_user, town_b_user):
    a, _, _ = people
    c = login(town_a_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    up = SimpleUploadedFile("名单.csv", csv(f"{a.id_number},,低保,2018-07-01,,浮民发〔2018〕12号"))
    r = c.post("/insurance/claims/identity-imports/", {"file": up}, follow=True)
    html = r.content.decode()
    assert (
        r.status_code == 200
        and "共 1 行，有误 0 行" in html
        and "确认登记（1 段）" in html
        and "至今" in html
    )
    job = ii.IdentityImport.objects.get()
    assert (
        login(town_b_user).get(f"/insurance/claims/identity-imports/{job.pk}/").status_code == 404
    )
    assert (
        login(town_b_user).post(f"/insurance/claims/identity-imports/{job.pk}/merge/").status_code
        == 404
    )
    assert not IdentityPeriod.objects.exists()
    r = c.post(f"/insurance/claims/identity-imports/{job.pk}/merge/", follow=True)
    assert "已登记 1 段低保、特困期间" in r.content.decode()
    assert IdentityPeriod.objects.filter(person=a, identity="dibao").count() == 1
    r = c.post(
        "/insurance/claims/identity-imports/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
        follow=True,
    )
    assert r.status_code == 200
