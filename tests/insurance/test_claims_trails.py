"""计算过程 in its own table (ClaimTrail), filled in the background (计算过程补写): the migration
moves the stored trails; an import leaves the trails to the fill; pages and the API show a stored
trail, or compute a missing one and check it against the split (a mismatching one is refused);
the fill runs once when delivered twice; on PostgreSQL a fill and a re-settle at once leave every
trail equal to its split."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fupin.insurance.claims import official, trails
from fupin.insurance.claims.models import (
    ClaimSplit,
    ClaimTrail,
    MedicalClaim,
    OfficialResettlement,
    TrailFill,
)
from fupin.policy import Claim, settle_claims
from fupin.registry.models import IdentityPeriod, Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv, run_import

OLD_STATE = [("insurance", "0014_import_progress_rows")]  # just before 0015_claim_trail
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def general_in(make_household, town) -> Person:
    p = Person.objects.get(household=make_household(town, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")
    return Person.objects.get(pk=p.pk)


def store_unfilled(user, *rows: str) -> TrailFill:
    """Import and merge the rows; inside a test's transaction the fill the merge queues on commit
    stays queued (not run)."""
    from fupin.insurance.claims import imports

    job = run_import(user, csv(*rows))
    assert job.rows_rejected == 0, [r.errors for r in job.rows.all()]
    imports.merge(job, user=user)
    return TrailFill.objects.get(claim_import=job)


def scalar_steps(person: Person) -> dict[str, list[dict]]:
    """Each claim's steps on the scalar path, from its stored identity (the whole person-year)."""
    claims = list(MedicalClaim.objects.with_split().filter(person=person).order_by("pk"))
    out = settle_claims(
        "fuliang",
        [Claim(str(c.pk), str(person.pk), c.category, c.visit_type, c.hospital_level, None, None,
               c.admission_date, c.total_fen, c.in_policy_fen) for c in claims],
    )  # fmt: skip
    return {
        c.claim_no: [{"layer": st.layer, "rule": st.rule, "detail": st.detail, "amount": st.amount,
                      "source": st.source} for st in s.steps]
        for c, s in zip(claims, out, strict=True)
    }  # fmt: skip


ROWS = (
    "T1,{id},,县医院,住院,二级,,2018-03-02,30000.00,25000.00",
    "T2,{id},,县医院,住院,三级,,2018-06-01,200000.00,180000.00",
)


@pytest.fixture
def unfilled(make_household, town_a_user):
    p = general_in(make_household, TOWN_A)
    fill = store_unfilled(town_a_user, *(r.format(id=p.id_number) for r in ROWS))
    return p, fill


def test_import_leaves_the_trails_to_a_fill_run_once(unfilled, town_a_user):
    p, fill = unfilled
    assert fill.state == "queued" and not ClaimTrail.objects.exists()
    assert all(
        c.settled_at and c.period for c in MedicalClaim.objects.with_split().filter(person=p)
    )
    # The import page shows the fill waiting, in Chinese.
    page = login(town_a_user).get(f"/insurance/claims/imports/{fill.claim_import_id}/")
    assert "计算过程补写（后台）" in page.content.decode() and "排队中" in page.content.decode()
    # Delivered twice: the second delivery finds the fill done and writes nothing.
    assert trails.fill_trails_task.call(fill.pk, town_a_user.pk) == {"written": 2, "mismatched": 0}
    assert trails.fill_trails_task.call(fill.pk, town_a_user.pk) == {}
    fill.refresh_from_db()
    assert (fill.state, fill.rows_total, fill.rows_done, fill.percent) == ("done", 2, 2, 100)
    assert fill.message == "补写计算过程 2 笔"
    assert ClaimTrail.objects.count() == 2
    want = scalar_steps(p)
    for t in ClaimTrail.objects.select_related("claim", "claim__split"):
        assert t.steps == want[t.claim.claim_no]
        s = t.claim.split  # the settlement the trail belongs to
        assert (t.person_id, t.year, t.village_code, t.policy, t.period, t.settled_at) == (
            p.pk, 2018, p.village_code, s.policy, s.period, s.settled_at,
        )  # fmt: skip
    # Another fill of the area has nothing to do.
    again = TrailFill.objects.create(area_code=TOWN_A, created_by=town_a_user)
    assert trails.fill_trails_task.call(again.pk, town_a_user.pk) == {
        "written": 0,
        "mismatched": 0,
    }
    again.refresh_from_db()
    assert again.message == "没有需要补写的计算过程"
    page = login(town_a_user).get(f"/insurance/claims/imports/{fill.claim_import_id}/")
    assert "已完成" in page.content.decode() and "补写计算过程 2 笔" in page.content.decode()


