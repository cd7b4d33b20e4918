"""Background jobs (Django Tasks): staging an import, merging it, running a comparison.

Each job keeps its progress on its own row (ImportJob / ComparisonJob) so pages can poll it.
"""

from django_tasks import task

from fupin.access.models import User

from .models import ComparisonJob, ImportJob, JobState


def _user(user_id):
    return User.objects.filter(pk=user_id).first() if user_id else None


@task()
def stage_task(job_id: int, user_id: int | None = None) -> dict:
    from . import imports

    job = ImportJob.objects.get(pk=job_id)
    try:
        return imports.stage(job, user=_user(user_id))
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(state=JobState.FAILED, message=f"读取或校验失败：{exc}")
        raise


@task()
def merge_task(job_id: int, user_id: int | None = None) -> dict:
    from . import imports

    job = ImportJob.objects.get(pk=job_id)
    try:
        return imports.merge(job, user=_user(user_id))
    except imports.ImportRefused:
        return {}


@task()
def comparison_task(job_id: int) -> dict:
    from . import services

    job = ComparisonJob.objects.get(pk=job_id)
    try:
        return services.run_comparison(job)
    except Exception as exc:
        services.fail_comparison(job_id, f"比对失败：{exc}")
        raise
