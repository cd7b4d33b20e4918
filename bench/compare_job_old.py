"""The 信息比对 job's row-by-row path before it went set-based (src/fupin/exchange/services.py at
596b36e: `_registry_table`, `_enrolment_table`, `_run_comparison`, `_update_enrolment_status`),
kept only so bench/compare_job.py can time the old path against the new one on the same data."""

# ruff: noqa
from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fupin.access.models import User
from fupin.access.scope import require_area, scoped
from fupin.areas.models import village_code_range
from fupin.exchange import comparison
from fupin.exchange.models import ComparisonJob, ComparisonResult, JobState, Review
from fupin.exchange.services import ENROLMENT_OF, REVIEWED
from fupin.insurance.models import EnrolmentRecord
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

CHUNK = 5000


def _registry_table(area_code: str, user: User) -> tuple[pa.Table, list[int]]:
    qs = scoped(Person.objects.all(), user)
    if area_code:
        qs = qs.filter(village_code__range=village_code_range(area_code))
    cols = {
        k: []
        for k in (
            "id_number",
            "name",
            "area_code",
            "status",
            "poor",
            "dibao",
            "tekun",
            "severe_disability",
        )
    }
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
        )
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


def _enrolment_table() -> pa.Table:
    cols = {
        k: []
        for k in (
            "id_number",
            "name",
            "area_code",
            "insurance",
            "enrolment_status",
            "poverty_tag",
            "premium_subsidy",
            "deceased",
        )
    }
    for row in EnrolmentRecord.objects.order_by("id").values_list(*cols).iterator(chunk_size=CHUNK):
        for k, v in zip(cols, row, strict=True):
            cols[k].append(int(v) if isinstance(v, bool) else v)
    return pa.table(cols)


def _pad(code: str | None) -> str:
    return (code or "").ljust(12, "0")[:12]


def _run_comparison(job: ComparisonJob, user: User, as_of: dt.date | None) -> dict:
    require_area(user, job.area_code)
    started = time.monotonic()

    def step(n: int, label: str) -> None:
        ComparisonJob.objects.filter(pk=job.pk).update(
            state=JobState.RUNNING, step=n, step_label=label
        )

    step(1, "读取建档立卡数据")
    registry, pks = _registry_table(job.area_code, user)
    step(2, "读取参保数据")
    enrolment = _enrolment_table()
    engine = comparison.DuckDBEngine(threads=2)
    try:
        engine.load_arrow("registry", registry)
        engine.load_arrow("enrolment", enrolment)
        summary = comparison.run(
            engine,
            comparison.Settings.from_pack(
                settings.COUNTY_POLICY_PACK, as_of=as_of or dt.date.today()
            ),
            lambda n, total, label: step(2 + n, label),
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
        village = _pad(r["area_code"] or r["enrol_area_code"])
        if prefix and not village.startswith(prefix):
            continue  # an enrolment row of another area: not this job's business
        objs.append(
            ComparisonResult(
                job=job,
                category=r["category"],
                insurance=r["insurance"] or "",
                village_code=village,
                person_id=person_id,
                id_number=r["id_number"] or "",
                name=(r["name"] or "")[:50],
                enrol_id_number=(r["enrol_id_number"] or "")[:24],
                enrol_name=(r["enrol_name"] or "")[:50],
                enrol_area_code=(r["enrol_area_code"] or "")[:12],
                score=r["score"],
                detail=(r["detail"] or "")[:200],
                review=Review.PENDING if r["category"] in REVIEWED else Review.NONE,
            )
        )
    summary = {c: 0 for c in comparison.CATEGORIES}
    by_town: dict[str, dict[str, int]] = {}
    for o in objs:
        summary[o.category] += 1
        town = by_town.setdefault(o.village_code[:9], {})
        town[o.category] = town.get(o.category, 0) + 1
    with transaction.atomic():
        ComparisonResult.objects.bulk_create(objs, batch_size=CHUNK)
        _update_enrolment_status(objs)
        ComparisonJob.objects.filter(pk=job.pk).update(
            state=JobState.DONE,
            step=job.steps,
            step_label="完成",
            summary=summary,
            by_township=by_town,
            registry_rows=registry.num_rows,
            enrolment_rows=enrolment.num_rows,
            finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 2),
        )
    job.refresh_from_db()
    return summary


def _update_enrolment_status(results: list[ComparisonResult]) -> None:
    """Person.pension_status / medical_status from the exact findings (set-based, a few UPDATEs)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for r in results:
        status = ENROLMENT_OF.get(r.category)
        if status and r.person_id and r.insurance in ("pension", "medical"):
            groups.setdefault((r.insurance, status), []).append(r.person_id)
    for (insurance, status), ids in groups.items():
        for i in range(0, len(ids), CHUNK):
            Person.objects.filter(pk__in=ids[i : i + CHUNK]).update(
                **{f"{insurance}_status": status}
            )
