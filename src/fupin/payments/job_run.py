"""The worker's part of a payments job (后台任务的执行): take the queued `BatchJob`, run its service
(`services.prepare`, `reconcile.import_return`) as the user who asked and write the outcome, holding the
job's liveness lock until then. `jobs` queues the job after commit and `tasks.batch_job_task` runs it
through here; this module is below both, so they do not import each other in a loop."""

from __future__ import annotations

from django.utils import timezone

from fupin import jobprogress, liveness
from fupin.access.models import User
from fupin.policy.params import fen_to_yuan

from . import reconcile, services
from .models import BatchJob, JobKind, JobState
from .services import PaymentError

LIVENESS = "payments.batchjob"
ABANDONED = "后台进程意外退出，本次处理已停止，批次未改变：请重新提交。"


def run(job_id: int, user: User) -> None:
    """The worker's part: take the queued job, run its service, write the outcome — holding the
    job's liveness lock until then, so that a page can tell a dead worker's job (`recover_abandoned`)."""
    try:
        with liveness.holding(LIVENESS, job_id):
            _run(job_id, user)
    except liveness.AlreadyRunning:
        return


def recover_abandoned(job: BatchJob) -> bool:
    """A job "running" while no process holds its lock: its worker died; fail it in Chinese."""
    if job.state != JobState.RUNNING or liveness.held(LIVENESS, job.pk):
        return False
    changed = BatchJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.FAILED,
        step_label="未完成",
        message=ABANDONED,
        data=b"",
        finished_at=timezone.now(),
    )
    if changed:
        job.refresh_from_db()
    return bool(changed)


def _run(job_id: int, user: User) -> None:
    if not BatchJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        step_label="正在读取回盘文件并逐行核对" if _kind(job_id) == "reconcile" else "正在编制",
    ):
        return  # taken already
    job = BatchJob.objects.get(pk=job_id)
    report = jobprogress.Reporter(BatchJob, job_id)

    def progress(step: int, label: str, done: int, total: int) -> None:
        report(step=step, step_label=label, done=done, total=total)

    try:
        if job.job == JobKind.PREPARE:
            p = job.params
            batch = services.prepare(
                user=user,
                kind=p["kind"],
                period=p["period"],
                area_code=p["area"],
                note=p.get("note", ""),
                progress=progress,
            )
            message = (
                f"已编制发放批次 {batch.pk}：{batch.line_count} 人次，"
                f"{fen_to_yuan(batch.total_fen)} 元，请另一名工作人员复核"
            )
        else:
            rf = reconcile.import_return(
                user=user,
                batch_id=job.batch_id,
                data=bytes(job.data),
                filename=job.filename,
                progress=progress,
            )
            batch = job.batch
            message = f"已导入回盘文件：{rf.rows} 行，{rf.paid} 人次到账，差异 {rf.differences} 条"
    except PaymentError as exc:
        report.close()
        faults = [list(f) for f in getattr(exc, "faults", [])][: reconcile.SHOWN_FAULTS]
        BatchJob.objects.filter(pk=job_id).update(
            state=JobState.FAILED,
            step_label="未完成",
            message=str(exc)[:2000],
            faults=faults,
            data=b"",
            finished_at=timezone.now(),
        )
        return
    except Exception as exc:
        report.close()
        BatchJob.objects.filter(pk=job_id).update(
            state=JobState.FAILED,
            step_label="未完成",
            message=f"处理失败，批次未改变：{str(exc)[:500]}",
            data=b"",
            finished_at=timezone.now(),
        )
        raise
    report.close()
    BatchJob.objects.filter(pk=job_id).update(
        state=JobState.DONE,
        step_label="已完成",
        batch=batch,
        message=message,
        data=b"",
        finished_at=timezone.now(),
    )


def _kind(job_id: int) -> str:
    return BatchJob.objects.filter(pk=job_id).values_list("job", flat=True).first() or ""


def fail_unstartable(job_id: int, message: str) -> None:
    BatchJob.objects.filter(pk=job_id).exclude(state=JobState.DONE).update(
        state=JobState.FAILED, message=message[:2000], data=b"", finished_at=timezone.now()
    )
