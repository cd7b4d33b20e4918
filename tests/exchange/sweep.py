"""Import jobs, comparison jobs and findings in each township of the scope sweep
(tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

from fupin.exchange.models import (
    ComparisonJob,
    ComparisonResult,
    ImportJob,
    ImportRow,
    JobState,
    Review,
)
from fupin.insurance.models import EnrolmentRecord
from tests.access.marks import AREA_OF, NOT_SHOWN, marker

AREA_OF[ImportRow] = "job__area_code"  # a staged row belongs to its import job's area
NOT_SHOWN[EnrolmentRecord] = (
    "the insurance extract is read whole only by the comparison task (tests/tasks/test_task_scope.py); "
    "what it finds is a ComparisonResult, swept"
)


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        job = ImportJob.objects.create(
            kind="roster",
            filename=marker(town, ImportJob),
            content=b"",
            area_code=town,
            created_by=user,
            state=JobState.READY,
            counts={"new": 0, "changed": 0, "unchanged": 0, "rejected": 1},
        )
        ImportRow.objects.create(
            job=job,
            row_no=3,
            action="rejected",
            name=marker(town, ImportRow),
            id_number=person.id_number,
            errors=[["姓名", f"{marker(town, ImportRow)}：测试问题"]],
        )
        cmp = ComparisonJob.objects.create(
            area_code=town,
            created_by=user,
            state=JobState.DONE,
            summary={"id_mismatch_candidate": 1},
            message=marker(town, ComparisonJob),
        )
        result = ComparisonResult.objects.create(
            job=cmp,
            category="id_mismatch_candidate",
            insurance="medical",
            village_code=person.village_code,
            person=person,
            id_number=person.id_number,
            name=person.name,
            enrol_name=marker(town, ComparisonResult),
            review=Review.PENDING,
        )
        EnrolmentRecord.objects.create(
            id_number=person.id_number,
            name=marker(town, EnrolmentRecord),
            area_code=person.village_code,
            village_code=person.village_code,
            insurance="medical",
            enrolment_status="active",
        )
        world[town].update(import_job=job, comparison=cmp, finding=result)


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "exchange:import",
        "exchange:import_progress",
        "exchange:import_confirm",
        "exchange:import_rejected",
        "/api/v1/exchange/imports/{pk}",
        "/api/v1/exchange/imports/{pk}/rejected",
        "/api/v1/exchange/imports/{pk}/confirm",
    )
    def _import(world, town):
        return {"pk": world[town]["import_job"].pk}

    @factory(
        "exchange:comparison",
        "exchange:comparison_progress",
        "exchange:comparison_tagfile",
        "/api/v1/exchange/comparisons/{pk}",
        "/api/v1/exchange/comparisons/{pk}/results",
    )
    def _comparison(world, town):
        return {"pk": world[town]["comparison"].pk}

    @factory("exchange:comparison_results", "exchange:comparison_export", "exchange:bulk_review")
    def _results(world, town):
        return {"pk": world[town]["comparison"].pk, "category": "id_mismatch_candidate"}

    @factory("exchange:review", "/api/v1/exchange/results/{pk}/review")
    def _finding(world, town):
        return {"pk": world[town]["finding"].pk}
