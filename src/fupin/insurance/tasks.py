"""Background job (Django Tasks): the yearly 代缴 run, acting for the user who started it."""

from django_tasks import task

from fupin.access.scope import OutOfScope, acting_user

from . import subsidy_run
from .errors import InsuranceError
from .models import SubsidyRun


@task()
def subsidy_run_task(run_id: int, user_id: int) -> dict:
    run = SubsidyRun.objects.get(pk=run_id)
    try:
        user = acting_user(user_id, run.area_code)
    except OutOfScope as exc:
        subsidy_run.fail_run(run_id, f"不能计算：{exc}")
        raise
    try:
        return subsidy_run.execute_run(run, user=user)
    except InsuranceError:
        return {}  # the run row says why, in Chinese
