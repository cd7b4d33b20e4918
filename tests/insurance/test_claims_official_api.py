"""API of 按新身份重算 (issue 10 §5): start (202), progress, the changed claims (paged, masked, fen
exact) and their xlsx — with attacker cases: another township's runs and area, wrong JSON types,
far-future years, huge numbers, a read-only role, a second live run, a job delivered twice and two
starts at once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.db import transaction
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry
from fupin.insurance.claims import imports
from fupin.insurance.claims.models import (
    ClaimSplit,
    OfficialChange,
    OfficialResettlement,
)
from fupin.insurance.claims.tasks import official_resettle_task
from fupin.policy.quote import quote
from fupin.registry.models import IdentityPeriod, Person
from tests.concurrency import postgres_only, together
from tests.conftest import TOWN_A, TOWN_B, login
from tests.insurance.claims_factories import csv, run_import

API = "/api/v1/insurance/official-resettlements"
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")
# By hand: a general resident, level-2 hospital, 10000.00 of which 8000.00 in policy → basic 5700.00.
GENERAL_SPLIT = (570000, 0, 0, 0, 430000)
CJK = re.compile(r"[\u4e00-\u9fff]")


def post(client, body, content_type: str = "application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(API, data, content_type=content_type)


def split_of(claim_no: str) -> tuple[int, ...]:
    s = ClaimSplit.objects.get(claim__claim_no=claim_no)
    return tuple(getattr(s, p) for p in PARTS)


def dibao_split() -> tuple[int, ...]:
    """The county policy's own quote of the claim for a 低保 person (independent of the re-settle)."""
    record = {"claim_id": "ZYA", "visit_type": "inpatient", "hospital_level": 2, "disease_code": None,
              "admission_date": "2018-03-02", "total_cost": "10000.00", "in_policy_cost": "8000.00",
              "category": "dibao", "chronic_class": None}  # fmt: skip
    return tuple(quote("fuliang", "", [record]).settlements[0].parts().values())


@pytest.fixture
def two_towns(make_household, town_a_user, town_b_user):
    """A general resident in each township with one stored 2018 claim; then a 低保 period from
    1 January 2018 recorded for both (民政名单更正)."""
    people = []
    for town, user, no in ((TOWN_A, town_a_user, "ZYA"), (TOWN_B, town_b_user, "ZYB")):
        p = Person.objects.get(household=make_household(town, members=1))
        Person.objects.filter(pk=p.pk).update(status="exited")
        job = run_import(
            user, csv(f"{no},{p.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00")
        )
        assert job.rows_rejected == 0
        imports.merge(job, user=user)
        IdentityPeriod.objects.create(
            person=p, identity="dibao", start=dt.date(2018, 1, 1), reason="民政认定"
        )
        people.append(Person.objects.get(pk=p.pk))
    return people


