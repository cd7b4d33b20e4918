"""On PostgreSQL, two clerks recording the employer's repayments of one first payment at the same
moment, together more than is owed: the case row lock lets one in, the other is refused in Chinese."""

import datetime as dt

import pytest

from fupin.registry.models import Person
from fupin.workinjury import services as workinjury
from fupin.workinjury.models import Recovery
from tests.concurrency import postgres_only, together
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_repayments_at_once_never_exceed_what_is_owed(town_a_user, make_user, make_household):
    postgres_only()
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
    results = together(
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
