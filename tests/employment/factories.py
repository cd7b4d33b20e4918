"""Small builders for employment tests and the scope sweep."""

import datetime as dt
import itertools

from fupin.creditcode import make_credit_code
from fupin.employment import occupations
from fupin.employment.models import Employer, Occupation, Posting
from fupin.registry.models import Person

_n = itertools.count(1)


def ensure_occupations() -> None:
    if not Occupation.objects.filter(code="6-02-06-10").exists():
        occupations.load(occupations.BUNDLED)


def employer(town: str, kind: str = "enterprise", name: str = "") -> Employer:
    ensure_occupations()
    n = next(_n)
    return Employer.objects.create(
        name=name or f"测试单位{n}",
        credit_code=make_credit_code(f"91360222{n:09d}"),
        kind=kind,
        area_code=town.ljust(12, "0"),
        contact_phone="0798-2000000",
    )


def posting(emp: Employer, **fields) -> Posting:
    today = dt.date.today()
    data = {
        "occupation_id": "6-02-06-10",
        "title": "茶叶加工工",
        "positions": 5,
        "wage_min_fen": 300000,
        "wage_max_fen": 400000,
        "work_area_code": emp.area_code,
        "work_place": "测试地点",
        "age_min": 16,
        "age_max": 64,
        "physical": "light",
        "accepts_disabled": True,
        "opens_on": today - dt.timedelta(days=30),
        "closes_on": today + dt.timedelta(days=90),
    }
    data.update(fields)
    return Posting.objects.create(employer=emp, **data)


def job_seeker(person: Person, **fields) -> Person:
    data = {
        "labour_skill": "general",
        "intention": "local",
        "status": "poor",
        "training_need": True,
        "wished_trade": "茶叶加工",
    }
    data.update(fields)
    Person.objects.filter(pk=person.pk).update(**data)
    return Person.objects.get(pk=person.pk)
