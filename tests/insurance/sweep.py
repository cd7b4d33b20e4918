"""Insurance records, 代缴 runs and their lists in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from fupin.insurance.models import (
    InsuranceChange,
    MedicalEnrolment,
    PensionRecord,
    SubsidyChange,
    SubsidyEntry,
    SubsidyRun,
)
from fupin.registry.models import IdentityPeriod
from tests.access.marks import MARKED_THROUGH, marked_person, marker

MARKED_THROUGH[SubsidyEntry] = "person__name"
MARKED_THROUGH[SubsidyChange] = "person__name"
# IdentityPeriod: listed on the person page (fupin.registry.identity.person_section).


def extend(world, users) -> None:
    for town, user in users.items():
        hh = world[town]["household"]
        person = world[town]["person"]
        PensionRecord.objects.create(
            person=person,
            village_code=person.village_code,
            status="paying",
            tier_fen=10000,
            paid_year=2018,
            paid_by="government",
            note=marker(town, PensionRecord),
        )
        MedicalEnrolment.objects.create(
            person=person,
            year=2018,
            village_code=person.village_code,
            enrolled_on=dt.date(2018, 1, 5),
            benefits_from=dt.date(2018, 2, 1),
            paid_by="government",
            note=marker(town, MedicalEnrolment),
        )
        InsuranceChange.objects.create(
            person=person,
            village_code=person.village_code,
            insurance="pension",
            before={},
            after={"status": "paying"},
            reason=marker(town, InsuranceChange),
            changed_by=user,
        )
        run = SubsidyRun.objects.create(
            year=2018,
            insurance="medical",
            area_code=town,
            pack_id="fuliang-2018",
            state="done",
            created_by=user,
            message=marker(town, SubsidyRun),
            rules={
                "poor": {
                    "rule": "fuliang-2018 subsidy.medical.entitled.poor",
                    "name": "建档立卡未标注脱贫贫困人口",
                    "amount_fen": 22000,
                    "source": "假设：测试",
                }
            },
        )
        listed = marked_person(hh, SubsidyEntry)
        SubsidyEntry.objects.create(
            year=2018,
            insurance="medical",
            scheme="premium",
            person=listed,
            village_code=listed.village_code,
            outcome="entitled",
            rule="poor",
            amount_fen=22000,
            run=run,
        )
        changed = marked_person(hh, SubsidyChange)
        SubsidyChange.objects.create(
            year=2018,
            insurance="medical",
            person=changed,
            village_code=changed.village_code,
            change="added",
            reason="",
            detail="poor",
            run=run,
        )
        world[town].update(subsidy_run=run, subsidy_person=listed)
        # 特殊身份期间: the dated 低保/特困 history the settlement reads a category from.
        IdentityPeriod.objects.create(
            person=person,
            identity="dibao",
            start=dt.date(2018, 1, 1),
            reason=marker(town, IdentityPeriod),
        )


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "insurance:subsidy_run",
        "insurance:subsidy_run_progress",
        "/api/v1/insurance/subsidy-runs/{pk}",
    )
    def _run(world, town):
        return {"pk": world[town]["subsidy_run"].pk}

    @factory(
        "insurance:person_records",
        "/api/v1/insurance/persons/{pk}",
        "/api/v1/insurance/persons/{pk}/pension",
        "/api/v1/insurance/persons/{pk}/medical",
    )
    def _person(world, town):
        return {"pk": world[town]["person"].pk}
