"""Stored claims: 转院连续计算起付线 across the New Year (issue 10), the audit case of
tests/policy/test_audit_transfer.py through an import under the county pack jilin-2017. A poor
patient admitted 2017-12-20 at level 2 (deductible 400) and transferred 2018-01-02 to level 3 (800)
pays 800 − 400 = 400 on the second stay in the stored split too, which equals `settle_claims` on
both claims together; 按新身份重算 and 政策测算 of 2018, the trail fill and the trail shown agree.

Hand figures (jilin-2017, poor): the December stay (10000 − 400) × 75% = 7200, assistance 1400,
self 1400; the January transfer (10000 − 400) × 65% = 6240, 大病 0 (a new year: 3760 < 6000),
assistance 1880, self 1880; a January stay that is no transfer (10000 − 800) × 65% = 5980,
assistance 2010, self 2010."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.insurance.claims import imports, official, resettle, store, trails
from fupin.insurance.claims.models import (
    ClaimSplit,
    ClaimTrail,
    MedicalClaim,
    OfficialChange,
    ResettledClaim,
    TrailFill,
)
from fupin.insurance.claims.settle import county_policy
from fupin.policy import Claim, settle_claims
from fupin.registry.models import Person
from tests.conftest import TOWN_A

HEADER = (
    "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,"
    "政策范围内费用,康复项目费用,转院接续"
)
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")
DECEMBER = (720000, 0, 140000, 0, 140000)
CONTINUED = (624000, 0, 188000, 0, 188000)  # 800 − 400 charged
WHOLE = (598000, 0, 201000, 0, 201000)  # the whole 800 charged


@pytest.fixture
def poor(make_household, settings) -> Person:
    settings.COUNTY_POLICY_PACK = "jilin-2017"
    return Person.objects.get(household=make_household(TOWN_A, members=1))


def merge(user, *rows: str) -> None:
    content = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    job = imports.stage(
        imports.create_import(user=user, filename="医院结算.csv", content=content), user=user
    )
    assert job.rows_rejected == 0, [(r.row_no, r.errors) for r in job.rows.all()]
    imports.merge(job, user=user)


def row(no: str, person: Person, level: str, day: str, transfer: str) -> str:
    return f"{no},{person.id_number},,县医院,住院,{level},I63,{day},10000.00,10000.00,,{transfer}"


def split(no: str) -> tuple:
    s = ClaimSplit.objects.get(claim__claim_no=no)
    return tuple(getattr(s, p) for p in PARTS)


def engine(*nos: str) -> dict[str, tuple]:
    """The engine's scalar path on the stored claims together (their recorded identity)."""
    claims = [MedicalClaim.objects.with_split().get(claim_no=n) for n in nos]
    settled = settle_claims(
        county_policy(),
        [Claim(str(c.pk), str(c.person_id), c.category, c.visit_type, c.hospital_level, None,
               c.disease_code, c.admission_date, c.total_fen, c.in_policy_fen, c.rehab_fen,
               c.transfer) for c in claims],
    )  # fmt: skip
    return {
        c.claim_no: (s.basic_pay, s.critical_pay, s.assistance_pay, s.fallback_pay, s.self_pay)
        for c, s in zip(claims, settled, strict=True)
    }


def stored_year(year: int) -> dict[str, tuple]:
    """The year settled again set-based (`store`: re-settle's and the bench's path)."""
    frame = store.read_year(year)
    results, skipped = store.settle_stored(frame, county_policy(), store.chain_context(frame))
    assert skipped == 0
    nos = dict(MedicalClaim.objects.with_split().values_list("pk", "claim_no"))
    return {nos[r["id"]]: tuple(r[p] for p in PARTS) for r in results.iter_rows(named=True)}


def test_one_file_across_the_new_year_charges_the_difference_only(poor, town_a_user):
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"),
          row("B", poor, "三级", "2018-01-02", "是"))  # fmt: skip
    assert (split("A"), split("B")) == (DECEMBER, CONTINUED)
    assert engine("A", "B") == {"A": DECEMBER, "B": CONTINUED}
    # The set-based path: 2018 alone gives the same (2017 read along, its rows not returned) …
    assert stored_year(2018) == {"B": CONTINUED}
    assert stored_year(2017) == {"A": DECEMBER}
    # … and without the earlier claims it would charge the whole 800.
    frame = store.read_year(2018)
    alone, _ = store.settle_stored(frame, county_policy())
    assert tuple(alone.row(0, named=True)[p] for p in PARTS) == WHOLE


