"""A pensioner with this year's certification in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from fupin.certification.models import Certification
from fupin.insurance.models import PensionRecord
from tests.access.marks import marked_person, marker


def extend(world, users) -> None:
    today = dt.date.today()
    for town, user in users.items():
        p = marked_person(world[town]["household"], Certification)
        PensionRecord.objects.create(
            person=p,
            village_code=p.village_code,
            status="drawing",
            drawing_since=dt.date(2015, 1, 1),
        )
        Certification.objects.create(
            person=p,
            village_code=p.village_code,
            year=today.year,
            certified_on=today,
            method="in_person",
            note=marker(town, Certification),
            recorded_by=user,
        )
        world[town]["pensioner"] = p


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory("certification:certify", "/api/v1/certification/persons/{pk}")
    def _pensioner(world, town):
        return {"pk": world[town]["pensioner"].pk}
