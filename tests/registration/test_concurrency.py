"""On PostgreSQL, two colleagues confirming one poverty-mark batch at the same moment: the batch row
lock lets one write back, the other is told it is done."""

import pytest

from fupin.access.models import AuditEntry
from fupin.insurance.models import EnrolmentRecord
from fupin.registration import services
from fupin.registration.models import MarkBatch
from fupin.registry.models import Person
from tests.concurrency import postgres_only, together
from tests.conftest import TOWN_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_checkers_at_once_one_write_back(town_a_user, make_user, make_household):
    postgres_only()
    people = list(Person.objects.filter(household=make_household(TOWN_A, members=3)))
    for p in people:
        EnrolmentRecord.objects.create(
            id_number=p.id_number,
            name=p.name,
            area_code=p.village_code,
            village_code=p.village_code,
            insurance="medical",
            enrolment_status="active",
            poverty_tag=False,
        )
    batch = services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=3)
    one, two = make_user("town-a2", "township", TOWN_A), make_user("town-a3", "township", TOWN_A)
    results = together(
        [
            lambda: services.confirm_marks(user=one, batch_id=batch.pk),
            lambda: services.confirm_marks(user=two, batch_id=batch.pk),
        ]
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "已回写" in str(refused[0]), results
    assert MarkBatch.objects.get().state == "applied"
    assert set(EnrolmentRecord.objects.values_list("poverty_tag", flat=True)) == {True}
    assert AuditEntry.objects.filter(object_type="markbatch", action="decision").count() == 1
