"""Reads of the exchange module (数据交换与比对); area scope through access.scope, as everywhere."""

from django.db.models import QuerySet

from fupin.access.models import User
from fupin.access.scope import get_scoped, scoped
from fupin.areas.models import village_code_range

from .models import ComparisonJob, ComparisonResult, ImportJob, ImportRow


def import_jobs(user: User) -> QuerySet:
    return scoped(ImportJob.objects.defer("content"), user)


def import_job(user: User, pk: int) -> ImportJob:
    return get_scoped(ImportJob.objects.defer("content"), user, pk=pk)


def rejected_rows(job: ImportJob) -> QuerySet:
    return ImportRow.objects.filter(job=job, action="rejected").order_by("row_no")


def comparison_jobs(user: User) -> QuerySet:
    return scoped(ComparisonJob.objects.all(), user)


def comparison_job(user: User, pk: int) -> ComparisonJob:
    return get_scoped(ComparisonJob.objects.all(), user, pk=pk)


def results(
    user: User, job: ComparisonJob | None = None, category: str = "", area: str = ""
) -> QuerySet:
    """Findings inside the user's area (a county job's findings are cut to a township user's area)."""
    qs = scoped(ComparisonResult.objects.all(), user)
    if job is not None:
        qs = qs.filter(job=job)
    if category:
        qs = qs.filter(category=category)
    if area and area.isdigit() and len(area) in (6, 9, 12):
        qs = qs.filter(village_code__range=village_code_range(area))
    return qs
