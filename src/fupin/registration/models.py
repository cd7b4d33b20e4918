"""全民参保登记: the work-injury and unemployment enrolment of registry persons who work for an
employer or on a project (按项目参加工伤保险). Pension and medical enrolment are the insurance
modules' (Person.pension_status / medical_status, kept by the comparison); this app only adds the
two insurances that follow a job, and reads the rest."""

from django.conf import settings
from django.db import models


class JobInsurance(models.TextChoices):
    WORK_INJURY = "work_injury", "工伤保险"
    UNEMPLOYMENT = "unemployment", "失业保险"


class JobEnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "已参保"
    NOT_ENROLLED = "not_enrolled", "未参保"
    STOPPED = "stopped", "已停保"


class JobEnrolment(models.Model):
    """工伤/失业保险参保登记: one registry person's enrolment in one of the two job insurances,
    with the employer or project it follows."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("区划(12位)", max_length=12, db_index=True)
    insurance = models.CharField("险种", max_length=12, choices=JobInsurance.choices)
    status = models.CharField("参保状态", max_length=12, choices=JobEnrolmentStatus.choices)
    employer = models.CharField("用人单位", max_length=100)
    project = models.CharField("工程项目（按项目参保）", max_length=100, blank=True)
    since = models.DateField("起始日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工伤失业保险参保登记"
        verbose_name_plural = "工伤失业保险参保登记"
        ordering = ["village_code", "person_id", "insurance"]
        constraints = [
            models.UniqueConstraint(fields=["person", "insurance"], name="job_enrolment_person_ins")
        ]


class MarkBatchState(models.TextChoices):
    PREPARED = "prepared", "待复核"
    APPLIED = "applied", "已回写"
    CANCELLED = "cancelled", "已作废"


class MarkBatch(models.Model):
    """贫困人员标识调整单: the poverty marks of the enrolment records out of step with the registry in
    one township (or the county), listed by one person and written back to the records only when
    another person confirms it (编制—复核, as the comparison's tag review is never automatic). Its
    lines (`MarkChange`) are the history: what was set or cleared, for whom, why, by whose confirmation."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    area_code = models.CharField("范围", max_length=12)
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=MarkBatchState.choices, default=MarkBatchState.PREPARED
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="编制人"
    )
    prepared_at = models.DateTimeField("编制时间")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="复核人",
    )
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)
    check_note = models.CharField("复核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "贫困人员标识调整单"
        verbose_name_plural = "贫困人员标识调整单"
        ordering = ["-prepared_at", "-id"]

    def __str__(self):
        return f"标识调整单 {self.pk}"


class MarkOutcome(models.TextChoices):
    PENDING = "", "待复核"
    APPLIED = "applied", "已回写"
    UNCHANGED = "unchanged", "复核时已一致或情况已变化，未改动"
    GONE = "gone", "复核时参保记录已不存在"


class MarkChange(models.Model):
    """标识调整明细: one enrolment record's poverty mark to set (新增标识) or clear (取消标识), with the
    reason; once the batch is confirmed, what was done to it. Records are named by ID number and
    insurance (their natural key), so a re-imported extract does not orphan the history."""

    AREA_CODE_FIELD = "village_code"

    batch = models.ForeignKey(MarkBatch, on_delete=models.PROTECT, related_name="changes")
    village_code = models.CharField("区划(12位)", max_length=12)
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    insurance = models.CharField(
        "险种", max_length=8, choices=[("pension", "养老保险"), ("medical", "医疗保险")]
    )
    action = models.CharField(
        "调整", max_length=8, choices=[("new", "新增标识"), ("removed", "取消标识")]
    )
    reason = models.CharField("原因", max_length=200)
    outcome = models.CharField(
        "结果", max_length=10, choices=MarkOutcome.choices, blank=True, default=MarkOutcome.PENDING
    )

    class Meta:
        verbose_name = "贫困人员标识调整明细"
        verbose_name_plural = "贫困人员标识调整明细"
        ordering = ["batch", "village_code", "id_number", "insurance"]
        indexes = [models.Index(fields=["id_number", "insurance"], name="markchange_record")]

    @property
    def masked_id(self) -> str:
        from fupin.registry.idnumber import mask

        return mask(self.id_number)
