"""Reads of 全民参保登记: one row per registry person of a township with the four insurances
(pension and medical from the insurance module's records, kept from the enrolment extract),
the unregistered with their reasons, and the poverty marks of the enrolment extract against the
registry (新增标识 / 取消标识 with reasons). Area scope applied here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.insurance.models import EnrolmentRecord, MedicalEnrolment, PensionRecord, PensionStatus
from fupin.insurance.rules import EnrolmentAges, default_pack_id
from fupin.policy.packs import load_pack
from fupin.registry.choices import ACTIVE_STATUSES, Status
from fupin.registry.idnumber import mask
from fupin.registry.models import Person

from .models import JobEnrolment, JobEnrolmentStatus, JobInsurance

NA = "n/a"
INSURANCES = {
    "pension": "养老保险",
    "medical": "医疗保险",
    JobInsurance.WORK_INJURY: "工伤保险",
    JobInsurance.UNEMPLOYMENT: "失业保险",
}
ENROLLED, DRAWING, SUSPENDED, TERMINATED, NOT_ENROLLED, STOPPED = (
    "enrolled",
    "drawing",
    "suspended",
    "terminated",
    "not_enrolled",
    "stopped",
)
STATUS_NAMES = {
    ENROLLED: "已参保",
    DRAWING: "领取待遇",
    SUSPENDED: "暂停缴费",
    TERMINATED: "终止参保",
    NOT_ENROLLED: "未参保",
    STOPPED: "已停保",
    NA: "不适用",
}
PENSION_OF = {
    PensionStatus.PAYING: ENROLLED,
    PensionStatus.DRAWING: DRAWING,
    PensionStatus.SUSPENDED: SUSPENDED,
    PensionStatus.TERMINATED: TERMINATED,
    PensionStatus.NOT_ENROLLED: NOT_ENROLLED,
}


@dataclass
class Row:
    """参保登记表的一行：一人四险。"""

    person: Person
    status: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def unregistered(self) -> bool:
        return bool(self.reasons)

    def name_of(self, insurance: str) -> str:
        return STATUS_NAMES[self.status[insurance]]

    @property
    def masked_id(self) -> str:
        return mask(self.person.id_number)

    @property
    def cells(self) -> list[tuple[str, str]]:
        return [(self.status[k], STATUS_NAMES[self.status[k]]) for k in INSURANCES]


def _age(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def medical_years(user: User) -> list[int]:
    """The years with medical enrolment records in the user's area, newest first."""
    return sorted(
        set(scoped(MedicalEnrolment.objects.all(), user).values_list("year", flat=True)),
        reverse=True,
    )


