"""Two clerks at the same moment, on PostgreSQL: the application row lock (select_for_update) lets one
certificate through and refuses the other in Chinese; two applications for one person, one survives."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from fupin.appraisal import services
from fupin.appraisal.models import Application, Certificate
from fupin.registry.models import Person
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)


def _race(fn, n: int = 2) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            fn(i)
            results.append("ok")
        except services.AppraisalError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务；同一规则在 SQLite "
            "上由 test_workflow.py 顺序验证"
        )


def test_two_clerks_certify_at_once(postgres, make_household, county_user):
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    app = services.apply(
        user=county_user,
        person=person,
        chronic_class="I",
        diseases=["高血压"],
        day=dt.date(2018, 3, 1),
    )
    services.appraise(
        user=county_user,
        application=app,
        approved=True,
        day=dt.date(2018, 3, 5),
        appraiser="专家组",
    )
    results = _race(
        lambda i: services.certify(user=county_user, application=app, day=dt.date(2018, 3, 12))
    )
    assert sorted(results) == ["ok", "此申请处于“已发证”，不能改为“已发证”"], results
    assert Certificate.objects.filter(person=person).count() == 1


def test_two_applications_at_once(postgres, make_household, county_user):
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    results = _race(
        lambda i: services.apply(
            user=county_user,
            person=person,
            chronic_class="I",
            diseases=[f"病种{i}"],
            day=dt.date(2018, 3, 1),
        )
    )
    assert results.count("ok") == 1 and any("已有未办结的鉴定申请" in r for r in results), results
    assert Application.objects.filter(person=person).count() == 1
