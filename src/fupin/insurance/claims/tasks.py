"""Background jobs (Django Tasks), each acting for the user who started it: reading and checking
an uploaded claims file, a re-settlement (政策测算), and an official re-settle of a year with the
persons' identity as it now stands (按新身份重算)."""

from django_tasks import task

from fupin.access.scope import OutOfScope, acting_user

from .models import ClaimImport, OfficialResettlement, Resettlement


@task()
def stage_task(job_id: int, user_id: int) -> dict:
    from . import imports

    job = ClaimImport.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code or None)
    except OutOfScope as exc:
        imports.fail(job_id, f"不能读取校验：{exc}")
        return {}
    imports.run_stage(job, user=user)
    return {}


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


@task()
def official_resettle_task(run_id: int, user_id: int) -> dict:
    from . import official

    run = OfficialResettlement.objects.get(pk=run_id)
    try:
        user = acting_user(user_id, run.area_code)
    except OutOfScope as exc:
        official.fail(run_id, f"不能重算：{exc}")
        return {}
    return official.execute(run, user=user)
