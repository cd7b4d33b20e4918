"""Background job (Django Tasks): a re-settlement (政策测算), acting for the user who started it."""

from django_tasks import task

from fupin.access.scope import OutOfScope, acting_user

from .models import Resettlement


@task()
def resettle_task(run_id: int, user_id: int) -> dict:
    from . import resettle

    run = Resettlement.objects.get(pk=run_id)
    try:
        acting_user(user_id, run.area_code)  # the run reads only inside this area (store.read_year)
    except OutOfScope as exc:
        resettle.fail(run_id, f"不能测算：{exc}")
        return {}
    return resettle.execute(run)