def table(
    user: User, area_code: str, *, year: int, day: dt.date, only_unregistered: bool = False
) -> list[Row]:
    """Every registry person (all but 自然减少) of `area_code`, read through scope, with the
    insurance module's records: the pension record (城乡居民养老保险，from the age the pack
    sets), the medical enrolment of `year`, and this app's job insurances."""
    min_age = load_pack(default_pack_id()).section("enrolment", EnrolmentAges).pension_min_age.value
    rng = village_code_range(area_code)
    persons = list(
        scoped(Person.objects.filter(village_code__range=rng).exclude(status=Status.REMOVED), user)
        .only("id", "name", "id_number", "village_code", "birth_date", "status")
        .order_by("village_code", "household_id", "id")
    )
    pensions = dict(
        scoped(PensionRecord.objects.filter(village_code__range=rng), user).values_list(
            "person_id", "status"
        )
    )
    medical = set(
        scoped(
            MedicalEnrolment.objects.filter(village_code__range=rng, year=year), user
        ).values_list("person_id", flat=True)
    )
    jobs: dict[tuple[int, str], JobEnrolment] = {
        (j.person_id, j.insurance): j
        for j in scoped(JobEnrolment.objects.filter(village_code__range=rng), user)
    }
    rows = []
    for p in persons:
        row = Row(person=p)
        age = _age(p.birth_date, day)
        if age is not None and age < min_age:
            row.status["pension"] = NA
        else:
            st = PENSION_OF.get(pensions.get(p.pk), NOT_ENROLLED)
            row.status["pension"] = st
            if p.pk not in pensions:
                row.reasons.append("养老保险：参保数据中没有记录")
            elif st in (SUSPENDED, TERMINATED, NOT_ENROLLED):
                row.reasons.append(f"养老保险：{STATUS_NAMES[st]}")
        if p.pk in medical:
            row.status["medical"] = ENROLLED
        else:
            row.status["medical"] = NOT_ENROLLED
            row.reasons.append(f"医疗保险：{year}年度未参保")
        for ins in (JobInsurance.WORK_INJURY, JobInsurance.UNEMPLOYMENT):
            j = jobs.get((p.pk, ins))
            if j is None:
                row.status[ins] = NA
                continue
            row.status[ins] = j.status
            where = f"{j.employer}{'（' + j.project + '）' if j.project else ''}"
            if j.status == JobEnrolmentStatus.NOT_ENROLLED:
                row.reasons.append(f"{INSURANCES[ins]}：在{where}务工未参保")
            elif j.status == JobEnrolmentStatus.STOPPED:
                row.reasons.append(f"{INSURANCES[ins]}：{where}已停保")
        if row.reasons or not only_unregistered:
            rows.append(row)
    return rows


def counts(rows: list[Row]) -> dict[str, dict[str, int]]:
    """{insurance: {status: n}} over the rows."""
    out: dict[str, dict[str, int]] = {k: {} for k in INSURANCES}
    for r in rows:
        for k in INSURANCES:
            out[k][r.status[k]] = out[k].get(r.status[k], 0) + 1
    return out


def count_lines(rows: list[Row]) -> list[tuple[str, list[tuple[str, int]]]]:
    """[(险种, [(状态, 人数)…])…] for the page."""
    return [
        (INSURANCES[k], [(STATUS_NAMES[s], n) for s, n in sorted(by.items())])
        for k, by in counts(rows).items()
    ]


@dataclass(frozen=True)
class Mark:
    """贫困人员身份标注的一项调整：新增标识或取消标识，及其原因。"""

    action: str  # "new" / "removed"
    record: EnrolmentRecord
    reason: str

    @property
    def masked_id(self) -> str:
        return mask(self.record.id_number)

    @property
    def action_name(self) -> str:
        return MARK_ACTIONS[self.action]


MARK_ACTIONS = {"new": "新增标识", "removed": "取消标识"}


def marks(user: User, area_code: str, *, action: str = "") -> list[Mark]:
    """The poverty marks (贫困人员标识) of the enrolment extract out of step with the registry:
    an active registry person's record without the mark (新增标识), a marked record whose holder
    is no (longer an) active registry person here (取消标识)."""
    records = list(
        scoped(
            EnrolmentRecord.objects.filter(village_code__range=village_code_range(area_code)), user
        ).order_by("village_code", "id_number", "insurance")
    )
    ids = {r.id_number for r in records}
    people = {
        p.id_number: p
        for p in scoped(Person.objects.filter(id_number__in=ids), user).only(
            "id", "id_number", "name", "status"
        )
    }
    out = []
    for r in records:
        p = people.get(r.id_number)
        active = p is not None and p.status in ACTIVE_STATUSES
        if active and not r.poverty_tag and not r.deceased:
            out.append(
                Mark(
                    "new",
                    r,
                    f"建档立卡人员（{p.get_status_display()}），参保记录未标注贫困人员身份",
                )
            )
        elif r.poverty_tag and not active:
            if p is None:
                reason = "不在本辖区建档立卡名单（或身份证号不一致），请核实"
            else:
                reason = f"建档立卡状态为“{p.get_status_display()}”，不再属于贫困人员"
            out.append(Mark("removed", r, reason))
    return [m for m in out if not action or m.action == action]
