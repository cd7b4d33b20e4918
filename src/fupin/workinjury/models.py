"""工伤认定绿色通道: work-injury cases of (mostly migrant construction) workers, the evidence of
their labour relation, the 48-hour investigation and five-day decision, and 先行支付."""

from django.conf import settings
from django.db import models


class Decision(models.TextChoices):
    PENDING = "pending", "待认定"
    RECOGNISED = "recognised", "认定为工伤"
    NOT_RECOGNISED = "not_recognised", "不予认定"
    DISPUTED = "disputed", "有争议（转一般程序）"


class EvidenceKind(models.TextChoices):
    """确认事实劳动关系的材料（003 所列）."""

    LEDGER = "ledger", "实名制台账"
    WAGES = "wages", "工资支付凭证或记录"
    PERMIT = "permit", "工作证（务工证）"
    ATTENDANCE = "attendance", "考勤记录"
    OTHER = "other", "其他材料"


class InjuryCase(models.Model):
    """工伤案件: one accident report. The worker is a registry person (then `poor` and the village
    are his) or not (then the village is where the case is handled); the township of the village
    sees the case."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="建档立卡人员",
    )
    worker_name = models.CharField("职工姓名", max_length=50)
    worker_id_number = models.CharField("身份证号", max_length=18)
    village_code = models.CharField("区划(12位)", max_length=12, db_index=True)
    poor = models.BooleanField("贫困劳动力", default=False)
    employer_name = models.CharField("用人单位", max_length=100)
    project_name = models.CharField("工程项目", max_length=100, blank=True)
    contract_signed = models.BooleanField("已签订劳动合同", default=False)
    accident_on = models.DateField("事故日期")
    accident_place = models.CharField("事故地点", max_length=200)
    injury = models.CharField("伤情", max_length=300)
    reported_at = models.DateTimeField("接到事故报告时间")
    investigated_at = models.DateTimeField("调查完成时间", null=True, blank=True)
    investigation_note = models.CharField("调查情况", max_length=500, blank=True)
    decision = models.CharField(
        "认定结论", max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.CharField("认定理由", max_length=500, blank=True)
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    employer_unpaid = models.BooleanField("用人单位未支付工伤待遇", default=False)
    first_payment_fen = models.BigIntegerField("先行支付金额(分)", null=True, blank=True)
    first_payment_reason = models.CharField("先行支付说明", max_length=300, blank=True)
    first_payment_on = models.DateField("先行支付核定日期", null=True, blank=True)
    pack_id = models.CharField("政策包", max_length=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "工伤案件"
        verbose_name_plural = "工伤案件"
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_payment_fen__isnull=True)
                | models.Q(first_payment_fen__gt=0),
                name="workinjury_first_payment_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_name} {self.accident_on:%Y-%m-%d}"

    @property
    def masked_id(self) -> str:
        from fupin.registry.idnumber import mask

        return mask(self.worker_id_number)


class CaseEvidence(models.Model):
    """劳动关系佐证材料: a file kept with its case, its type read from its bytes
    (`fupin.management.evidence`), stored under a random name and served only as a download."""

    AREA_CODE_FIELD = "case__village_code"

    case = models.ForeignKey(InjuryCase, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("材料类别", max_length=12, choices=EvidenceKind.choices)
    file = models.FileField("文件", upload_to="workinjury/%Y/%m/")
    name = models.CharField("文件名", max_length=100)
    file_kind = models.CharField("文件类型", max_length=8)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField(max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "劳动关系佐证材料"
        verbose_name_plural = "劳动关系佐证材料"
        ordering = ["case_id", "id"]


class RecoveryKind(models.TextChoices):
    RECOVERED = "recovered", "追回"
    WRITTEN_OFF = "written_off", "核销"


class Recovery(models.Model):
    """追偿记录: after a first payment (先行支付) the fund claims the amount back from the employer —
    each sum the employer repaid (追回, with the date received) and, when the rest cannot be had, its
    write-off (核销, with the reason). Claimed = the case's first payment; outstanding = claimed −
    recovered − written off, never below zero (the case row is locked while one is added)."""

    AREA_CODE_FIELD = "case__village_code"

    case = models.ForeignKey(InjuryCase, on_delete=models.PROTECT, related_name="recoveries")
    kind = models.CharField("类别", max_length=12, choices=RecoveryKind.choices)
    amount_fen = models.BigIntegerField("金额(分)")
    on = models.DateField("日期")
    note = models.CharField("说明（核销原因）", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "先行支付追偿记录"
        verbose_name_plural = "先行支付追偿记录"
        ordering = ["case", "on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="workinjury_recovery_positive"
            )
        ]
