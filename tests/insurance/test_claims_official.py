"""按新身份重算某年 (issue 10 §5): a stored year settled again officially after the registry
identity or a 慢性病医疗证 changed — the set-based write-back, what changed (fen exact, xlsx),
audit, scope, bad input, one live run per year; and the 政策测算 queued on commit."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import transaction

from fupin.access.models import AuditEntry
from fupin.appraisal.models import CertificateChange
from fupin.insurance.claims import imports, official, resettle, settle, trails
from fupin.insurance.claims.models import (
    ClaimSplit,
    ClaimTrail,
    MedicalClaim,
    OfficialChange,
    OfficialResettlement,
    Resettlement,
    TrailFill,
)
from fupin.policy import Claim, settle_claims
from fupin.policy.quote import quote
from fupin.registry.models import IdentityPeriod, Person
from tests.conftest import TOWN_A, TOWN_B, login
from tests.insurance.claims_factories import certify, csv, run_import

PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def split_of(claim_no: str) -> tuple[int, ...]:
    s = ClaimSplit.objects.get(claim__claim_no=claim_no)
    return tuple(getattr(s, p) for p in PARTS)


def general_in(make_household, town) -> Person:
    p = Person.objects.get(household=make_household(town, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")
    return Person.objects.get(pk=p.pk)


def store(user, *rows: str) -> None:
    job = run_import(user, csv(*rows))
    assert job.rows_rejected == 0, [r.errors for r in job.rows.all()]
    imports.merge(job, user=user)


def expected(claim_no: str, category: str, chronic_class: str | None = None) -> tuple[int, ...]:
    """The split the county policy gives the stored claim for `category` (the policy's own quote)."""
    c = MedicalClaim.objects.with_split().get(claim_no=claim_no)
    record = {"claim_id": c.claim_no, "visit_type": c.visit_type, "hospital_level": c.hospital_level,
              "disease_code": c.disease_code or None, "admission_date": c.admission_date.isoformat(),
              "total_cost": f"{c.total_fen / 100:.2f}", "in_policy_cost": f"{c.in_policy_fen / 100:.2f}",
              "category": category, "chronic_class": chronic_class}  # fmt: skip
    return tuple(quote("fuliang", "", [record]).settlements[0].parts().values())


@pytest.fixture
def two_towns(make_household, town_a_user, town_b_user):
    """A general resident in each township with one 2018 inpatient claim, then a 低保 period from
    1 January 2018 recorded for both afterwards (民政名单更正)."""
    a, b = general_in(make_household, TOWN_A), general_in(make_household, TOWN_B)
    store(town_a_user, f"ZYA,{a.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00")
    store(town_b_user, f"ZYB,{b.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00")
    for p in (a, b):
        IdentityPeriod.objects.create(
            person=p, identity="dibao", start=dt.date(2018, 1, 1), reason="民政认定"
        )
    return a, b


def test_resettle_takes_the_new_identity_and_keeps_what_changed(two_towns, county_user):
    # Before: general resident, level 2, 8000 of 10000 in policy → by hand basic 5700.00, self 4300.00.
    assert split_of("ZYA") == (570000, 0, 0, 0, 430000)
    run = official.start(user=county_user, year=2018, area_code=TOWN_A, note="民政名单更正")
    run.refresh_from_db()
    assert run.state == "done", run.message
    assert (run.rows_total, run.changed) == (1, 1)
    claim = MedicalClaim.objects.with_split().get(claim_no="ZYA")
    assert claim.category == "dibao" and "低保" in claim.category_basis
    new = expected("ZYA", "dibao")
    assert new != (570000, 0, 0, 0, 430000) and split_of("ZYA") == new
    assert sum(new) == claim.total_fen
    # The old trail is gone; the one shown (computed now, checked) has the new self-pay.
    assert not ClaimTrail.objects.filter(pk=claim.pk).exists()
    shown = trails.shown_trails([claim])[claim.pk]
    assert shown.note == trails.COMPUTED_NOTE and not shown.warning
    assert [st["amount"] for st in shown.steps if st["layer"] == "个人自付"] == [new[4]]
    change = OfficialChange.objects.get(run=run)
    assert (change.old_category, change.new_category) == ("general", "dibao")
    assert tuple(getattr(change, f"old_{p}") for p in PARTS) == (570000, 0, 0, 0, 430000)
    assert tuple(getattr(change, p) for p in PARTS) == new
    # Only the township asked for: 鹅湖镇's claim keeps its stored identity and split.
    assert MedicalClaim.objects.with_split().get(claim_no="ZYB").category == "general"
    assert split_of("ZYB") == (570000, 0, 0, 0, 430000)
    summaries = list(
        AuditEntry.objects.filter(object_id=str(run.pk)).values_list("summary", flat=True)
    )
    assert any("发起" in s for s in summaries) and any(
        "完成" in s and "1 笔" in s for s in summaries
    )
    # Again: nothing changes any more.
    again = official.start(user=county_user, year=2018, area_code=TOWN_A)
    again.refresh_from_db()
    assert (again.state, again.changed, again.message) == ("done", 0, "重算 1 笔，均无变化")
    assert split_of("ZYA") == new


def test_county_run_settles_every_township(two_towns, county_user):
    run = official.start(user=county_user, year=2018)
    run.refresh_from_db()
    assert (run.state, run.rows_total, run.changed) == ("done", 2, 2)
    assert split_of("ZYA") == split_of("ZYB") == expected("ZYA", "dibao")


def test_chronic_class_corrected_afterwards(make_household, town_a_user):
    poor = Person.objects.get(household=make_household(TOWN_A, members=1))
    cert = certify(poor, town_a_user, "II", dt.date(2018, 2, 1))
    store(
        town_a_user,
        f"MZ1,{poor.id_number},,县医院,门诊慢性病,二级,I10,2018-03-10,20000.00,20000.00",
    )
    before = split_of("MZ1")
    assert before == expected("MZ1", "poor", "II")
    CertificateChange.objects.filter(certificate=cert).update(chronic_class="I")  # 鉴定结论更正
    run = official.start(user=town_a_user, year=2018)
    run.refresh_from_db()
    assert run.state == "done", run.message
    change = OfficialChange.objects.get(run=run)
    assert (change.old_chronic_class, change.new_chronic_class) == ("II", "I")
    assert split_of("MZ1") == expected("MZ1", "poor", "I") != before
    assert MedicalClaim.objects.with_split().get(claim_no="MZ1").chronic_class == "I"


def test_certificate_no_longer_valid_that_day_refuses_and_writes_nothing(
    make_household, town_a_user
):
    poor = Person.objects.get(household=make_household(TOWN_A, members=1))
    cert = certify(poor, town_a_user, "I", dt.date(2018, 2, 1))
    store(
        town_a_user, f"MZ2,{poor.id_number},,县医院,门诊慢性病,二级,I10,2018-03-10,1000.00,1000.00"
    )
    before = split_of("MZ2")
    CertificateChange.objects.filter(certificate=cert).update(effective_on=dt.date(2018, 4, 1))
    run = official.start(user=town_a_user, year=2018)
    run.refresh_from_db()
    assert run.state == "failed"
    assert "MZ2" in run.message and "慢性病医疗证" in run.message and "未改动" in run.message
    assert split_of("MZ2") == before and not OfficialChange.objects.exists()


@pytest.mark.parametrize(
    "year, area, fault",
    [
        ("9999", "", "超出范围"),
        ("1" + "0" * 30, "", "年度"),
        ("二〇一八", "", "年度"),
        ("2018", "36022210", "范围应为全县或一个乡镇"),
        ("2018", "360222100001", "范围应为全县或一个乡镇"),
        ("2018", "<script>", "范围应为全县或一个乡镇"),
        ("2017", "", "没有已入库的结算单"),
    ],
)
def test_bad_input_is_refused_in_chinese(two_towns, town_a_user, year, area, fault):
    client = login(town_a_user)
    r = client.post("/insurance/claims/official/", {"year": year, "area": area}, follow=True)
    assert r.status_code == 200
    assert fault in r.content.decode()
    assert not OfficialResettlement.objects.exists()


def test_another_townships_area_and_runs_are_out_of_reach(
    two_towns, town_a_user, town_b_user, county_user
):
    client = login(town_a_user)
    r = client.post("/insurance/claims/official/", {"year": "2018", "area": TOWN_B}, follow=True)
    assert r.status_code in (200, 403) and not OfficialResettlement.objects.exists()
    run = official.start(user=town_b_user, year=2018)
    for url in (f"/insurance/claims/official/{run.pk}/", f"/insurance/claims/official/{run.pk}/progress/",
                f"/insurance/claims/official/{run.pk}/export.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 404
    assert b"ZYB" not in client.get("/insurance/claims/official/").content
    # The county sees it; the read-only role may look but not start one.
    assert login(county_user).get(f"/insurance/claims/official/{run.pk}/").status_code == 200


def test_read_only_role_cannot_start(two_towns, make_user):
    viewer = make_user("viewer-a", "auditor", TOWN_A)
    r = login(viewer).post("/insurance/claims/official/", {"year": "2018"}, follow=True)
    assert "只读" in r.content.decode() and not OfficialResettlement.objects.exists()


def test_a_second_run_of_the_same_year_is_refused_while_one_is_live(
    two_towns, county_user, town_a_user
):
    OfficialResettlement.objects.create(
        year=2018, area_code=TOWN_B, created_by=county_user, state="running"
    )
    with pytest.raises(official.OfficialResettleError, match="已有一次按新身份重算在排队或进行中"):
        official.start(user=town_a_user, year=2018)
    assert OfficialResettlement.objects.count() == 1


def test_result_page_and_export_show_the_changed_amounts_exactly(two_towns, county_user):
    run = official.start(user=county_user, year=2018, area_code=TOWN_A)
    client = login(county_user)
    page = client.get(f"/insurance/claims/official/{run.pk}/").content.decode()
    new = expected("ZYA", "dibao")
    assert "ZYA" in page and f"{new[0] / 100:.2f}" in page and "5700.00" in page
    r = client.get(f"/insurance/claims/official/{run.pk}/export.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    header, *rows = list(ws.values)
    assert len(rows) == 1 and rows[0][3] == "ZYA"
    basic_old, basic_new, basic_diff = (
        rows[0][header.index(f"基本医保{w}(元)")] for w in ("原", "新", "差额")
    )
    assert (round(basic_old * 100), round(basic_new * 100), round(basic_diff * 100)) == (
        570000,
        new[0],
        new[0] - 570000,
    )
    assert "*" in rows[0][1]  # masked ID number by default
    assert AuditEntry.objects.filter(action="export").exists()


def test_progress_polls_and_refreshes_when_done(
    two_towns, county_user, django_capture_on_commit_callbacks
):
    client = login(county_user)
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        run = official.start(user=county_user, year=2018, area_code=TOWN_A)
    run.refresh_from_db()
    assert run.state == "queued" and len(queued) == 1  # queued on commit, not from the view
    r = client.get(f"/insurance/claims/official/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" in r.content.decode() and "HX-Refresh" not in r
    queued[0]()
    r = client.get(f"/insurance/claims/official/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and "有变化 1 笔" in r.content.decode()


def test_abandoned_run_is_failed_with_the_reason(two_towns, county_user):
    run = OfficialResettlement.objects.create(
        year=2018, area_code=TOWN_A, created_by=county_user, state="running"
    )
    r = login(county_user).get(f"/insurance/claims/official/{run.pk}/")
    run.refresh_from_db()
    assert run.state == "failed" and "意外退出" in run.message and "意外退出" in r.content.decode()
    official.start(user=county_user, year=2018)  # the year is free again


def test_policy_trial_is_queued_once_its_row_commits(
    two_towns, county_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued, transaction.atomic():
        run = resettle.start(user=county_user, year=2018, policy="jining")
    assert Resettlement.objects.get(pk=run.pk).state == "queued" and len(queued) == 1
    queued[0]()
    assert Resettlement.objects.get(pk=run.pk).state == "done"


@pytest.mark.django_db(transaction=True)
def test_concurrent_resettles_on_postgresql(make_household, town_a_user, county_user):
    """Four clicks on 开始重算 for 2018 while the first run waits for the split table (held here by
    another session, as an import writing its splits would): the others are refused in Chinese;
    a run of another year waits behind the same lock instead of overwriting; both finish after."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    import threading
    import time

    a = general_in(make_household, TOWN_A)
    store(town_a_user, f"ZYA,{a.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00",
          f"ZYC,{a.id_number},,县医院,住院,二级,,2019-03-02,10000.00,8000.00")  # fmt: skip
    IdentityPeriod.objects.create(
        person=a, identity="dibao", start=dt.date(2018, 1, 1), reason="民政认定"
    )
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cur:
        cur.execute(f"LOCK TABLE {ClaimSplit._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    pages: list[str] = []

    def click(year: int) -> None:
        r = login(county_user).post("/insurance/claims/official/", {"year": str(year)}, follow=True)
        pages.append(r.content.decode())
        connection.close()

    def wait_running(year: int) -> None:
        for _ in range(200):
            if OfficialResettlement.objects.filter(year=year, state="running").exists():
                return
            time.sleep(0.05)
        raise AssertionError(f"{year} 年度的重算没有开始")

    first = threading.Thread(target=click, args=(2018,))
    first.start()
    wait_running(2018)
    others = [threading.Thread(target=click, args=(2018,)) for _ in range(3)]
    other_year = threading.Thread(target=click, args=(2019,))
    for t in [*others, other_year]:
        t.start()
    for t in others:
        t.join()
    wait_running(2019)
    assert OfficialResettlement.objects.filter(year=2018).count() == 1
    assert sum("已有一次按新身份重算在排队或进行中" in p for p in pages) == 3
    assert split_of("ZYA") == (570000, 0, 0, 0, 430000)  # nothing written while the table is held
    blocker.rollback()
    blocker.close()
    first.join()
    other_year.join()
    runs = {r.year: r for r in OfficialResettlement.objects.all()}
    assert (runs[2018].state, runs[2018].changed) == ("done", 1)
    assert (runs[2019].state, runs[2019].changed) == ("done", 1)
    assert split_of("ZYA") == expected("ZYA", "dibao") and split_of("ZYC") == expected(
        "ZYC", "dibao"
    )


IDENTITY = ("policy", "period", "category", "category_basis", "chronic_class")


def test_identity_written_in_bulk_equals_the_per_claim_path(
    make_household, town_a_user, django_capture_on_commit_callbacks
):
    """A person-year across a mid-year change (低保 from 1 June): the re-settle writes each claim's
    identity with its split (one write-back) and deletes the person-year's trails; settling the person-year again claim
    by claim (`settle_person_years`, the ORM path) writes exactly the same policy, period and
    identity. The fill queued after the run writes every trail again, each equal to the scalar
    path's and its self-pay the written split's."""
    p = general_in(make_household, TOWN_A)
    q = general_in(make_household, TOWN_A)  # no change: his trail is not rewritten
    with django_capture_on_commit_callbacks(execute=True):
        store(
            town_a_user,
            f"T1,{p.id_number},,县医院,住院,二级,,2018-03-02,30000.00,25000.00",
            f"T2,{p.id_number},,县医院,住院,三级,,2018-06-01,200000.00,180000.00",
            f"T3,{p.id_number},,县医院,住院,一级,,2018-09-15,5000.00,4000.00",
            f"T4,{q.id_number},,县医院,住院,二级,,2018-06-01,10000.00,8000.00",
        )
    assert ClaimTrail.objects.count() == 4  # the import's fill
    IdentityPeriod.objects.create(
        person=p, identity="dibao", start=dt.date(2018, 6, 1), reason="民政认定"
    )
    untouched = ClaimTrail.objects.get(claim__claim_no="T4")
    with django_capture_on_commit_callbacks() as queued:
        run = official.start(user=town_a_user, year=2018)
    run.refresh_from_db()
    assert run.state == "done", run.message
    assert run.changed == 2  # T2, T3 (T1 before the period keeps its split and identity)
    # The run deleted the changed person-year's trails and queued the fill; T4 kept his.
    assert set(ClaimTrail.objects.values_list("claim__claim_no", flat=True)) == {"T4"}
    fill = TrailFill.objects.get(official_run=run)
    assert fill.state == "queued" and len(queued) == 1
    mine = {
        c.claim_no: tuple(getattr(c, f) for f in IDENTITY)
        for c in MedicalClaim.objects.with_split().filter(person=p)
    }
    assert mine["T1"][2] == "general" and mine["T2"][2] == mine["T3"][2] == "dibao"
    with transaction.atomic():
        settle.settle_person_years({(p.pk, 2018)})
        again = {
            c.claim_no: tuple(getattr(c, f) for f in IDENTITY)
            for c in MedicalClaim.objects.with_split().filter(person=p)
        }
        transaction.set_rollback(True)
    assert mine == again
    queued[0]()  # the fill, as the worker runs it
    fill.refresh_from_db()
    assert (fill.state, fill.rows_total, fill.rows_done, fill.mismatched) == ("done", 3, 3, 0)
    assert ClaimTrail.objects.get(claim__claim_no="T4").steps == untouched.steps
    claims = list(MedicalClaim.objects.with_split().filter(person=p).order_by("pk"))
    by_scalar = settle_claims(
        "fuliang",
        [Claim(str(c.pk), str(p.pk), c.category, c.visit_type, c.hospital_level, None, None,
               c.admission_date, c.total_fen, c.in_policy_fen) for c in claims],
    )  # fmt: skip
    for c, s in zip(claims, by_scalar, strict=True):
        t = ClaimTrail.objects.get(pk=c.pk)
        assert (t.settled_at, t.policy, t.period) == (c.settled_at, c.policy, c.period)
        assert t.steps == [{"layer": st.layer, "rule": st.rule, "detail": st.detail,
                            "amount": st.amount, "source": st.source} for st in s.steps]  # fmt: skip
        assert [x["amount"] for x in t.steps if x["layer"] == "个人自付"] == [
            split_of(c.claim_no)[4]
        ]


def test_a_trail_disagreeing_with_the_split_is_never_stored(
    two_towns, county_user, monkeypatch, django_capture_on_commit_callbacks
):
    """The fill checks the scalar path against the stored split to the fen: off by one fen, the
    claim gets no trail and is listed; the API warns instead of showing steps."""
    real = trails.settle_claims

    def off_by_one_fen(policy, claims, *args, **kwargs):
        out = real(policy, claims, *args, **kwargs)
        out[0].basic_pay += 1
        return out

    monkeypatch.setattr(trails, "settle_claims", off_by_one_fen)
    with django_capture_on_commit_callbacks(execute=True):
        run = official.start(user=county_user, year=2018)
    run.refresh_from_db()
    assert run.state == "done", run.message
    fill = TrailFill.objects.get(official_run=run)
    # The first claim of the chunk is off by a fen: refused and listed; the other one agrees.
    assert (fill.state, fill.mismatched) == ("done", 1), fill.message
    assert fill.mismatched_claims == ["ZYA"] and "不一致" in fill.message
    assert list(ClaimTrail.objects.values_list("claim__claim_no", flat=True)) == ["ZYB"]
    claim = MedicalClaim.objects.with_split().get(claim_no="ZYA")
    shown = trails.shown_trails([claim])[claim.pk]
    assert shown.steps == [] and "不一致" in shown.warning
    detail = login(county_user).get(f"/api/v1/insurance/claims/{claim.pk}").json()
    assert detail["steps"] == [] and "不一致" in detail["steps_warning"]
