"""信息比对 from the pages, set-based (COPY reads, Polars results, COPY writes): its stored findings,
counts and registry enrolment statuses equal those of the row-by-row path it replaced, kept here
verbatim (`old_*`) as the reference — for the county and a township (scope and area filter), on
SQLite and PostgreSQL."""

import datetime as dt

import pyarrow as pa
import pytest
from django.conf import settings
from django.db import transaction

from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.exchange import comparison, services
from fupin.exchange.models import ComparisonJob, ComparisonResult, Review
from fupin.insurance.models import EnrolmentRecord
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

AS_OF = dt.date(2026, 6, 30)
CHUNK = 5000
FIELDS = ("category", "insurance", "village_code", "person_id", "id_number", "name",
          "enrol_id_number", "enrol_name", "enrol_area_code", "score", "detail", "review")  # fmt: skip


# ---- the row-by-row path as it was before the set-based one (reference only) ----
def old_registry_table(area_code, user):
    qs = scoped(Person.objects.all(), user)
    if area_code:
        qs = qs.filter(village_code__range=village_code_range(area_code))
    cols = {k: [] for k in ("id_number", "name", "area_code", "status", "poor", "dibao", "tekun",
                            "severe_disability")}  # fmt: skip
    pks = []
    active = {str(s) for s in ACTIVE_STATUSES}
    for pk, idn, name, vc, status, dibao, tekun, severe in (
        qs.order_by("id")
        .values_list(
            "id",
            "id_number",
            "name",
            "village_code",
            "status",
            "dibao",
            "tekun",
            "severe_disability",
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    ):
        pks.append(pk)
        for k, v in zip(
            cols,
            (idn, name, vc, status, int(status in active), int(dibao), int(tekun), int(severe)),
            strict=True,
        ):
            cols[k].append(v)
    return pa.table(cols), pks


def old_enrolment_table():
    cols = {k: [] for k in ("id_number", "name", "area_code", "insurance", "enrolment_status",
                            "poverty_tag", "premium_subsidy", "deceased")}  # fmt: skip
    for row in EnrolmentRecord.objects.order_by("id").values_list(*cols).iterator(chunk_size=CHUNK):
        for k, v in zip(cols, row, strict=True):
            cols[k].append(int(v) if isinstance(v, bool) else v)
    return pa.table(cols)


def old_pad(code):
    return (code or "").ljust(12, "0")[:12]


def old_update_enrolment_status(results):
    groups = {}
    for r in results:
        status = services.ENROLMENT_OF.get(r.category)
        if status and r.person_id and r.insurance in ("pension", "medical"):
            groups.setdefault((r.insurance, status), []).append(r.person_id)
    for (insurance, status), ids in groups.items():
        for i in range(0, len(ids), CHUNK):
            Person.objects.filter(pk__in=ids[i : i + CHUNK]).update(
                **{f"{insurance}_status": status}
            )


def old_run(job, user):
    registry, pks = old_registry_table(job.area_code, user)
    enrolment = old_enrolment_table()
    engine = comparison.DuckDBEngine(threads=2)
    try:
        engine.load_arrow("registry", registry)
        engine.load_arrow("enrolment", enrolment)
        comparison.run(
            engine,
            comparison.Settings.from_pack(settings.COUNTY_POLICY_PACK, as_of=AS_OF),
            lambda n, total, label: None,
        )
        rows = engine.arrow(
            "SELECT * FROM results ORDER BY category, area_code, registry_row, enrolment_row"
        ).to_pylist()
    finally:
        engine.close()
    objs = []
    prefix = job.area_code
    for r in rows:
        person_id = pks[r["registry_row"] - 1] if r["registry_row"] else None
        village = old_pad(r["area_code"] or r["enrol_area_code"])
        if prefix and not village.startswith(prefix):
            continue
        objs.append(
            ComparisonResult(
                job=job, category=r["category"], insurance=r["insurance"] or "",
                village_code=village, person_id=person_id, id_number=r["id_number"] or "",
                name=(r["name"] or "")[:50], enrol_id_number=(r["enrol_id_number"] or "")[:24],
                enrol_name=(r["enrol_name"] or "")[:50],
                enrol_area_code=(r["enrol_area_code"] or "")[:12], score=r["score"],
                detail=(r["detail"] or "")[:200],
                review=Review.PENDING if r["category"] in services.REVIEWED else Review.NONE,
            )
        )  # fmt: skip
    summary = {c: 0 for c in comparison.CATEGORIES}
    by_town = {}
    for o in objs:
        summary[o.category] += 1
        town = by_town.setdefault(o.village_code[:9], {})
        town[o.category] = town.get(o.category, 0) + 1
    with transaction.atomic():
        ComparisonResult.objects.bulk_create(objs, batch_size=CHUNK)
        old_update_enrolment_status(objs)
    return summary, by_town, registry.num_rows, enrolment.num_rows


# ---- the comparison ----
def statuses():
    return {
        pk: (p, m)
        for pk, p, m in Person.objects.values_list("id", "pension_status", "medical_status")
    }


def stored(job):
    return [
        tuple(r)
        for r in ComparisonResult.objects.filter(job=job).order_by("id").values_list(*FIELDS)
    ]


def same_as_old(user):
    before = statuses()
    old_job = ComparisonJob.objects.create(
        area_code=services.area_code_of(user) or "", created_by=user
    )
    summary, by_town, reg_rows, enr_rows = old_run(old_job, user)
    after_old = statuses()
    assert after_old != before, "the reference path set no enrolment status: nothing compared"
    # Back to the statuses before, so the new path must set them itself.
    for pk, (p, m) in before.items():
        Person.objects.filter(pk=pk).update(pension_status=p, medical_status=m)
    job = ComparisonJob.objects.create(area_code=old_job.area_code, created_by=user)
    got = services.run_comparison(job, user=user, as_of=AS_OF)
    job.refresh_from_db()
    assert job.state == "done", job.message
    assert got == summary == job.summary
    assert job.by_township == by_town
    assert (job.registry_rows, job.enrolment_rows) == (reg_rows, enr_rows)
    expected, found = stored(old_job), stored(job)
    assert len(found) == len(expected) > 0
    assert found == expected  # same rows, in the same order
    assert statuses() == after_old
    return found


@pytest.fixture
def world(areas):
    from fupin.demo import builder
    from fupin.exchange import demo

    builder.build(households=120)
    demo.build()


def test_county_job_stores_what_the_row_by_row_path_stored(world, make_user):
    from fupin.access.models import Role

    user = make_user("same-county", Role.COUNTY, "360222", unmask=True)
    found = same_as_old(user)
    categories = {r[0] for r in found}
    assert {"matched", "id_mismatch_candidate", "tag_stale"} <= categories
    reviewed = [r for r in found if r[0] in services.REVIEWED]
    assert reviewed and all(r[-1] == Review.PENDING for r in reviewed)
    assert all(len(r[2]) == 12 and len(r[5]) <= 50 and len(r[7]) <= 50 for r in found)


def test_township_job_stores_what_the_row_by_row_path_stored(world, make_user):
    user = make_user("same-town", area="360222100")
    found = same_as_old(user)
    assert all(r[2].startswith("360222100") for r in found)
    outside = Person.objects.exclude(village_code__startswith="360222100").values_list(
        "id", flat=True
    )
    assert not {r[3] for r in found} & set(outside)


def test_job_of_an_empty_area_stores_nothing_and_counts_zero(areas, make_user):
    """No registered person and no extract row: typed empty frames all the way, a finished job."""
    user = make_user("empty-town", area="360222100")
    job = ComparisonJob.objects.create(area_code="360222100", created_by=user)
    summary = services.run_comparison(job, user=user, as_of=AS_OF)
    job.refresh_from_db()
    assert job.state == "done", job.message
    assert summary == job.summary == dict.fromkeys(comparison.CATEGORIES, 0)
    assert job.by_township == {} and (job.registry_rows, job.enrolment_rows) == (0, 0)
    assert not ComparisonResult.objects.filter(job=job).exists()
