"""Portal records in each township of the scope sweep (tests/access/test_scope_sweep.py), and the URL
kwargs that reach them. Resident routes (views wrapped in `resident_required`) are walked there as a
resident of each township's marked household."""

import datetime as dt

from django.utils import timezone

from fupin.portal.models import Assistance, LoginCode, ResidentRequest, SmsOutbox
from tests.access.marks import NOT_AREA_BOUND, NOT_SHOWN, marker


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        world[town]["assistance"] = Assistance.objects.create(
            person=person,
            village_code=person.village_code,
            assistant=user,
            mode="station",
            authorisation="code",
            note=marker(town, Assistance),
        )
        world[town]["resident_request"] = ResidentRequest.objects.create(
            person=person,
            village_code=person.village_code,
            kind="training",
            detail={"wished_trade": "电工"},
            note=marker(town, ResidentRequest),
            due_on=dt.date.today() + dt.timedelta(days=15),
            rule="test",
        )
        SmsOutbox.objects.create(
            purpose="consent",
            person=person,
            nonce="0" * 32,
            assistant_name=marker(town, SmsOutbox),
            created_at=timezone.now(),
        )


def install(factory, extensions) -> None:
    extensions.append(extend)
    NOT_AREA_BOUND[LoginCode] = "keyed hashes of ID, phone and code only; never shown"
    NOT_SHOWN[SmsOutbox] = (
        "a code message waiting for its job, erased when sent; read only by the job "
        "(tests/portal/test_login.py::test_no_phone_or_code_in_the_task_table_or_the_outbox)"
    )

    @factory("portal:claim")
    def _claim(world, town):
        return {"pk": world[town]["claim"].pk}

    @factory("portal:assist_record", "portal:assist_photo")
    def _assistance(world, town):
        return {"pk": world[town]["assistance"].pk}

    @factory("portal:request", "portal:staff_request")
    def _request(world, town):
        return {"pk": world[town]["resident_request"].pk}
