"""The demo's payment batches: one paid and reconciled, one with a difference of each kind open,
one waiting for review — each step taken by a different demo account."""

import pytest

from fupin.access.models import User
from fupin.demo import builder, hooks
from fupin.insurance import services as insurance
from fupin.payments import demo
from fupin.payments.models import Batch, BatchState, Difference


@pytest.fixture
def demo_batches(db):
    builder.build(households=300)
    hooks.run(*hooks.EMPLOYMENT_APPS)
    # The insurance module's 2018 medical 代缴 run, which its own builder makes before this one in
    # `fupin demo` (DEMO_BUILDERS order).
    county = User.objects.get(username="county")
    insurance.execute_run(
        insurance.create_run(user=county, year=2018, insurance="medical"), user=county
    )
    return demo.build()


def test_demo_batches(demo_batches):
    assert demo_batches.startswith("资金发放：")
    batches = {b.kind: b for b in Batch.objects.select_related("preparer", "reviewer", "approver")}
    welfare = batches["welfare_post"]
    assert (
        welfare.state == BatchState.RECONCILED
        and welfare.line_count > 0
        and welfare.preparer.username.startswith("town-")
    )
    assert len({welfare.preparer_id, welfare.reviewer_id, welfare.approver_id}) == 3
    assert not welfare.differences.exists() and set(
        welfare.lines.values_list("status", flat=True)
    ) == {"paid"}
    open_batch = batches["job_seeking"]
    assert (
        open_batch.state == BatchState.PAID
        and len({open_batch.preparer_id, open_batch.reviewer_id, open_batch.approver_id}) == 3
    )
    kinds = set(
        Difference.objects.filter(batch=open_batch, resolution="").values_list("kind", flat=True)
    )
    assert {"refused", "differs", "unknown"} <= kinds
    medical = batches["medical_premium"]  # the 2018 medical 代缴 of the insurance module's run
    assert (medical.period, medical.state) == (
        "2018",
        BatchState.RECONCILED,
    ) and medical.line_count > 0
    if "interest_subsidy" in batches:
        assert batches["interest_subsidy"].state == BatchState.PREPARED