def test_start_progress_changes_and_export(two_towns, make_user):
    a, _ = two_towns
    officer = make_user("officer-a", "township", TOWN_A, unmask=True)
    c = login(officer)
    assert split_of("ZYA") == GENERAL_SPLIT
    r = post(c, {"year": 2018, "note": "民政名单更正"})
    assert r.status_code == 202, r.content
    run = r.json()
    # Tests run the job at once; a real start answers "queued" and the client polls.
    assert run["area_code"] == TOWN_A and run["note"] == "民政名单更正"
    got = c.get(f"{API}/{run['id']}").json()
    assert (got["state"], got["state_name"], got["percent"]) == ("done", "已完成", 100)
    assert (got["rows_total"], got["rows_done"], got["changed"]) == (1, 1, 1)
    assert "1 笔" in got["message"] and got["finished_at"]
    new = dibao_split()
    assert new != GENERAL_SPLIT and split_of("ZYA") == new
    page = c.get(f"{API}/{run['id']}/changes").json()
    assert page["count"] == 1
    [item] = page["items"]
    assert item["claim_no"] == "ZYA" and item["person_id"] == a.pk
    assert "*" in item["id_number"] and a.id_number not in json.dumps(page)
    assert (item["old_category"], item["new_category"]) == ("general", "dibao")
    assert item["old_category_name"] == "普通参保居民" and "低保" in item["new_category_name"]
    assert tuple(item["before"][p] for p in PARTS) == GENERAL_SPLIT
    assert tuple(item["after"][p] for p in PARTS) == new
    assert c.get(f"{API}/{run['id']}/changes", {"offset": 1}).json() == {"count": 1, "items": []}
    # The list of runs.
    assert [r["id"] for r in c.get(API).json()] == [run["id"]]
    # xlsx: masked unless asked; full only with the right, and audited.
    r = c.get(f"{API}/{run['id']}/changes.xlsx")
    assert r.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    header, row = book.get_sheet_by_index(0).to_python()
    assert row[header.index("结算单号")] == "ZYA" and "*" in row[header.index("身份证号")]
    assert round(row[header.index("基本医保新(元)")] * 100) == new[0]
    r = c.get(f"{API}/{run['id']}/changes.xlsx", {"unmasked": "true"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    assert book.get_sheet_by_index(0).to_python()[1][1] == a.id_number
    assert AuditEntry.objects.filter(action="export", summary__contains="按新身份重算").count() == 2
    plain = login(make_user("plain-a", "township", TOWN_A))
    r = plain.get(f"{API}/{run['id']}/changes.xlsx", {"unmasked": "true"})
    assert r.status_code == 403 and CJK.search(r.json()["detail"])


def test_another_townships_runs_and_area_are_out_of_reach(two_towns, town_a_user, town_b_user):
    a, b = login(town_a_user), login(town_b_user)
    pk = post(a, {"year": 2018}).json()["id"]
    for url in (f"{API}/{pk}", f"{API}/{pk}/changes", f"{API}/{pk}/changes.xlsx"):
        r = b.get(url)
        assert r.status_code == 404 and r.json()["detail"] == "记录不存在或不在本辖区"
    assert b.get(API).json() == []
    r = post(b, {"year": 2018, "area": TOWN_A})
    assert r.status_code == 403 and CJK.search(r.json()["detail"])
    assert OfficialResettlement.objects.count() == 1
    assert split_of("ZYB") == GENERAL_SPLIT  # 鹅湖镇 untouched by 浮梁镇's run


@pytest.mark.parametrize(
    "body, field",
    [
        ({"year": "二〇一八"}, "year"),
        ({"year": None}, "year"),
        ({"year": 2018.5}, "year"),
        ({"year": 10**30}, "year"),
        ({"year": 9999}, "year"),
        ({"year": -2018}, "year"),
        ({}, "year"),
        ({"year": 2017}, "year"),  # no stored claims that year
        ({"year": 2018, "area": 360222100}, "area"),
        ({"year": 2018, "area": "abc"}, "area"),
        ({"year": 2018, "area": "360222100001"}, "area"),  # a village: county or township only
        ({"year": 2018, "area": "9" * 13}, "area"),
        ({"year": 2018, "note": ["x"]}, "note"),
        ({"year": 2018, "note": "长" * 201}, "note"),
        ([2018], None),
        ("2018", None),
    ],
)
def test_bad_json_is_422_in_chinese(two_towns, town_a_user, body, field):
    r = post(login(town_a_user), body)
    assert r.status_code == 422, r.content
    detail = r.json()
    assert CJK.search(detail["detail"])
    if field:
        assert field in detail["errors"] and all(CJK.search(m) for m in detail["errors"][field])
    assert not OfficialResettlement.objects.exists()


def test_broken_json_and_huge_ids_are_not_500(two_towns, town_a_user):
    c = login(town_a_user)
    r = post(c, b'{"year": 20', content_type="application/json")
    assert r.status_code in (400, 422) and CJK.search(r.json()["detail"])
    for pk in (0, -1, 2**63, 10**30):
        for tail in ("", "/changes", "/changes.xlsx"):
            assert c.get(f"{API}/{pk}{tail}").status_code in (404, 422)
    pk = post(c, {"year": 2018}).json()["id"]
    for query in (
        {"limit": 10**9},
        {"limit": 0},
        {"offset": -1},
        {"offset": 10**30},
        {"limit": "many"},
    ):
        r = c.get(f"{API}/{pk}/changes", query)
        assert r.status_code == 422 and CJK.search(json.dumps(r.json(), ensure_ascii=False))
    r = c.get(f"{API}/{pk}/changes", {"offset": 2**62})
    assert r.status_code == 200 and r.json()["items"] == []
    assert c.get(API, {"limit": 10**9}).status_code == 422


def test_read_only_role_cannot_start(two_towns, make_user):
    r = post(login(make_user("viewer-a", "auditor", TOWN_A)), {"year": 2018})
    assert r.status_code == 403 and "只读" in r.json()["detail"]
    assert not OfficialResettlement.objects.exists()


def test_a_second_live_run_of_the_year_is_refused(two_towns, county_user, town_a_user):
    OfficialResettlement.objects.create(
        year=2018, area_code=TOWN_B, created_by=county_user, state="running"
    )
    r = post(login(town_a_user), {"year": 2018})
    assert r.status_code == 422 and "已有一次按新身份重算在排队或进行中" in r.json()["detail"]
    assert OfficialResettlement.objects.count() == 1


def test_job_delivered_twice_runs_once(two_towns, town_a_user, django_capture_on_commit_callbacks):
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        r = post(c, {"year": 2018})
    assert r.status_code == 202 and r.json()["state"] == "queued" and r.json()["percent"] == 0
    assert len(queued) == 1
    pk = r.json()["id"]
    queued[0]()
    official_resettle_task.enqueue(pk, town_a_user.pk)  # the queue hands the job out again
    run = c.get(f"{API}/{pk}").json()
    assert (run["state"], run["changed"]) == ("done", 1)
    assert OfficialChange.objects.filter(run_id=pk).count() == 1
    assert split_of("ZYA") == dibao_split()


def test_abandoned_run_is_reported_failed(two_towns, town_a_user):
    run = OfficialResettlement.objects.create(
        year=2018, area_code=TOWN_A, created_by=town_a_user, state="running"
    )
    got = login(town_a_user).get(f"{API}/{run.pk}").json()
    assert got["state"] == "failed" and "意外退出" in got["message"]


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_live_run(two_towns, town_a_user):
    """Three starts of 2018 at once: while one run is live the others are refused in Chinese (the
    database constraint, not a check that races); every accepted start is one finished run."""
    postgres_only()
    answers = together([lambda: post(login(town_a_user), {"year": 2018}) for _ in range(3)])
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {202, 422} and codes[0] == 202, codes
    for r in answers:
        if r.status_code == 422:
            assert "已有一次按新身份重算在排队或进行中" in r.json()["detail"]
    runs = OfficialResettlement.objects.filter(year=2018)
    assert runs.count() == codes.count(202)
    assert set(runs.values_list("state", flat=True)) == {"done"}
    assert split_of("ZYA") == dibao_split()
