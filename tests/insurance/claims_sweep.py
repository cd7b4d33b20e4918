"""Stored claims, their imports and re-settlements in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from fupin.insurance.claims.models import (
    ClaimImport,
    ClaimImportRow,
    ClaimSplit,
    ClaimTrail,
    IdentityImport,
    IdentityImportRow,
    MedicalClaim,
    OfficialChange,
    OfficialResettlement,
    ResettledClaim,
    Resettlement,
    TrailFill,
)
from tests.access.marks import AREA_OF, MARKED_THROUGH, marker

AREA_OF[ClaimImportRow] = "job__area_code"
AREA_OF[IdentityImportRow] = "job__area_code"
MARKED_THROUGH[ResettledClaim] = "claim__hospital"
MARKED_THROUGH[ClaimSplit] = "claim__hospital"
MARKED_THROUGH[ClaimTrail] = "claim__hospital"
MARKED_THROUGH[OfficialChange] = "claim__hospital"


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        job = ClaimImport.objects.create(
            filename=marker(town, ClaimImport) + ".csv",
            content=b"",
            area_code=town,
            created_by=user,
            state="done",
        )
        ClaimImportRow.objects.create(
            job=job, row_no=2, claim_no=marker(town, ClaimImportRow), errors=[["结算单号", "测试"]]
        )
        claim = MedicalClaim.objects.create(
            claim_no="SW" + town,
            person=person,
            village_code=person.village_code,
            job=job,
            hospital=marker(town, MedicalClaim),
            visit_type="inpatient",
            hospital_level=2,
            admission_date=dt.date(2018, 3, 2),
            year=2018,
            total_fen=1_000_000,
            in_policy_fen=800_000,
        )
        ClaimSplit.objects.create(
            claim=claim,
            person_id=person.pk,
            year=2018,
            village_code=claim.village_code,
            basic_fen=900_000,
            critical_fen=0,
            assistance_fen=0,
            fallback_fen=0,
            self_fen=100_000,
            policy="fuliang",
            category="poor",
        )
        claim.hospital = (
            marker(town, MedicalClaim)
            + marker(town, ResettledClaim)
            + marker(town, ClaimSplit)
            + marker(town, OfficialChange)
            + marker(town, ClaimTrail)
        )
        claim.save(update_fields=["hospital"])
        run = Resettlement.objects.create(year=2018, policy="jining", area_code=town, note=marker(town, Resettlement),
                                          created_by=user, state="done", rows_total=1, rows_done=1)  # fmt: skip
        ResettledClaim.objects.create(run=run, claim=claim, village_code=claim.village_code, basic_fen=800_000,
                                      critical_fen=0, assistance_fen=0, fallback_fen=0, self_fen=200_000)  # fmt: skip
        official = OfficialResettlement.objects.create(
            year=2018,
            area_code=town,
            note=marker(town, OfficialResettlement),
            created_by=user,
            state="done",
            rows_total=1,
            rows_done=1,
            changed=1,
        )
        OfficialChange.objects.create(
            run=official,
            claim=claim,
            village_code=claim.village_code,
            old_category="general",
            new_category="poor",
            old_basic_fen=800_000,
            old_critical_fen=0,
            old_assistance_fen=0,
            old_fallback_fen=0,
            old_self_fen=200_000,
            basic_fen=900_000,
            critical_fen=0,
            assistance_fen=0,
            fallback_fen=0,
            self_fen=100_000,
        )
        ClaimTrail.objects.create(claim=claim, person_id=person.pk, year=2018, village_code=claim.village_code,
                                  policy="fuliang", steps=[{"layer": "基本医保", "rule": "住院", "detail": "",
                                                            "amount": 900_000, "source": ""}])  # fmt: skip
        fill = TrailFill.objects.create(area_code=town, year=2018, official_run=official, created_by=user,
                                        state="done", message=marker(town, TrailFill))  # fmt: skip
        ident = IdentityImport.objects.create(
            filename=marker(town, IdentityImport) + ".csv",
            content=b"",
            area_code=town,
            created_by=user,
            state="ready",
            rows_total=1,
            rows_rejected=1,
        )
        IdentityImportRow.objects.create(
            job=ident, row_no=2, errors=[["身份", "测试"]], reason=marker(town, IdentityImportRow)
        )
        world[town].update(claim_import=job, claim=claim, resettlement=run, identity_import=ident,
                           official_resettlement=official, trail_fill=fill)  # fmt: skip


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "insurance:claims_import",
        "insurance:claims_import_merge",
        "insurance:claims_import_progress",
        "insurance:claims_import_errors",
        "/api/v1/insurance/claim-imports/{pk}",
        "/api/v1/insurance/claim-imports/{pk}/confirm",
    )
    def _job(world, town):
        return {"pk": world[town]["claim_import"].pk}

    @factory(
        "insurance:claims_resettlement",
        "insurance:claims_resettlement_progress",
        "/api/v1/insurance/resettlements/{pk}",
        "/api/v1/insurance/resettlements/{pk}/comparison",
    )
    def _run(world, town):
        return {"pk": world[town]["resettlement"].pk}

    @factory(
        "insurance:claims_official_run",
        "insurance:claims_official_progress",
        "insurance:claims_official_export",
        "/api/v1/insurance/official-resettlements/{pk}",
        "/api/v1/insurance/official-resettlements/{pk}/changes",
        "/api/v1/insurance/official-resettlements/{pk}/changes.xlsx",
    )
    def _official(world, town):
        return {"pk": world[town]["official_resettlement"].pk}

    @factory(
        "insurance:claims_identity_import",
        "insurance:claims_identity_merge",
        "insurance:claims_identity_progress",
        "insurance:claims_identity_errors",
        "/api/v1/insurance/identity-imports/{pk}",
        "/api/v1/insurance/identity-imports/{pk}/confirm",
    )
    def _identity_job(world, town):
        return {"pk": world[town]["identity_import"].pk}

    @factory("registry:identity_add")
    def _identity_person(world, town):
        return {"pk": world[town]["person"].pk}

    @factory("registry:identity_end")
    def _identity_period(world, town):
        from fupin.registry.models import IdentityPeriod

        person = world[town]["person"]
        period = IdentityPeriod.objects.filter(
            person=person
        ).first() or IdentityPeriod.objects.create(
            person=person, identity="tekun", start=dt.date(2019, 1, 1), reason="sweep"
        )
        return {"pk": person.pk, "period": period.pk}

    @factory("insurance:claims_trail_fill")
    def _fill(world, town):
        return {"pk": world[town]["trail_fill"].pk}

    @factory("/api/v1/insurance/claims/{pk}")
    def _claim(world, town):
        return {"pk": world[town]["claim"].pk}
