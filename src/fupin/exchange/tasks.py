"""Background jobs (后台任务, Django Tasks): staging an import, merging it, running a comparison.

Each job keeps its progress on its own row (ImportJob / ComparisonJob) so pages can poll it.
Each acts for the user who launched it: `acting_user(user_id, job.area_code)` refuses a job
whose area is not that user's, and the job then reads through the scope layer as that user.
"""

from django_tasks import task

from fupin.access.scope import OutOfScope, acting_user

from .models import ComparisonJob, ImportJob, JobState


@task()
def stage_task(job_id: int, user_id: int) -> dict:
    from . import imports

    job = ImportJob.objects.get(pk=job_id)
    try:
        return imports.stage(job, user=acting_user(user_id, job.area_code))
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            state=JobState.FAILED, message=f"读取或校验失败：{exc}"
        )
        raise


@task()
def merge_task(job_id: int, user_id: int) -> dict:
    from . import imports

    job = ImportJob.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code)
    except OutOfScope as exc:
        ImportJob.objects.filter(pk=job_id).update(message=f"不能合并：{exc}")
        raise
    try:
        return imports.merge(job, user=user)
    except imports.ImportRefused:
        return {}


@task()
def comparison_task(job_id: int, user_id: int) -> dict:
    from . import services

    job = ComparisonJob.objects.get(pk=job_id)
    try:
        return services.run_comparison(job, user=acting_user(user_id, job.area_code))
    except Exception as exc:
        services.fail_comparison(job_id, f"比对失败：{exc}")
        raise
