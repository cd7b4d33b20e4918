"""Payment batches in each township of the scope sweep (tests/access/test_scope_sweep.py)."""

from functools import partial

from fupin.payments.models import Batch, BatchLine, Difference, ReturnFile
from tests.access.marks import NOT_SHOWN, marker

SHOWN_LATER = "no page yet: tests/payments/test_workflow.py::test_another_townships_batch_is_missing"


def extend(world, users) -> None:
    for town, user in users.items():
        m = partial(marker, town)
        person = world[town]["person"]
        batch = Batch.objects.create(kind="welfare_post", period="2018-03", area_code=town.ljust(12, "0"), preparer=user, note=m(Batch),
                                     state="paid", paid_reference="PAY-1", line_count=1, total_fen=50_000,
                                     town_totals={town: [1, 50_000]})
        line = BatchLine.objects.create(batch=batch, kind="sweep_kind", person=person, village_code=person.village_code, period="2018-03",
                                        amount_fen=50_000, rule="fuliang-2018 employment.welfare_post_monthly_subsidy", note=m(BatchLine),
                                        status="refused")
        Difference.objects.create(batch=batch, line=line, village_code=person.village_code, kind="refused", row_number=2,
                                  name=person.name, expected_fen=50_000, returned_fen=0, returned_text=m(Difference))
        ReturnFile.objects.create(batch=batch, area_code=batch.area_code, filename=m(ReturnFile), rows=1, imported_by=user)
        world[town].update(payment_batch=batch, payment_line=line)


def install(factory, extensions: list) -> None:
    extensions.append(extend)
    for model in (Batch, BatchLine, Difference, ReturnFile):
        NOT_SHOWN[model] = SHOWN_LATER
