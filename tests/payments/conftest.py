"""A test kind of payment: every registered person of the area is owed 500.00 元 a month
(50,000 fen, chosen by hand, not computed by fupin)."""

import pytest

from fupin.access.models import Role
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments import providers
from fupin.payments.providers import EntitlementLine, Kind
from fupin.registry.models import Person
from tests.conftest import COUNTY, TOWN_A, TOWN_B

MONTHLY_FEN = 50_000


def monthly_lines(*, user, period, area_code):
    persons = scoped(
        Person.objects.filter(village_code__range=village_code_range(area_code)), user
    ).order_by("id")
    for p in persons:
        yield EntitlementLine(
            kind="t_post",
            person_id=p.pk,
            period=period,
            amount_fen=MONTHLY_FEN,
            rule="test-pack employment.test_monthly",
            source="assumed: 测试用补贴",
            village_code=p.village_code,
        )


TEST_KIND = Kind(code="t_post", name="测试岗位补贴", unit="month", provider=monthly_lines)


@pytest.fixture
def kind():
    providers.register(TEST_KIND)
    yield TEST_KIND
    providers.unregister(TEST_KIND.code)


@pytest.fixture
def town_a_checker(make_user):
    return make_user("town-a-checker", Role.TOWNSHIP, TOWN_A)


@pytest.fixture
def county_approver(make_user):
    return make_user("county-approver", Role.COUNTY, COUNTY, unmask=True)


@pytest.fixture
def two_towns(make_household):
    """Two households of two in 浮梁镇 (4 persons) and one of three in 鹅湖镇."""
    return [make_household(TOWN_A, 2), make_household(TOWN_A, 2), make_household(TOWN_B, 3)]
