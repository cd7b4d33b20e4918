"""A complaint (with an escalation) in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from django.utils import timezone

from fupin.complaints.models import Complaint, Escalation, NoticeContact
from tests.access.marks import NOT_SHOWN, marker


def extend(world, users) -> None:
    now = timezone.now()
    for town, user in users.items():
        person = world[town]["person"]
        c = Complaint.objects.create(
            person=person,
            village_code=person.village_code,
            kind="complaint",
            category="other",
            channel="phone",
            subject=marker(town, Complaint),
            content=marker(town, Complaint),
            contact_name="联系人",
            filed_at=now - dt.timedelta(days=20),
            filed_by=user,
            pack_id="fuliang-2018",
            acknowledge_due=now - dt.timedelta(days=18),
            answer_due=now - dt.timedelta(days=5),
            level=2,
        )
        Escalation.objects.create(
            complaint=c,
            village_code=c.village_code,
            from_level=1,
            to_level=2,
            at=now - dt.timedelta(days=17),
            reason=marker(town, Escalation),
        )
        world[town]["complaint"] = c
        NoticeContact.objects.create(
            area_code=town + "000", name=marker(town, NoticeContact), phone="13900000001"
        )


def install(factory, extensions) -> None:
    extensions.append(extend)
    NOT_SHOWN[NoticeContact] = (
        "set up and read in the admin site only; texted by escalation "
        "(tests/complaints/test_notices.py::test_each_level_reached_texts_its_own_contacts)"
    )

    @factory(
        "complaints:detail",
        "portal:complaints:detail",
        "portal:complaints:rate",
        "/api/v1/complaints/{pk}",
        "/api/v1/complaints/{pk}/acknowledge",
        "/api/v1/complaints/{pk}/answer",
        "/api/v1/complaints/{pk}/satisfaction",
    )
    def _complaint(world, town):
        return {"pk": world[town]["complaint"].pk}

    @factory("complaints:act")
    def _act(world, town):
        return {"pk": world[town]["complaint"].pk, "action": "acknowledge"}
