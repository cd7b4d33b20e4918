"""Background jobs (Django Tasks) of 资金发放: preparing a batch and reconciling a return file,
acting for the user who started them."""

from django_tasks import task

from fupin.access.scope import OutOfScope, acting_user

from . import job_run
from .models import BatchJob


@task()
def batch_job_task(job_id: int, user_id: int) -> None:
    job = BatchJob.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code)
    except OutOfScope as exc:
        job_run.fail_unstartable(job_id, f"不能处理：{exc}")
        return
    job_run.run(job_id, user)
