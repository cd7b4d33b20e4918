"""People for the 代缴 tests: one person per household, with the birth date, status and flags a
case needs (written here, not derived from the code under test)."""

import datetime as dt
import itertools
import random

from fupin.demo.people import id_number
from fupin.registry.models import Household, Person
from tests.conftest import COUNTY, TOWN_A, village_of

_seq = itertools.count(1)


def person(
    town: str = TOWN_A, born: dt.date = dt.date(1970, 5, 1), status: str = "poor", **fields
) -> Person:
    n = next(_seq)
    hh = Household.objects.create(
        number=f"S{town}{n:05d}",
        village=village_of(town),
        year_identified=2016,
        main_cause="illness",
        status=status if status != "removed" else "poor",
    )
    used = set(Person.objects.values_list("id_number", flat=True))
    p = Person.objects.create(
        household=hh,
        id_number=id_number(random.Random(1000 + n), COUNTY, born, "男", used),
        name=fields.pop("name", f"代缴{n}号"),
        sex="男",
        birth_date=born,
        relation="head",
        status=status,
        **fields,
    )
    return p