def test_resettle_of_the_year_keeps_the_continued_deductible(poor, town_a_user, county_user):
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"),
          row("B", poor, "三级", "2018-01-02", "是"))  # fmt: skip
    run = official.start(user=county_user, year=2018, area_code=TOWN_A)
    run.refresh_from_db()
    assert (run.state, run.rows_total, run.changed) == ("done", 1, 0), run.message
    assert not OfficialChange.objects.exists()
    assert (split("A"), split("B")) == (DECEMBER, CONTINUED)
    # 政策测算 under the county's own region: the same split for the year's claim only.
    trial = resettle.start(user=town_a_user, year=2018, policy=county_policy().id)
    got = {r.claim.claim_no: tuple(getattr(r, p) for p in PARTS)
           for r in ResettledClaim.objects.filter(run=trial).select_related("claim")}  # fmt: skip
    assert got == {"B": CONTINUED}


def test_trail_fill_and_the_trail_shown_agree_with_the_split(poor, town_a_user):
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"),
          row("B", poor, "三级", "2018-01-02", "是"))  # fmt: skip
    b = MedicalClaim.objects.with_split().get(claim_no="B")
    # Computed now (the fill has not run): checked against the split, no warning.
    shown = trails.shown_trails([b])[b.pk]
    assert shown.note == trails.COMPUTED_NOTE and not shown.warning, shown.warning
    details = " ".join(st["detail"] + st["rule"] for st in shown.steps)
    assert "转院接续：此前已收 400.00 元，本次补足 400.00 元" in details
    assert [st["amount"] for st in shown.steps if st["layer"] == "个人自付"] == [CONTINUED[4]]
    # A fill of 2018 alone (2017's trail not asked for): B's trail written, none mismatched.
    fill = TrailFill.objects.create(area_code=TOWN_A, year=2018, created_by=town_a_user)
    assert trails.fill_trails_task.call(fill.pk, town_a_user.pk) == {"written": 1, "mismatched": 0}
    assert list(ClaimTrail.objects.values_list("claim__claim_no", flat=True)) == ["B"]
    assert ClaimTrail.objects.get(pk=b.pk).steps == shown.steps


def test_a_december_claim_imported_later_settles_the_january_transfer_again(poor, town_a_user):
    merge(town_a_user, row("B", poor, "三级", "2018-01-02", "是"))
    assert split("B") == WHOLE  # no stay before it: the whole 800
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"))
    assert (split("A"), split("B")) == (DECEMBER, CONTINUED)
    # B's old trail went with its old split; the fill writes both again, checked.
    fill = TrailFill.objects.order_by("-pk").first()
    assert trails.fill_trails_task.call(fill.pk, town_a_user.pk) == {"written": 2, "mismatched": 0}


def test_a_january_transfer_imported_after_december_continues_it(poor, town_a_user):
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"))
    a = MedicalClaim.objects.with_split().get(claim_no="A")
    merge(town_a_user, row("B", poor, "三级", "2018-01-02", "是"))
    assert (split("A"), split("B")) == (DECEMBER, CONTINUED)
    # The December claim was read along, not settled again.
    assert MedicalClaim.objects.with_split().get(claim_no="A").settled_at == a.settled_at


def test_a_january_stay_that_is_no_transfer_pays_its_whole_deductible(poor, town_a_user):
    merge(town_a_user, row("A", poor, "二级", "2017-12-20", "否"),
          row("B", poor, "三级", "2018-01-02", "否"))  # fmt: skip
    assert (split("A"), split("B")) == (DECEMBER, WHOLE)
    assert stored_year(2018) == {"B": WHOLE}


def test_another_persons_december_stay_is_no_chain(poor, make_household, town_a_user):
    other = Person.objects.get(household=make_household(TOWN_A, members=1))
    merge(town_a_user, row("A", other, "二级", "2017-12-20", "否"),
          row("B", poor, "三级", "2018-01-02", "是"))  # fmt: skip
    assert split("B") == WHOLE and stored_year(2018) == {"B": WHOLE}


def test_a_chain_reaches_back_two_years_when_each_began_with_a_transfer(poor, town_a_user):
    # 2017-12-28 level 1 (200); 2018-01-03 transferred to level 2 (400 − 200 = 200): the only stay
    # of 2018, so 2018 begins with a transfer; 2019-01-02 transferred to level 3 (800 − 400).
    merge(town_a_user, row("Z", poor, "一级", "2017-12-28", "否"),
          row("A", poor, "二级", "2018-01-03", "是"),
          row("B", poor, "三级", "2019-01-02", "是"))  # fmt: skip
    want = engine("Z", "A", "B")
    assert want["B"] == CONTINUED
    assert {n: split(n) for n in "ZAB"} == want
    assert stored_year(2019) == {"B": CONTINUED}
    # Read back from 2019: 2018 (began with a transfer), then 2017; one read each.
    context = store.chain_context(store.read_year(2019))
    assert sorted(context["admission_date"].to_list()) == [
        dt.date(2017, 12, 28),
        dt.date(2018, 1, 3),
    ]
