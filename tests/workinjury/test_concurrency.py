"""On PostgreSQL, two clerks recording the employer's repayments of one first payment at the same
moment, together more than is owed: the case row lock lets one in, the other is refused in Chinese."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from fupin.registry.models import Person
from fupin.workinjury import services as workinjury
from fupin.workinjury.models import Recovery
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务")


def _together(fns):
    barrier = threading.Barrier(len(fns))
    results = []

    def go(fn):
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 — the refusal is the result
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_repayments_at_once_never_exceed_what_is_owed(town_a_user, make_user, make_household):
    _postgres_only()
    person = Person.objects.filter(household=make_household(TOWN_A)).first()
    case = workinjury.report_case(
        user=town_a_user,
        person=person,
        employer_name="某公司",
        contract_signed=True,
        accident_on=dt.date.today(),
        accident_place="工地",
        injury="骨折",
    )
    workinjury.investigate(user=town_a_user, case=case, note="调查")
    workinjury.decide(user=town_a_user, case=case, decision="recognised", reason="属实")
    workinjury.grant_first_payment(user=town_a_user, case=case, amount_fen=10_000, reason="拒付")
    colleague = make_user("town-a2", "township", TOWN_A)
    results = _together(
        [
            lambda u=u: workinjury.record_recovery(
                user=u, case=case, amount_fen=6_000, received_on=dt.date.today()
            )
            for u in (town_a_user, colleague)
        ]
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "超过尚未追回的 40.00 元" in str(refused[0]), results
    assert list(Recovery.objects.values_list("amount_fen", flat=True)) == [6_000]
