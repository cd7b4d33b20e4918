"""Two price-subsidy runs of one month at the same moment, and two clerks granting one case's
先行支付 at the same moment, on PostgreSQL: each person is computed once (unique person + month,
ON CONFLICT DO NOTHING) and the case row lock lets one grant through."""

import datetime as dt

import pytest

from fupin.registry.models import Person
from fupin.unemployment import services
from fupin.unemployment.models import BenefitDrawing, PriceSubsidy, SubsidyRun
from fupin.workinjury import services as workinjury
from fupin.workinjury.models import InjuryCase
from tests.concurrency import postgres_only, together
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)
MONTH = "2018-03"


def test_two_runs_at_once_compute_each_person_once(county_user, town_a_user, make_household):
    postgres_only()
    people = list(Person.objects.filter(household=make_household(TOWN_A, members=4)))
    for p in people:
        BenefitDrawing.objects.create(person=p, village_code=p.village_code, month=MONTH)
    services.set_price_index(user=county_user, month=MONTH, index="104")
    results = together(
        [
            lambda: services.run_month(user=county_user, month=MONTH),
            lambda: services.run_month(user=town_a_user, month=MONTH),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PriceSubsidy.objects.count() == 4
    assert sum(SubsidyRun.objects.values_list("created", flat=True)) == 4


def test_two_grants_at_once_one_first_payment(town_a_user, make_user, make_household):
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
    colleague = make_user("town-a2", "township", TOWN_A)
    results = together(
        [
            lambda u=u, a=a: workinjury.grant_first_payment(
                user=u, case=case, amount_fen=a, reason="拒付"
            )
            for u, a in ((town_a_user, 100_000), (colleague, 200_000))
        ]
    )
    refused = [r for r in results if isinstance(r, workinjury.WorkInjuryError)]
    assert len(refused) == 1 and "不能重复核定" in str(refused[0])
    assert InjuryCase.objects.get(pk=case.pk).first_payment_fen in (100_000, 200_000)
