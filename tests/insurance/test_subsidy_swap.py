"""PostgreSQL: the county-wide run builds the year's list as a fresh partition and swaps it in.
Worked by hand: what lands where, what keeps its id, and that a run over unchanged data writes nothing.
On SQLite the same runs go through the plain table (the other tests compare the lists)."""

import pytest
from django.db import connection

from fupin.insurance import services
from fupin.insurance.models import SubsidyEntry
from tests.conftest import TOWN_A, TOWN_B

from .factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）：分区表只在 PostgreSQL 上")


def partitions() -> dict[str, int]:
    """Leaf partitions of the list holding rows, with their row counts."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_partition_tree('insurance_subsidyentry') t "
            "JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf"
        )
        names = [r[0] for r in cur.fetchall()]
        out = {}
        for n in names:
            cur.execute(f'SELECT COUNT(*) FROM "{n}"')
            out[n] = cur.fetchone()[0]
    return {n: k for n, k in out.items() if k}


def run(user, year=2018, insurance="medical"):
    r = services.create_run(user=user, year=year, insurance=insurance, pack_id="fuliang-2018")
    services.execute_run(r, user=user)
    r.refresh_from_db()
    return r


def test_township_rows_then_county_swap_keeps_ids(areas, town_a_user, county_user):
    a1, a2 = person(TOWN_A), person(TOWN_A)
    b1 = person(TOWN_B)
    # A township's run before the county's first one: its rows go to the default partition.
    first = run(town_a_user)
    assert partitions() == {"insurance_subsidyentry_medical_other": 2}
    ids = dict(SubsidyEntry.objects.values_list("person_id", "id"))
    # The county's run: one partition for 2018 medical with all three; 甲镇's two rows keep ids and run.
    county = run(county_user)
    assert partitions() == {"insurance_subsidyentry_medical_2018": 3}
    assert county.counts["written"] == {"inserted": 1, "updated": 0, "deleted": 0}
    rows = {p: (i, r) for p, i, r in SubsidyEntry.objects.values_list("person_id", "id", "run_id")}
    assert rows[a1.pk] == (ids[a1.pk], first.pk) and rows[a2.pk] == (ids[a2.pk], first.pk)
    assert rows[b1.pk][1] == county.pk and rows[b1.pk][0] > max(ids.values())
    # Nothing changed: nothing written, the same partition and rows.
    again = run(county_user)
    assert again.counts["written"] == {"inserted": 0, "updated": 0, "deleted": 0}
    assert {
        p: (i, r) for p, i, r in SubsidyEntry.objects.values_list("person_id", "id", "run_id")
    } == rows
    # One person exits: one row updated (same id, this run), the others untouched.
    type(a1).objects.filter(pk=a1.pk).update(status="exited")
    changed = run(county_user)
    assert changed.counts["written"] == {"inserted": 0, "updated": 1, "deleted": 0}
    e = SubsidyEntry.objects.get(person=a1)
    assert (e.id, e.run_id, e.outcome, e.amount_fen) == (ids[a1.pk], changed.pk, "excluded", 0)
    assert SubsidyEntry.objects.get(person=a2).run_id == first.pk
    assert partitions() == {"insurance_subsidyentry_medical_2018": 3}
    # Other years and the other insurance stay where they were.
    run(county_user, year=2017)
    assert partitions() == {
        "insurance_subsidyentry_medical_2018": 3,
        "insurance_subsidyentry_medical_2017": 3,
    }
    # An entry written through Django (the ORM) lands in the right partition and reads back.
    assert SubsidyEntry.objects.filter(year=2018, insurance="medical").count() == 3


def test_a_failed_swap_leaves_the_stored_partition(areas, county_user, monkeypatch):
    person(TOWN_A)
    first = run(county_user)
    before = list(SubsidyEntry.objects.values_list("id", "run_id", "outcome"))
    type(SubsidyEntry.objects.get().person).objects.update(status="exited")
    from fupin.insurance import entitlements

    real = entitlements._tally

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("断电")

    monkeypatch.setattr(entitlements, "_tally", broken)
    r = services.create_run(user=county_user, year=2018, insurance="medical")
    with pytest.raises(RuntimeError):
        services.execute_run(r, user=county_user)
    assert list(SubsidyEntry.objects.values_list("id", "run_id", "outcome")) == before
    assert partitions() == {"insurance_subsidyentry_medical_2018": 1}
    assert first.pk != r.pk
