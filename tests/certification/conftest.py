import datetime as dt

import pytest

from fupin.insurance.models import PensionRecord, PensionStatus
from fupin.registry.models import Person


@pytest.fixture
def pensioner(make_household):
    """make(town) → a person drawing the resident pension since 2015 (direct ORM)."""

    def make(town, since=dt.date(2015, 3, 1), status=PensionStatus.DRAWING) -> Person:
        hh = make_household(town, members=1)
        p = Person.objects.filter(household=hh).get()
        PensionRecord.objects.create(
            person=p,
            village_code=p.village_code,
            status=status,
            drawing_since=since,
            monthly_amount_fen=10500,
        )
        return p

    return make
