"""The statistics snapshot (统计快照) as a background job (Django Tasks), acting for the county user who
asked for it (the button on the indicator page); the nightly one is `fupin snapshot`."""

import datetime as dt

from django_tasks import task

from fupin.access.scope import acting_user


@task()
def snapshot_task(user_id: int, day: str) -> dict:
    from . import snapshots

    user = acting_user(user_id)
    run = snapshots.build(day=dt.date.fromisoformat(day), user=user)
    return {"day": run.day.isoformat(), "rows": run.rows, "seconds": run.seconds}
