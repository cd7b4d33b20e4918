"""The background check of an upload (上传后的后台校验), shared by the claim import (医疗费用结算单)
and the 低保/特困 list import: the job's lock held until its final state is written, a job delivered
twice or already checked left alone, an unexpected fault failing the job with a Chinese reason, and
a job whose worker died (its lock gone) failed with the reason when it is next looked at."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model

from fupin import liveness
from fupin.access.models import User

from .models import ImportState


def run(
    model: type[Model], lock: str, job: Model, stage: Callable[..., object], *, user: User
) -> None:
    """`stage(job, user=user)` under the job's lock, if the job is still being read."""
    try:
        with liveness.holding(lock, job.pk):
            job.refresh_from_db(fields=["state"])
            if job.state != ImportState.READING:
                return
            try:
                stage(job, user=user)
            except Exception as exc:
                fail(model, job.pk, f"读取或校验失败：{exc}")
                raise
    except liveness.AlreadyRunning:
        return


def fail(model: type[Model], job_id: int, message: str) -> None:
    model.objects.filter(pk=job_id, state=ImportState.READING).update(
        state=ImportState.FAILED, message=str(message)[:2000], step=""
    )


def recover_abandoned(model: type[Model], lock: str, job: Model, message: str) -> bool:
    """An upload left "reading" by a dead process → failed with `message`; True if it was."""
    if job.state != ImportState.READING or liveness.held(lock, job.pk):
        return False
    if not job.step.startswith("正在"):
        return False  # still queued: no process has taken it yet
    changed = model.objects.filter(pk=job.pk, state=ImportState.READING).update(
        state=ImportState.FAILED, message=message, step=""
    )
    if changed:
        job.refresh_from_db()
    return bool(changed)
