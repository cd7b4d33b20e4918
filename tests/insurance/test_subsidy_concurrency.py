"""Two runs of one year and insurance started at the same moment (two clicks, page and API), on
PostgreSQL: they queue on a lock instead of interleaving, both finish, and the list is the one a
single run writes — nobody twice, nobody lost."""

import threading

import pytest
from django.db import connection, connections

from fupin.insurance import services
from fupin.insurance.models import SubsidyEntry, SubsidyRun
from tests.conftest import TOWN_A, TOWN_B

from .factories import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_runs_write_one_list(areas, county_user):
    if connection.vendor != "postgresql":
        pytest.skip(
            "需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务，两个计算无法真正同时进行"
        )
    people = [person(TOWN_A) for _ in range(20)] + [
        person(TOWN_B, status="exited") for _ in range(5)
    ]
    runs = [services.create_run(user=county_user, year=2018, insurance="medical") for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(run):
        try:
            barrier.wait(timeout=10)
            services.execute_run(run, user=county_user)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert set(SubsidyRun.objects.values_list("state", flat=True)) == {"done"}
    rows = list(
        SubsidyEntry.objects.filter(year=2018, insurance="medical").values_list(
            "person_id", "outcome", "amount_fen"
        )
    )
    assert len(rows) == len(people) == len({r[0] for r in rows})
    # 20 poor × 220 元 = 4400 元 = 440000 分; the 5 exited get nothing.
    assert sum(r[2] for r in rows) == 440000
    assert sum(r[1] == "excluded" for r in rows) == 5
