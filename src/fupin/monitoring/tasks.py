"""The monitoring run (监测运行) as a background job (Django Tasks), acting for the user who started it."""

from django_tasks import task

from fupin.access.scope import acting_user


@task()
def monitoring_task(run_id: int, user_id: int) -> dict:
    from . import nightly
    from .models import MonitoringRun

    run = MonitoringRun.objects.get(pk=run_id)
    try:
        user = acting_user(user_id, run.area_code)
    except Exception as exc:
        nightly.fail_run(run_id, f"不能运行：{exc}")
        raise
    return nightly.run_monitoring(run, user=user)
