"""The end of a background run (后台任务) of stored claims — 政策测算 (`Resettlement`), 按新身份重算
(`OfficialResettlement`) and 计算过程补写 (`TrailFill`), whose states are queued → running → done
or failed: a run failed with a Chinese reason (never one already done), and a run left "running"
by a process that died (its liveness lock gone) failed with the reason when it is next looked at.
Uploads have their own (`uploadjob`): their states differ."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from fupin import liveness
from fupin.policy import ClaimsError

RUNNING, DONE, FAILED = "running", "done", "failed"  # the same values in RunState and TrailState


def reason(exc: Exception) -> str:
    """A run's failure in the users' words: claims faults name columns in Chinese (入院日期), never
    by their code (`admission_date`)."""
    return exc.text(codes=False) if isinstance(exc, ClaimsError) else str(exc)


def fail(model: type[Model], run_id: int, message: str, **fields: object) -> None:
    """Mark the run failed with `message` (and `fields`, e.g. a cleared step) unless it is done."""
    model.objects.filter(pk=run_id).exclude(state=DONE).update(
        state=FAILED, message=str(message)[:2000], finished_at=timezone.now(), **fields
    )


def recover_abandoned(
    model: type[Model], lock: str, run: Model, message: str, **fields: object
) -> bool:
    """A run left "running" whose lock no process holds → failed with `message`; True if it was
    (and `run` is read again)."""
    if run.state != RUNNING or liveness.held(lock, run.pk):
        return False
    changed = model.objects.filter(pk=run.pk, state=RUNNING).update(
        state=FAILED, message=message, finished_at=timezone.now(), **fields
    )
    if changed:
        run.refresh_from_db()
    return bool(changed)
