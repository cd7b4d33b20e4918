"""按新身份重算: the set-based identification (`settle.identify_frame`, joins over four reads) gives
every (person, day) the same category, basis and chronic class as the per-key path
(`settle.identity_of`, the person's timeline and certificate history looked up one by one) — on a
registry generated here at random: mid-year changes, overlapping periods, a period ending or
starting on the day, household-level and own status histories, several changes on one day, no
record at all, several certificates, revocations and hospital changes."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from fupin.appraisal.models import CertificateChange
from fupin.insurance.claims import settle
from fupin.registry.models import IdentityPeriod, Person, StatusChange
from tests.conftest import TOWN_A, TOWN_B
from tests.insurance.claims_factories import certify

D = dt.date
STATUSES = ["new", "poor", "exited_policy", "exited", "returned", "removed"]


def day_in(rng: random.Random, year: int = 2018) -> dt.date:
    return D(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def build(rng: random.Random, make_household, user, households: int) -> dict[int, set[dt.date]]:
    """A random registry; returns each person's days worth asking about (every boundary ±1 and a few
    random days)."""
    days: dict[int, set[dt.date]] = {}
    for h in range(households):
        hh = make_household(TOWN_A if h % 2 else TOWN_B, members=rng.randint(1, 3))
        members = list(Person.objects.filter(household=hh).order_by("pk"))
        marks: list[dt.date] = []
        if rng.random() < 0.5:  # the household's history, used by members with none of their own
            old = rng.choice(["", *STATUSES])
            for _ in range(rng.randint(1, 3)):
                new = rng.choice(STATUSES)
                when = day_in(rng)
                StatusChange.objects.create(household=hh, person=None, village_code=hh.village.code,
                                            old_status=old, new_status=new, effective_date=when,
                                            reason="测试")  # fmt: skip
                marks.append(when)
                old = new
        for p in members:
            own = list(marks)
            Person.objects.filter(pk=p.pk).update(
                status=rng.choice(STATUSES), dibao=rng.random() < 0.3, tekun=rng.random() < 0.2
            )
            if rng.random() < 0.4:  # an own history, some changes on the same day
                old = rng.choice(["", *STATUSES])
                same = day_in(rng)
                for _ in range(rng.randint(1, 4)):
                    new = rng.choice(STATUSES)
                    when = same if rng.random() < 0.4 else day_in(rng)
                    StatusChange.objects.create(household=hh, person=p, village_code=p.village_code,
                                                old_status=old, new_status=new, effective_date=when,
                                                reason="测试")  # fmt: skip
                    own.append(when)
                    old = new
            for _ in range(rng.choice([0, 0, 1, 2, 3])):  # periods: open, closed, overlapping
                start = day_in(rng)
                end = (
                    None if rng.random() < 0.3 else start + dt.timedelta(days=rng.randrange(0, 120))
                )
                IdentityPeriod.objects.create(person=p, identity=rng.choice(["dibao", "tekun"]),
                                              start=start, end=end, reason="测试")  # fmt: skip
                own += [start] + ([end] if end else [])
            if rng.random() < 0.4:  # a certificate, then changes: class, revocation, hospital
                first = day_in(rng)
                cert = certify(p, user, rng.choice(["I", "II"]), first)
                own.append(first)
                for _ in range(rng.randint(0, 3)):
                    kind = rng.choice(["disease_added", "revoked", "hospital", "issued"])
                    when = first if rng.random() < 0.3 else day_in(rng)
                    code = "" if kind == "revoked" else rng.choice(["I", "II"])
                    CertificateChange.objects.create(certificate=cert, person=p, village_code=p.village_code,
                                                     kind=kind, effective_on=when, chronic_class=code,
                                                     diseases="高血压", summary="测试", recorded_by=user)  # fmt: skip
                    own.append(when)
            asked = {day_in(rng) for _ in range(3)}
            for d in own:
                asked |= {d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)}
            days[p.pk] = asked
    return days


def per_key(days: dict[int, set[dt.date]]) -> dict[tuple[int, dt.date], tuple[str, str, str]]:
    keys = [(pid, d, "chronic_outpatient") for pid, ds in days.items() for d in ds]
    categories, classes = settle.identity_of(set(days), keys)
    return {
        (pid, d): (
            categories[(pid, d)].category,
            categories[(pid, d)].basis,
            classes.get((pid, d), ""),
        )
        for pid, d, _ in keys
    }


def set_based(days: dict[int, set[dt.date]]) -> dict[tuple[int, dt.date], tuple[str, str, str]]:
    keys = pl.DataFrame(
        [(pid, d) for pid, ds in days.items() for d in ds],
        schema={"person_id": pl.Int64, "admission_date": pl.Date},
        orient="row",
    )
    out = settle.identify_frame(keys)
    assert out.height == keys.height
    return {
        (r["person_id"], r["admission_date"]): (
            r["category"],
            r["category_basis"],
            r["chronic_class"],
        )
        for r in out.iter_rows(named=True)
    }


@pytest.mark.parametrize(
    "seed, pack", [(1, "fuliang-2018"), (2, "fuliang-2018"), (3, "jilin-2017"), (4, "jilin-2017")]
)
def test_set_based_identity_equals_the_per_key_one(
    db, make_household, county_user, settings, seed, pack
):
    # Both orders of categories (浮梁: 建档立卡 first; 吉林: 特困, 低保 first).
    settings.COUNTY_POLICY_PACK = pack
    days = build(random.Random(seed), make_household, county_user, households=25)
    want = per_key(days)
    got = set_based(days)
    assert got == want
    # The generated registry really exercises every branch.
    categories = {c for c, _, _ in want.values()}
    assert categories == {"general", "poor", "dibao", "tekun"}
    assert any(cls for _, _, cls in want.values())
    assert any("建档之前未在册" in b for _, b, _ in want.values())
    assert any("无起止日期记录" in b for _, b, _ in want.values())


def test_many_persons_read_whole_tables_on_sqlite(db, make_household, county_user, monkeypatch):
    """More persons than the IN-list limit: the tables are read whole and filtered — same answer,
    and persons not asked about are left out."""
    monkeypatch.setattr(settle, "ID_LIST_LIMIT", 3)
    days = build(random.Random(7), make_household, county_user, households=8)
    asked = dict(list(days.items())[: len(days) - 2])
    assert set_based(asked) == per_key(asked)


def test_edges_worked_by_hand(db, make_household, county_user):
    hh = make_household(TOWN_A, members=2)
    a, b = Person.objects.filter(household=hh).order_by("pk")
    Person.objects.filter(pk=a.pk).update(status="exited", dibao=True)
    IdentityPeriod.objects.create(
        person=a, identity="tekun", start=D(2018, 3, 1), end=D(2018, 3, 31), reason="t"
    )
    StatusChange.objects.create(household=hh, person=None, village_code=hh.village.code, old_status="",
                                new_status="poor", effective_date=D(2018, 6, 1), reason="t")  # fmt: skip
    cert = certify(b, county_user, "II", D(2018, 5, 1))
    CertificateChange.objects.create(certificate=cert, person=b, village_code=b.village_code, kind="revoked",
                                     effective_on=D(2018, 7, 1),
                                     chronic_class="", diseases="", summary="注销",
                                     recorded_by=county_user)  # fmt: skip
    got = set_based({a.pk: {D(2018, 2, 28), D(2018, 3, 1), D(2018, 3, 31), D(2018, 4, 1)},
                     b.pk: {D(2018, 4, 30), D(2018, 5, 1), D(2018, 6, 30), D(2018, 7, 1)}})  # fmt: skip
    # a: no 低保 period, registered 低保 now → 低保 outside the 特困 month; 特困 on its first and last day.
    assert got[(a.pk, D(2018, 2, 28))][:2] == ("dibao", "低保对象：无起止日期记录，按当前登记")
    assert got[(a.pk, D(2018, 3, 1))][:2] == (
        "tekun",
        "特困供养人员：特困供养人员 2018-03-01–2018-03-31",
    )
    assert got[(a.pk, D(2018, 3, 31))][0] == "tekun"
    assert got[(a.pk, D(2018, 4, 1))][0] == "dibao"
    # b: the household's history; certificate valid from its first day until the revocation.
    assert got[(b.pk, D(2018, 4, 30))] == (
        "general",
        "非建档立卡享受政策人员：2018-06-01 建档之前未在册",
        "",
    )
    assert got[(b.pk, D(2018, 5, 1))][2] == "II"
    assert got[(b.pk, D(2018, 6, 30))] == ("poor", "建档立卡：2018-06-01 起为“未脱贫”", "II")
    assert got[(b.pk, D(2018, 7, 1))][2] == ""