def test_page_and_api_compute_a_missing_trail_and_match_the_stored_one(
    unfilled, town_a_user, county_user
):
    p, fill = unfilled
    client = login(county_user)
    t1 = MedicalClaim.objects.with_split().get(claim_no="T1")
    before_page = client.get(f"/registry/persons/{p.pk}/").content.decode()
    assert trails.COMPUTED_NOTE in before_page and "计算过程（" in before_page
    before = client.get(f"/api/v1/insurance/claims/{t1.pk}").json()
    assert before["steps_note"] == trails.COMPUTED_NOTE and before["steps_warning"] == ""
    assert before["steps"]
    trails.fill_trails_task.call(fill.pk, town_a_user.pk)
    after_page = client.get(f"/registry/persons/{p.pk}/").content.decode()
    assert trails.COMPUTED_NOTE not in after_page and "计算过程（" in after_page
    after = client.get(f"/api/v1/insurance/claims/{t1.pk}").json()
    assert after["steps_note"] == "" and after["steps"] == before["steps"]
    # The self-pay step is the split's, in fen in the API.
    split = ClaimSplit.objects.get(pk=t1.pk)
    assert [s["amount_fen"] for s in after["steps"] if s["layer"] == "个人自付"] == [split.self_fen]


def test_a_missing_trail_that_disagrees_with_the_split_is_refused(unfilled, county_user):
    p, _ = unfilled
    t2 = MedicalClaim.objects.with_split().get(claim_no="T2")
    ClaimSplit.objects.filter(pk=t2.pk).update(basic_fen=1, self_fen=t2.total_fen - 1)
    page = login(county_user).get(f"/registry/persons/{p.pk}/").content.decode()
    assert "结算单 T2 的计算过程现算结果与正式分担不一致" in page
    assert trails.COMPUTED_NOTE in page  # T1 still agrees and is shown, marked
    detail = login(county_user).get(f"/api/v1/insurance/claims/{t2.pk}").json()
    assert detail["steps"] == [] and "不一致" in detail["steps_warning"]


def test_a_trail_of_another_settlement_is_not_shown(unfilled, town_a_user):
    """A stored trail whose settlement time is not the claim's is computed again, not shown."""
    p, fill = unfilled
    trails.fill_trails_task.call(fill.pk, town_a_user.pk)
    t1 = MedicalClaim.objects.with_split().get(claim_no="T1")
    ClaimTrail.objects.filter(pk=t1.pk).update(
        steps=[{"layer": "旧", "rule": "", "detail": "", "amount": 0, "source": ""}],
        settled_at=t1.settled_at - dt.timedelta(days=1),
    )
    shown = trails.shown_trails([t1])[t1.pk]
    assert shown.note == trails.COMPUTED_NOTE and shown.steps == scalar_steps(p)["T1"]


def test_an_abandoned_fill_is_marked_failed_in_chinese(unfilled, town_a_user):
    _, fill = unfilled
    TrailFill.objects.filter(pk=fill.pk).update(state="running")
    fill.refresh_from_db()
    assert trails.recover_abandoned(fill)
    assert fill.state == "failed" and "意外退出" in fill.message
    page = login(town_a_user).get(f"/insurance/claims/trail-fills/{fill.pk}/").content.decode()
    assert "失败" in page and "意外退出" in page


