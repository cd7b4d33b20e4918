"""The official split in its own narrow table (`ClaimSplit`): an import writes its claims' rows,
`store.write_back` replaces a whole year (a fresh table swapped in on PostgreSQL) and leaves the
other years alone; pages and the API read the split from there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from fupin.insurance.claims import imports, selectors, store
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.insurance.claims.settle import county_policy
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv, run_import

PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


@pytest.fixture
def general(make_household):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")  # 已脱贫不再享受: a general resident
    return Person.objects.get(pk=p.pk)


def _split(pk: int) -> tuple:
    s = ClaimSplit.objects.get(pk=pk)
    return tuple(getattr(s, p) for p in PARTS)


def _import(user, person):
    rows = [f"Y19,{person.id_number},,县医院,住院,二级,,2019-05-02,10000.00,8000.00",
            f"Y18,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00"]  # fmt: skip
    job = run_import(user, csv(*rows))
    assert job.rows_rejected == 0, [r.errors for r in job.rows.all()]
    imports.merge(job, user=user)


def test_import_writes_the_split_table(general, town_a_user):
    _import(town_a_user, general)
    c = MedicalClaim.objects.with_split().get(claim_no="Y18")
    # 浮梁, general resident, level 2 (hand-worked in test_claims_resettle): basic 5700.00, self 4300.00.
    assert _split(c.pk) == (570000, 0, 0, 0, 430000)
    s = ClaimSplit.objects.get(pk=c.pk)
    assert (s.person_id, s.year, s.village_code) == (general.pk, 2018, general.village_code)
    row = selectors.claims(town_a_user).get(pk=c.pk)
    assert (row.split_basic_fen, row.split_self_fen) == (570000, 430000)


def test_write_back_replaces_one_year_and_keeps_the_others(general, town_a_user):
    _import(town_a_user, general)
    y19, y18 = (MedicalClaim.objects.with_split().get(claim_no=n).pk for n in ("Y19", "Y18"))
    # Spoil both years' rows: the 2018 write-back must put 2018 right and leave 2019 as it is.
    ClaimSplit.objects.update(basic_fen=1, self_fen=2)
    with transaction.atomic():
        results, skipped = store.settle_stored(store.read_year(2018), county_policy())
        assert skipped == 0 and results.height == 1
        assert store.write_back(2018, results) == 1
    assert _split(y18) == (570000, 0, 0, 0, 430000)
    assert _split(y19) == (1, 0, 0, 0, 2)
    assert ClaimSplit.objects.count() == 2
    # A second swap works as well (the fresh table's names are free again).
    with transaction.atomic():
        store.write_back(2018, results)
    assert _split(y18) == (570000, 0, 0, 0, 430000) and ClaimSplit.objects.count() == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1",
                [ClaimSplit._meta.db_table],
            )
            names = [r[0] for r in cur.fetchall()]
        assert names == [
            "claimsplit_person_year",
            "claimsplit_year_area",
            "insurance_claimsplit_pkey",
        ]


def test_pages_read_the_split_table(general, town_a_user):
    _import(town_a_user, general)
    c = MedicalClaim.objects.with_split().get(claim_no="Y18")
    # The claim row's own parts say one thing, the official table another: the API shows the table.
    ClaimSplit.objects.filter(pk=c.pk).update(basic_fen=123400, self_fen=876600)
    got = login(town_a_user).get(f"/api/v1/insurance/claims/{c.pk}").json()
    assert (got["basic_fen"], got["self_fen"]) == (123400, 876600)
    [total] = selectors.township_totals(selectors.claims(town_a_user).filter(year=2018))
    assert (total["basic_fen"], total["self_fen"], total["n"]) == (123400, 876600, 1)
    assert selectors.self_pay_flags([general.pk], 2018)[general.pk].self_pay_fen == 876600
    assert dt.date(2018, 3, 2) == c.admission_date
