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


def extend(world, users) -> None:
    for town, user in users.items():
        person = world[town]["person"]
        job = ImportJob.objects.create(kind="roster", filename="花名册.xlsx", content=b"", area_code=town, created_by=user,
                                       state=JobState.READY, counts={"new": 0, "changed": 0, "unchanged": 0, "rejected": 1})
        ImportRow.objects.create(job=job, row_no=3, action="rejected", name=person.name, id_number=person.id_number,
                                 errors=[["姓名", f"{person.name}：测试问题"]])
        cmp = ComparisonJob.objects.create(area_code=town, created_by=user, state=JobState.DONE, summary={"id_mismatch_candidate": 1})
        result = ComparisonResult.objects.create(job=cmp, category="id_mismatch_candidate", insurance="medical",
                                                 village_code=person.village_code, person=person, id_number=person.id_number,
                                                 name=person.name, enrol_name=person.name, review=Review.PENDING)
        world[town].update(import_job=job, comparison=cmp, finding=result)


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory("exchange:import", "exchange:import_progress", "exchange:import_confirm", "exchange:import_rejected",
             "/api/v1/exchange/imports/{pk}", "/api/v1/exchange/imports/{pk}/rejected", "/api/v1/exchange/imports/{pk}/confirm")
    def _import(world, town):
        return {"pk": world[town]["import_job"].pk}

    @factory("exchange:comparison", "exchange:comparison_progress", "exchange:comparison_tagfile",
             "/api/v1/exchange/comparisons/{pk}", "/api/v1/exchange/comparisons/{pk}/results")
    def _comparison(world, town):
        return {"pk": world[town]["comparison"].pk}

    @factory("exchange:comparison_results", "exchange:comparison_export")
    def _results(world, town):
        return {"pk": world[town]["comparison"].pk, "category": "id_mismatch_candidate"}

    @factory("exchange:review", "/api/v1/exchange/results/{pk}/review")
    def _finding(world, town):
        return {"pk": world[town]["finding"].pk}