@pytest.mark.django_db(transaction=True)  # SQLite opens no schema editor inside a transaction
def test_the_migration_moves_each_stored_trail(make_household):
    person = make_household(TOWN_A, members=1).members.get()
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_STATE)
    old = executor.loader.project_state(OLD_STATE).apps.get_model("insurance", "MedicalClaim")
    steps = [{"layer": "基本医保", "rule": "住院", "detail": "(8000.00 − 400) × 75%",
              "amount": 570000, "source": "浮人社发[2018]6号"}]  # fmt: skip
    day = dt.datetime(2018, 4, 1, 8, tzinfo=dt.UTC)
    common = dict(person_id=person.pk, village_code=person.village_code, visit_type="inpatient",
                  hospital_level=2, admission_date=dt.date(2018, 3, 2), year=2018, total_fen=1_000_000,
                  in_policy_fen=800_000, category="general")  # fmt: skip
    settled = old.objects.create(claim_no="M1", policy="fuliang", period="2018-01-01 起（浮梁）",
                                 steps=steps, settled_at=day, **common)  # fmt: skip
    old.objects.create(claim_no="M2", steps=[], **common)  # never settled: no trail
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    (t,) = ClaimTrail.objects.all()
    assert (t.claim_id, t.steps, t.policy, t.period, t.settled_at) == (
        settled.pk, steps, "fuliang", "2018-01-01 起（浮梁）", day,
    )  # fmt: skip
    assert (t.person_id, t.year, t.village_code) == (person.pk, 2018, person.village_code)
    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(
            cur, MedicalClaim._meta.db_table)}  # fmt: skip
    assert "steps" not in columns


@pytest.mark.django_db(transaction=True)
def test_a_fill_and_a_resettle_at_once_on_postgresql(make_household, town_a_user):
    """A fill waits behind a re-settle holding the split table (queued after it on the lock), then
    checks against the new split: no trail is lost, none disagrees with its split."""
    from django.db import connections

    from tests.concurrency import postgres_only

    postgres_only()
    import threading
    import time

    p = general_in(make_household, TOWN_A)
    store_unfilled(town_a_user, *(r.format(id=p.id_number) for r in ROWS))
    # Out of a test transaction the import's fill ran on commit; a fill queued with the trails missing:
    ClaimTrail.objects.all().delete()
    fill = TrailFill.objects.create(area_code=TOWN_A, year=2018, created_by=town_a_user)
    IdentityPeriod.objects.create(
        person=p, identity="dibao", start=dt.date(2018, 1, 1), reason="民政认定"
    )
    run = OfficialResettlement.objects.create(year=2018, area_code=TOWN_A, created_by=town_a_user)
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cur:  # a chunk of another fill in progress
        cur.execute(f"LOCK TABLE {ClaimSplit._meta.db_table} IN SHARE MODE")

    def waiting() -> int:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                [ClaimSplit._meta.db_table],
            )
            return cur.fetchone()[0]

    def until(n: int) -> None:
        for _ in range(200):
            if waiting() >= n:
                return
            time.sleep(0.05)
        raise AssertionError("没有等到锁")

    def go(fn) -> None:
        try:
            fn()
        finally:
            connections.close_all()

    resettle = threading.Thread(target=go, args=(lambda: official.execute(run, user=town_a_user),))
    filler = threading.Thread(target=go, args=(lambda: trails.execute(fill, user=town_a_user),))
    try:
        resettle.start()
        until(1)
        filler.start()
        until(2)  # the fill waits behind the re-settle, not beside the blocker
    finally:
        blocker.rollback()
        blocker.close()
    resettle.join(30)
    filler.join(30)
    run.refresh_from_db()
    fill.refresh_from_db()
    assert run.state == "done" and run.changed == 2, run.message
    assert fill.state == "done" and fill.mismatched == 0, fill.message
    later = TrailFill.objects.get(official_run=run)
    trails.execute(later, user=town_a_user)  # the re-settle's own fill: nothing left
    later.refresh_from_db()
    assert later.state == "done" and later.mismatched == 0
    want = scalar_steps(p)
    stored = {t.claim.claim_no: t for t in ClaimTrail.objects.select_related("claim__split")}
    assert set(stored) == {"T1", "T2"}
    for no, t in stored.items():
        assert t.claim.split.category == "dibao" and t.steps == want[no]
        assert t.settled_at == t.claim.split.settled_at
        self_fen = ClaimSplit.objects.get(pk=t.claim_id).self_fen
        assert [s["amount"] for s in t.steps if s["layer"] == "个人自付"] == [self_fen]
