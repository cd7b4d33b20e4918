"""A marked work-injury case and its evidence in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from fupin.workinjury.models import CaseEvidence, InjuryCase, Recovery
from tests.access.marks import marker


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        case = InjuryCase.objects.create(
            person=person,
            worker_name=person.name,
            worker_id_number=person.id_number,
            village_code=person.village_code,
            poor=True,
            employer_name="某建设工程有限公司",
            accident_on=dt.date.today(),
            accident_place="工地",
            injury=marker(town, InjuryCase),
            reported_at=timezone.now(),
            decision="recognised",
            first_payment_fen=100000,
            first_payment_on=dt.date.today(),
            pack_id="fuliang-2018",
            created_by=user,
        )
        ev = CaseEvidence(
            case=case,
            kind="permit",
            name="工作证.pdf",
            file_kind="pdf",
            size=9,
            sha256="0" * 64,
            note=marker(town, CaseEvidence),
            uploaded_by=user,
        )
        ev.file.save("sweep.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        Recovery.objects.create(
            case=case,
            kind="recovered",
            amount_fen=1000,
            on=dt.date.today(),
            note=marker(town, Recovery),
            recorded_by=user,
        )
        world[town].update(injury_case=case, injury_evidence=ev)


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "workinjury:case",
        "workinjury:case_upload",
        "workinjury:case_investigate",
        "workinjury:case_decide",
        "workinjury:case_first_payment",
        "workinjury:case_recovery",
        "workinjury:case_write_off",
        "/api/v1/workinjury/cases/{pk}",
        "/api/v1/workinjury/cases/{pk}/investigation",
        "/api/v1/workinjury/cases/{pk}/decision",
        "/api/v1/workinjury/cases/{pk}/first-payment",
        "/api/v1/workinjury/cases/{pk}/recovery",
        "/api/v1/workinjury/cases/{pk}/write-off",
    )
    def _case(world, town):
        return {"pk": world[town]["injury_case"].pk}

    @factory("workinjury:evidence")
    def _evidence(world, town):
        return {"pk": world[town]["injury_evidence"].pk}
