"""A marked job-insurance enrolment in each township of the scope sweep
(tests/access/test_scope_sweep.py)."""

from django.utils import timezone

from fupin.insurance.models import EnrolmentRecord
from fupin.registration.models import JobEnrolment, MarkBatch, MarkChange
from tests.access.marks import NOT_SHOWN, marker
from tests.exchange import sweep as _exchange_sweep  # noqa: F401  (its NOT_SHOWN entry first)

# The insurance extract's rows are now shown, scoped, on /registration/marks/ (贫困人员身份标注):
# the sweep checks them like any other page's records.
NOT_SHOWN.pop(EnrolmentRecord, None)


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        JobEnrolment.objects.create(
            person=person,
            village_code=person.village_code,
            insurance="work_injury",
            status="not_enrolled",
            employer=marker(town, JobEnrolment),
            note=marker(town, JobEnrolment),
            updated_by=user,
        )
        batch = MarkBatch.objects.create(
            area_code=town,
            note=marker(town, MarkBatch),
            prepared_by=user,
            prepared_at=timezone.now(),
        )
        MarkChange.objects.create(
            batch=batch,
            village_code=person.village_code,
            id_number=person.id_number,
            name=person.name,
            insurance="medical",
            action="new",
            reason=marker(town, MarkChange),
        )
        world[town]["mark_batch"] = batch


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "registration:mark_batch",
        "/api/v1/registration/mark-batches/{pk}",
        "/api/v1/registration/mark-batches/{pk}/confirm",
        "/api/v1/registration/mark-batches/{pk}/cancel",
    )
    def _batch(world, town):
        return {"pk": world[town]["mark_batch"].pk}

    @factory("registration:mark_batch_act")
    def _batch_act(world, town):
        return {"pk": world[town]["mark_batch"].pk, "action": "cancel"}
