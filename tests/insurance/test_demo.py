"""The demo county's 代缴: 2018 medical and pension runs done (with 2017 before them), 60+
back-pay cases and an early-pension case; building again gives the same lists."""

import pytest

from fupin.demo import builder
from fupin.exchange import demo as exchange_demo
from fupin.insurance import demo
from fupin.insurance.models import PensionRecord, SubsidyChange, SubsidyEntry, SubsidyRun


@pytest.fixture
def demo_county(db):
    builder.build(households=300)
    exchange_demo.build()
    return demo.build()


def lists():
    return sorted(
        SubsidyEntry.objects.values_list(
            "year",
            "insurance",
            "scheme",
            "person_id",
            "outcome",
            "rule",
            "reason",
            "amount_fen",
            "years",
        )
    )


def test_demo_runs_and_cases(demo_county):
    assert demo_county.startswith("社保代缴：2018 年度医疗保险应代缴")
    done = set(SubsidyRun.objects.filter(state="done").values_list("year", "insurance"))
    assert done == {(2017, "medical"), (2017, "pension"), (2018, "medical"), (2018, "pension")}
    assert (
        SubsidyEntry.objects.filter(year=2018, insurance="medical", outcome="entitled").count()
        > 100
    )
    back = SubsidyEntry.objects.filter(year=2018, scheme="back_pay", outcome="entitled")
    assert back.count() >= 3
    # Back-pay is (15 − years paid) × 100 元 at the minimum tier, for every case.
    for e in back:
        rec = PensionRecord.objects.filter(person_id=e.person_id).first()
        paid = rec.years_paid if rec else 0
        assert (e.years, e.amount_fen) == (15 - paid, (15 - paid) * 10000)
    assert SubsidyEntry.objects.filter(
        year=2018, scheme="early_pension", outcome="entitled"
    ).exists()
    assert PensionRecord.objects.exists()
    before, changes = lists(), SubsidyChange.objects.count()
    demo.build()
    assert lists() == before and SubsidyChange.objects.count() == changes
