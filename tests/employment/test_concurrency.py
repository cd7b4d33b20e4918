"""一次性创业补贴只能享受一次 — under two simultaneous requests, on PostgreSQL.

Two threads, each with its own database connection, pass every check at the same moment
and both try to insert; the unique constraint lets exactly one through.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from fupin.creditcode import make_credit_code
from fupin.registry.models import Person
from fupin.startup import services
from fupin.startup.models import StartupSubsidy
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_requests_one_subsidy(make_household, county_user):
    if connection.vendor != "postgresql":
        pytest.skip(
            "需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务，两个请求无法真正同时写入；"
            "同一规则在 SQLite 上由 test_services.py 顺序验证"
        )
    hh = make_household(TOWN_A, members=1)
    person = Person.objects.get(household=hh)
    barrier = threading.Barrier(2)
    results: list[str] = []

    original = StartupSubsidy.objects.create

    def create_after_both_checked(**kwargs):
        barrier.wait(timeout=10)  # both requests have passed every check; now both insert
        return original(**kwargs)

    def request(n: int) -> None:
        try:
            services.grant_startup_subsidy(
                user=county_user,
                person=person,
                firm_name=f"茶店{n}",
                credit_code=make_credit_code(f"92360222ABCDEFG{n:02d}"),
                founded_on=dt.date.today() - dt.timedelta(days=400),
                first_firm=True,
            )
            results.append("granted")
        except services.StartupError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    StartupSubsidy.objects.create = create_after_both_checked
    try:
        threads = [threading.Thread(target=request, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        StartupSubsidy.objects.create = original
    assert sorted(results)[0] == "granted" and results.count("granted") == 1, results
    assert any("只能享受一次" in r for r in results)
    assert StartupSubsidy.objects.filter(person=person).count() == 1
