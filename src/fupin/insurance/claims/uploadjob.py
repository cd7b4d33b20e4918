"""The background check of an upload (上传后的后台校验), shared by the claim import (医疗费用结算单)
and the 低保/特困 list import: the job's lock held until its final state is written, a job delivered
twice or already checked left alone, an unexpected fault failing the job with a Chinese reason, and
a job whose worker died (its lock gone) failed with the reason when it is next looked at.

While it runs, the job row shows numbered steps with the rows each has done (`Steps`): "第 1/4 步：
逐行检查" and then the whole-file checks ("第 2/4 步：查找人员（按身份证号）" …) up to writing the
preview rows, so the page's percentage moves through every step, not only the row check."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from django.db.models import Model

from fupin import jobprogress, liveness
from fupin.access.models import User
from fupin.access.scope import area_code_in_scope
from fupin.registry.idnumber import mask
from fupin.registry.models import Person

from .models import ImportState

QUEUED = "排队等待读取"  # the step of a job no process has taken yet
READING = "正在读取文件"  # before the file's rows are counted
ROW_CHECK = "逐行检查"  # the first numbered step of both uploads
BATCH = 2000  # rows per query or insert of a whole-file step; progress is reported after each

T = TypeVar("T")


class Steps:
    """The numbered steps of a check (“第 n/N 步：名称”), each with rows done of the file's rows,
    written onto the job's `step`, `rows_done` and `rows_total` through `jobprogress.Reporter`
    (throttled; a new step always shows). Close it before the job's final state is written."""

    def __init__(self, model: type[Model], pk: int, names: Sequence[str], total: int) -> None:
        self.names, self.total = tuple(names), total
        self.report = jobprogress.Reporter(model, pk)

    def text(self, name: str) -> str:
        return f"第 {self.names.index(name) + 1}/{len(self.names)} 步：{name}"

    def __call__(self, name: str, done: int) -> None:
        self.report(step=self.text(name), rows_done=min(done, self.total), rows_total=self.total)

    def batches(self, name: str, rows: Sequence[T]) -> Iterator[Sequence[T]]:
        """`rows` (the file's rows) in batches of `BATCH`, the step shown before the first and its
        rows done after each."""
        self(name, 0)
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
            self(name, start + BATCH)

    def close(self) -> None:
        self.report.close()


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
    if job.step in ("", QUEUED):
        return False  # still queued: no process has taken it yet
    changed = model.objects.filter(pk=job.pk, state=ImportState.READING).update(
        state=ImportState.FAILED, message=message, step=""
    )
    if changed:
        job.refresh_from_db()
    return bool(changed)


def link_persons(
    rows: Sequence[dict],
    known: dict[str, Person],
    header: Callable[[str], str],
    user: User,
    *,
    not_linked: str = "",
) -> list[dict]:
    """Each row's registry person by its ID number, never by name (`known`: the persons read so
    far, added to): a row whose number is not in the registry, whose person is outside the user's
    area or whose name differs gets a fault in `errors`; the others get `person_id` and
    `village_code`. `not_linked` is said of a number not in the registry. Returns those rows."""
    ids = {v["id_number"] for v in rows if v.get("id_number")} - known.keys()
    for p in Person.objects.filter(id_number__in=sorted(ids)).only(
        "id", "id_number", "name", "village_code"
    ):
        known[p.id_number] = p
    missing = []
    for v in rows:
        number = v.get("id_number")
        if number is None:
            continue
        p = known.get(number)
        if p is None:
            v["errors"].append(
                [
                    header("id_number"),
                    f"身份证号 {mask(number)} 不在建档立卡登记中{not_linked}（不按姓名匹配）",
                ]
            )
            missing.append(v)
        elif not area_code_in_scope(user, p.village_code):
            v["errors"].append([header("id_number"), "该人员不在本辖区"])
        elif v.get("name") and v["name"] != p.name:
            v["errors"].append([header("name"), f"姓名“{v['name']}”与登记的姓名不一致"])
        else:
            v["person_id"], v["village_code"] = p.pk, p.village_code
    return missing
