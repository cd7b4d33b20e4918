import datetime as dt

import pytest

from fupin.registry.models import Person

# A fixed moment (instead of freezing the clock): every service takes `now`.
T0 = dt.datetime(2018, 3, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def resident(make_household):
    def make(town) -> Person:
        hh = make_household(town, members=2)
        return Person.objects.filter(household=hh).order_by("id").first()

    return make
