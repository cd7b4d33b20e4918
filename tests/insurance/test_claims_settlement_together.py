"""正式结算 in one place: a stored claim's official split and the identity it was settled with live
together in `ClaimSplit` and are written together — 按新身份重算 never leaves a claim's category
beside another settlement's parts, a failed run leaves both as they were, a claim not settled yet
has neither, and migration 0017 moves the stored identities over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fupin.insurance.claims import official, store
from fupin.insurance.claims.models import (
    ClaimSplit,
    MedicalClaim,
    OfficialChange,
    OfficialResettlement,
)
from fupin.policy.quote import quote
from fupin.registry.models import IdentityPeriod
from tests.conftest import TOWN_A
from tests.insurance.test_claims_official import general_in
from tests.insurance.test_claims_official import store as import_claims

PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")
IDENTITY = ("policy", "period", "category", "category_basis", "chronic_class", "settled_at")


def record(c: MedicalClaim, category: str) -> dict:
    """The claim as a quote record (the policy's own settlement) under `category`."""
    return {"claim_id": c.claim_no, "person_id": str(c.person_id), "visit_type": c.visit_type,
            "hospital_level": c.hospital_level, "disease_code": c.disease_code or None,
            "admission_date": c.admission_date.isoformat(), "total_cost": f"{c.total_fen / 100:.2f}",
            "in_policy_cost": f"{c.in_policy_fen / 100:.2f}", "category": category, "chronic_class": None}  # fmt: skip


def settlements() -> dict[str, tuple]:
    """claim_no → (category, parts, the rest of the identity) as stored."""
    return {
        s.claim.claim_no: (s.category, tuple(getattr(s, p) for p in PARTS),
                           tuple(getattr(s, f) for f in IDENTITY))
        for s in ClaimSplit.objects.select_related("claim")
    }  # fmt: skip


@pytest.fixture
def year_with_a_change(make_household, town_a_user):
    """Two general residents with 2018 stays; then one of them is 低保 from 1 June (民政认定)."""
    p, q = general_in(make_household, TOWN_A), general_in(make_household, TOWN_A)
    import_claims(
        town_a_user,
        f"S1,{p.id_number},,县医院,住院,二级,,2018-03-02,30000.00,25000.00",
        f"S2,{p.id_number},,县医院,住院,三级,,2018-07-01,200000.00,180000.00",
        f"S3,{q.id_number},,县医院,住院,二级,,2018-07-01,10000.00,8000.00",
    )
    IdentityPeriod.objects.create(
        person=p, identity="dibao", start=dt.date(2018, 6, 1), reason="民政认定"
    )
    return p, q


def test_category_and_parts_come_from_the_same_settlement(year_with_a_change, town_a_user):
    before = settlements()
    run = official.start(user=town_a_user, year=2018)
    run.refresh_from_db()
    assert run.state == "done", run.message
    after = settlements()
    # Every claim's parts are the county policy's own quote of its person-year under the
    # categories stored beside them.
    for person in year_with_a_change:
        claims = list(
            MedicalClaim.objects.with_split().filter(person=person).order_by("admission_date")
        )
        quoted = quote("fuliang", "", [record(c, after[c.claim_no][0]) for c in claims]).settlements
        for c, q in zip(claims, quoted, strict=True):
            assert after[c.claim_no][1] == tuple(q.parts().values()), c.claim_no
    assert [after[no][0] for no in ("S1", "S2", "S3")] == ["general", "dibao", "general"]
    # The changed person-year carries the new settlement's identity (one time for all its claims);
    # the unchanged person-year keeps its stored settlement whole, time included.
    s1, s2 = (
        ClaimSplit.objects.get(claim__claim_no="S1"),
        ClaimSplit.objects.get(claim__claim_no="S2"),
    )
    assert s1.settled_at == s2.settled_at and s2.settled_at > before["S2"][2][5]
    assert "低保" in s2.category_basis and s2.policy == "fuliang" and s2.period
    assert after["S3"] == before["S3"]
    assert set(
        OfficialChange.objects.filter(run=run).values_list("claim__claim_no", flat=True)
    ) == {"S2"}
    # The pages' read (with_split) sees the same row.
    c = MedicalClaim.objects.with_split().get(claim_no="S2")
    assert (c.category, c.settled_at, c.split_self_fen) == ("dibao", s2.settled_at, s2.self_fen)


def test_a_failed_run_leaves_split_and_identity_whole(year_with_a_change, town_a_user, monkeypatch):
    before = settlements()

    def lost(*args: object) -> int:  # the process dies after the year was written back
        raise RuntimeError("连接中断")

    monkeypatch.setattr(store, "write_changes", lost)
    official.start(user=town_a_user, year=2018)  # the task fails (the worker logs it)
    run = OfficialResettlement.objects.get()
    assert run.state == "failed" and "正式结算未改动" in run.message
    assert settlements() == before
    assert not OfficialChange.objects.exists()


def test_a_claim_not_settled_has_no_settlement(make_household):
    p = general_in(make_household, TOWN_A)
    c = MedicalClaim.objects.create(
        claim_no="N1", person=p, village_code=p.village_code, visit_type="inpatient", hospital_level=2,
        admission_date=dt.date(2018, 3, 2), year=2018, total_fen=100_000, in_policy_fen=80_000,
    )  # fmt: skip
    read = MedicalClaim.objects.with_split().get(pk=c.pk)
    assert (read.category, read.policy, read.settled_at, read.split_self_fen) == ("", "", None, 0)
    assert not store.read_year(2018).height  # a re-settle reads settled claims only


OLD_STATE = [("insurance", "0016_official_change_no_triggers")]  # just before 0017


@pytest.mark.django_db(transaction=True)  # SQLite opens no schema editor inside a transaction
def test_the_migration_moves_each_stored_identity(make_household):
    person = make_household(TOWN_A, members=1).members.get()
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_STATE)
    apps = executor.loader.project_state(OLD_STATE).apps
    old, old_split = (
        apps.get_model("insurance", "MedicalClaim"),
        apps.get_model("insurance", "ClaimSplit"),
    )
    day = dt.datetime(2018, 4, 1, 8, tzinfo=dt.UTC)
    common = dict(person_id=person.pk, village_code=person.village_code, visit_type="chronic_outpatient",
                  hospital_level=2, admission_date=dt.date(2018, 3, 2), year=2018, total_fen=100_000,
                  in_policy_fen=80_000)  # fmt: skip
    settled = old.objects.create(claim_no="M1", policy="fuliang", period="2018-01-01 起（浮梁）",
                                 category="dibao", category_basis="低保（民政认定）", chronic_class="II",
                                 settled_at=day, **common)  # fmt: skip
    old_split.objects.create(claim_id=settled.pk, person_id=person.pk, year=2018, village_code=person.village_code,
                             basic_fen=60_000, critical_fen=0, assistance_fen=10_000, fallback_fen=0,
                             self_fen=30_000)  # fmt: skip
    waiting = old.objects.create(claim_no="M2", **common)  # imported, never settled (category "")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    s = ClaimSplit.objects.get(pk=settled.pk)
    assert (s.policy, s.period, s.category, s.category_basis, s.chronic_class, s.settled_at) == (
        "fuliang", "2018-01-01 起（浮梁）", "dibao", "低保（民政认定）", "II", day,
    )  # fmt: skip
    assert (s.basic_fen, s.assistance_fen, s.self_fen) == (60_000, 10_000, 30_000)
    assert not ClaimSplit.objects.filter(pk=waiting.pk).exists()
    assert MedicalClaim.objects.with_split().get(pk=waiting.pk).category == ""
    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(
            cur, MedicalClaim._meta.db_table)}  # fmt: skip
    assert not columns & set(IDENTITY)


@pytest.mark.django_db
def test_stored_claims_fill_their_pages_again():
    """Nothing rewrites a stored claim in place any more (the settlement is in ClaimSplit), so the
    half-empty pages migration 0004 kept for HOT updates are gone (0018): PostgreSQL's table has
    no fillfactor of its own."""
    if connection.vendor != "postgresql":
        pytest.skip("fillfactor is PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [MedicalClaim._meta.db_table],
        )
        (options,) = cur.fetchone()
    assert "fillfactor=100" in (options or []), options
