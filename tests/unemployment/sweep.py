"""Marked benefit drawings, imports, staged rows, runs and price subsidies in each township of
the scope sweep (tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

from fupin.unemployment.models import (
    BenefitDrawing,
    DrawingImport,
    DrawingRow,
    PriceIndex,
    PriceSubsidy,
    SubsidyRun,
)
from tests.access.marks import NOT_AREA_BOUND, marker

NOT_AREA_BOUND[PriceIndex] = "the province's monthly price index: one public value for everyone"


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        vc = person.village_code
        job = DrawingImport.objects.create(
            area_code=town,
            filename=marker(town, DrawingImport),
            state="ready",
            rows=1,
            message=marker(town, DrawingImport),
            created_by=user,
        )
        DrawingRow.objects.create(
            job=job,
            row_no=2,
            id_number=person.id_number,
            name=marker(town, DrawingRow),
            month="2018-03",
            benefit_fen=100000,
            person=person,
        )
        BenefitDrawing.objects.create(
            person=person, village_code=vc, month="2018-03", source=marker(town, BenefitDrawing)
        )
        run = SubsidyRun.objects.create(
            month="2018-03",
            area_code=town,
            pack_id="fuliang-2018",
            index_hundredths=10400,
            trigger_bp=350,
            triggered=True,
            message=marker(town, SubsidyRun),
            created_by=user,
        )
        PriceSubsidy.objects.create(
            person=person,
            village_code=vc,
            month="2018-03",
            amount_fen=4000,
            index_hundredths=10400,
            rule=marker(town, PriceSubsidy),
            run=run,
        )
        world[town].update(drawing_import=job)


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory("unemployment:import", "unemployment:import_confirm")
    def _job(world, town):
        return {"pk": world[town]["drawing_import"].pk}
