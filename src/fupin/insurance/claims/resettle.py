"""政策测算（真实数据）: a year of stored claims settled again under another region, or a region at
a date, as a background task with progress. Results go to `ResettledClaim`, never over the
official settlement; pages compare the two side by side.

Each claim keeps the category and chronic class of its day from the official settlement (those
are facts of the registry and the certificate, not of the policy); a chronic class the other
policy does not know, a date outside its periods, or a 住院分娩 stay the policy has no maternity
rule for (`store.maternity_refused`), leaves the claim out — counted and said.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import OutOfScope, acting_user, home_area_code, require_area, require_writer
from fupin.bounds import BoundsError, check_year
from fupin.policy import ClaimsError, PackError, load_policy

from . import runjob, store
from .models import Resettlement, RunState

LIVENESS = "insurance.resettlement"
ABANDONED = (
    "测算进程意外退出（如内存耗尽或进程被终止），本次测算已停止；正式结算未受影响，可重新发起。"
)


class ResettleError(ValueError):
    """A re-settlement that cannot start or run; Chinese message."""


def start(
    *,
    user: User,
    year: int | str,
    policy: str,
    area_code: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Resettlement:
    require_writer(user)
    try:
        year = check_year(int(year))
    except (BoundsError, TypeError, ValueError) as exc:
        raise ResettleError(f"年度无效：{exc}") from exc
    try:
        load_policy(policy)
    except PackError as exc:
        raise ResettleError(str(exc)) from exc
    area_code = area_code or home_area_code(user)
    if not area_code.isdigit() or len(area_code) not in (6, 9, 12):
        raise ResettleError("范围应为县、乡镇或村的区划代码")
    require_area(user, area_code)
    with transaction.atomic():
        run = Resettlement.objects.create(
            year=year,
            policy=policy.strip()[:40],
            area_code=area_code,
            note=note[:200],
            created_by=user,
        )
        record(AuditAction.CREATE, user=user, request=request, obj=run, area_code=area_code,
               summary=f"发起 {year} 年度医疗费用政策测算（{run.policy}）")  # fmt: skip
    # Queued once the run row is committed: a worker never looks for a row that is not there yet.
    transaction.on_commit(lambda: resettle_task.enqueue(run.pk, user.pk))
    return run


def execute(run: Resettlement) -> dict:
    """Settle the run's year under its policy and store the results; holds the run's lock."""
    try:
        with liveness.holding(LIVENESS, run.pk):
            try:
                return _execute(run)
            except (ClaimsError, PackError, ResettleError, PermissionDenied) as exc:
                fail(run.pk, f"测算未完成：{runjob.reason(exc)}")
                return {}
            except Exception as exc:
                fail(run.pk, f"测算失败：{runjob.reason(exc)}")
                raise
    except liveness.AlreadyRunning:
        return {}


def _execute(run: Resettlement) -> dict:
    Resettlement.objects.filter(pk=run.pk).update(state=RunState.RUNNING, message="读取结算单")
    policy = load_policy(run.policy)
    frame = store.read_year(run.year, run.area_code)
    Resettlement.objects.filter(pk=run.pk).update(rows_total=frame.height, message="按测算政策计算")
    context = store.chain_context(frame)
    refused = store.maternity_refused(frame, policy)
    maternity = frame.filter(refused).height
    results, other = store.settle_stored(
        frame.filter(~refused), policy, context.filter(~store.maternity_refused(context, policy))
    )
    skipped = other + maternity
    chains = store.chains_reaching_back(context, policy)

    def progress(done: int) -> None:
        Resettlement.objects.filter(pk=run.pk).update(rows_done=done + skipped)

    with transaction.atomic():
        run.claims.all().delete()
        written = store.write_results(run.pk, results, progress)
        notes = [f"已测算 {written} 笔"]
        if other:
            notes.append(f"{other} 笔因测算政策无该慢性病类别或入院日期不在其政策期间内，未测算")
        if maternity:
            notes.append(f"{maternity} 笔住院分娩因测算政策未规定住院分娩的结算办法，未测算")
        if chains:
            notes.append(f"{chains} 人的跨年转院接续延续的上一年住院早于测算政策的期间：这些住院按其最早"
                         "期间的起付标准计入，转院连续计算起付线不因期间起点中断")  # fmt: skip
        message = "；".join(notes)
        Resettlement.objects.filter(pk=run.pk).update(state=RunState.DONE, rows_done=frame.height, skipped=skipped,
                                                      message=message, finished_at=timezone.now())  # fmt: skip
    return {"written": written, "skipped": skipped}


def fail(run_id: int, message: str) -> None:
    runjob.fail(Resettlement, run_id, message)


def recover_abandoned(run: Resettlement) -> bool:
    """A run left "running" by a dead process → failed with the reason."""
    return runjob.recover_abandoned(Resettlement, LIVENESS, run, ABANDONED)


# The job the start above queues after commit, acting for the user who started it; defined here,
# beside the code it runs, and listed in `tasks` for the worker.
@task()
def resettle_task(run_id: int, user_id: int) -> dict:
    run = Resettlement.objects.get(pk=run_id)
    try:
        acting_user(user_id, run.area_code)  # the run reads only inside this area (store.read_year)
    except OutOfScope as exc:
        fail(run_id, f"不能测算：{exc}")
        return {}
    return execute(run)
