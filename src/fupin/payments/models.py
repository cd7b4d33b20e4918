"""资金发放: payment batches (发放批次), their lines (发放明细) and the differences found when a
batch is reconciled against the bank's or the agency's return file (对账差异).

A batch is prepared for one kind, one period and one area (a township, or the county for the
agency), reviewed by another person, approved by the county, exported, marked paid with a
reference and reconciled. One entitlement — (kind, person, period, item) — is in at most one
live line of all batches: a partial unique index, so two batches prepared at the same moment
cannot both take it and nobody is paid twice.
"""

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class BatchState(models.TextChoices):
    PREPARED = "prepared", "已编制（待复核）"
    REVIEWED = "reviewed", "已复核（待审批）"
    APPROVED = "approved", "已审批（待导出）"
    EXPORTED = "exported", "已导出（待支付）"
    PAID = "paid", "已支付（待对账）"
    RECONCILED = "reconciled", "已对账"
    CANCELLED = "cancelled", "已作废"


# Before approval a batch may still change (lines removed, cancelled); after it, never.
OPEN_STATES = {BatchState.PREPARED, BatchState.REVIEWED}
# Which state each step leads from.
NEXT = {
    "review": ({BatchState.PREPARED}, BatchState.REVIEWED),
    "approve": ({BatchState.REVIEWED}, BatchState.APPROVED),
    "export": ({BatchState.APPROVED, BatchState.EXPORTED}, BatchState.EXPORTED),
    "pay": ({BatchState.EXPORTED}, BatchState.PAID),
    "cancel": (OPEN_STATES, BatchState.CANCELLED),
}


class Batch(models.Model):
    """发放批次: one kind, one period, one area; maker–checker and county approval."""

    AREA_CODE_FIELD = "area_code"

    kind = models.CharField("发放项目", max_length=40)
    period = models.CharField("期间", max_length=10)
    area_code = models.CharField("区划", max_length=12, help_text="乡镇或县代码补足12位")
    state = models.CharField(
        "状态", max_length=12, choices=BatchState.choices, default=BatchState.PREPARED
    )
    note = models.CharField("说明", max_length=200, blank=True)
    preparer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField("编制时间", auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    paid_at = models.DateTimeField("支付登记时间", null=True, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    paid_reference = models.CharField("支付凭证号", max_length=60, blank=True)
    reconciled_at = models.DateTimeField("对账完成时间", null=True, blank=True)
    cancel_reason = models.CharField("作废原因", max_length=200, blank=True)
    line_count = models.PositiveIntegerField("人次", default=0)
    total_fen = models.BigIntegerField("金额(分)", default=0)
    town_totals = models.JSONField(
        "分乡镇合计", default=dict, help_text="{乡镇代码: [人次, 金额分]}"
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_code", "state", "id"], name="paybatch_area_state"),
            models.Index(fields=["kind", "period"], name="paybatch_kind_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_fen__gte=0), name="paybatch_total_nonnegative"
            )
        ]

    def __str__(self) -> str:
        return f"发放批次 {self.pk}"


class LineStatus(models.TextChoices):
    PENDING = "pending", "待发放"
    PAID = "paid", "已到账"
    REFUSED = "refused", "被退回"
    DIFFERS = "differs", "金额不符"
    MISSING = "missing", "未回盘"
    REMOVED = "removed", "已剔除"
    REISSUE = "reissue", "转下批重发"
    VOID = "void", "不再发放"


class BatchLine(models.Model):
    """发放明细: one entitlement of one person as the provider computed it (never recomputed).

    `live` is true while the line stands for its entitlement: false when the batch is cancelled,
    the line removed before approval, or a refused payment is sent on to a later batch. The
    partial unique index on (kind, person, period, item) among live lines is the rule that
    nobody is paid twice."""

    AREA_CODE_FIELD = "village_code"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField("发放项目", max_length=40)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payment_lines")
    village_code = models.CharField(max_length=12)
    period = models.CharField("期间", max_length=10)
    item = models.CharField("明细项", max_length=60, blank=True)
    amount_fen = models.BigIntegerField("应发金额(分)")
    rule = models.CharField("依据", max_length=120)
    source = models.TextField("政策原文", blank=True)
    payee_name = models.CharField("收款单位", max_length=100, blank=True)
    payee_code = models.CharField("收款单位代码", max_length=18, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    live = models.BooleanField("有效", default=True)
    returned_fen = models.BigIntegerField("回盘金额(分)", null=True, blank=True)
    status_reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["batch_id", "village_code", "id"]
        indexes = [
            models.Index(fields=["batch", "village_code", "id"], name="payline_batch_area"),
            models.Index(fields=["person", "period"], name="payline_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "period", "item"],
                condition=models.Q(live=True),
                name="payline_paid_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="payline_amount_positive"
            ),
        ]


class DifferenceKind(models.TextChoices):
    REFUSED = "refused", "银行/经办机构退回"
    DIFFERS = "differs", "金额不符"
    UNKNOWN = "unknown", "回盘人员不在本批次"
    MISSING = "missing", "本批次明细未回盘"


class Resolution(models.TextChoices):
    CONFIRMED_PAID = "confirmed_paid", "经核实已到账"
    REISSUE = "reissue", "转下批重发"
    VOID = "void", "不再发放"
    ACCEPT_RETURNED = "accept_returned", "按回盘金额确认并补差/追回"
    NOT_OURS = "not_ours", "非本批次款项，已退回/不予处理"


# Which resolutions fit which difference.
RESOLUTIONS = {
    DifferenceKind.REFUSED: [Resolution.REISSUE, Resolution.VOID, Resolution.CONFIRMED_PAID],
    DifferenceKind.DIFFERS: [
        Resolution.ACCEPT_RETURNED,
        Resolution.CONFIRMED_PAID,
        Resolution.REISSUE,
    ],
    DifferenceKind.UNKNOWN: [Resolution.NOT_OURS],
    DifferenceKind.MISSING: [Resolution.CONFIRMED_PAID, Resolution.REISSUE, Resolution.VOID],
}


class Difference(models.Model):
    """对账差异: one row of the return file, or one line missing from it, that is not a clean payment.
    Each is resolved with a reason (audited); the batch is reconciled when none is open."""

    AREA_CODE_FIELD = "village_code"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="differences")
    line = models.ForeignKey(
        BatchLine, null=True, blank=True, on_delete=models.PROTECT, related_name="differences"
    )
    village_code = models.CharField(
        max_length=12, help_text="明细的村；回盘人员不在本批次时为批次区划"
    )
    kind = models.CharField("差异", max_length=10, choices=DifferenceKind.choices)
    row_number = models.PositiveIntegerField("回盘文件行号", null=True, blank=True)
    id_number = models.CharField("回盘身份证号", max_length=18, blank=True)
    name = models.CharField("回盘姓名", max_length=50, blank=True)
    expected_fen = models.BigIntegerField("应发金额(分)", null=True, blank=True)
    returned_fen = models.BigIntegerField("回盘金额(分)", null=True, blank=True)
    returned_text = models.CharField("回盘说明", max_length=200, blank=True)
    resolution = models.CharField("处理", max_length=16, choices=Resolution.choices, blank=True)
    reason = models.CharField("处理理由", max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"
        ordering = ["batch_id", "id"]


class ReturnFile(models.Model):
    """回盘文件: the imported return file of a batch (what it held, who brought it)."""

    AREA_CODE_FIELD = "area_code"

    batch = models.OneToOneField(Batch, on_delete=models.PROTECT, related_name="return_file")
    area_code = models.CharField(max_length=12)
    filename = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("行数")
    paid = models.PositiveIntegerField("已到账", default=0)
    differences = models.PositiveIntegerField("差异", default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)


class JobKind(models.TextChoices):
    PREPARE = "prepare", "编制发放批次"
    RECONCILE = "reconcile", "导入回盘文件对账"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    FAILED = "failed", "未完成"


class BatchJob(models.Model):
    """后台任务: preparing a batch or reconciling it against a return file, run by the task worker
    (300,000 lines take longer than a page request should); its page shows the progress and then
    leads to the batch. The return file's bytes wait here until the worker has read them."""

    AREA_CODE_FIELD = "area_code"

    job = models.CharField("任务", max_length=10, choices=JobKind.choices)
    state = models.CharField(
        "状态", max_length=8, choices=JobState.choices, default=JobState.QUEUED
    )
    step_label = models.CharField("当前步骤", max_length=60, blank=True)
    # Named steps (prepare: 读取应发明细 → 核对 → 写入明细 → 合计; reconcile: 读取文件 → 逐行核对 →
    # 写入结果) and, within the step, rows done of total (0 of 0 while the total is not yet known).
    step = models.PositiveSmallIntegerField("步骤", default=0)
    steps = models.PositiveSmallIntegerField("总步骤", default=4)
    done = models.PositiveIntegerField("本步骤已处理行数", default=0)
    total = models.PositiveIntegerField("本步骤总行数", default=0)
    area_code = models.CharField("区划", max_length=12)
    params = models.JSONField("参数", default=dict, blank=True)  # prepare: kind, period, note
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    filename = models.CharField("文件名", max_length=200, blank=True)
    data = models.BinaryField("文件内容", blank=True, default=b"")
    message = models.TextField("结果说明", blank=True)
    faults = models.JSONField("错误", default=list, blank=True)  # [[row, column, fault], …]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放后台任务"
        verbose_name_plural = "发放后台任务"
        ordering = ["-id"]

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        """Steps finished plus the share of rows done in the current one."""
        if self.finished:
            return 100
        if self.state == JobState.QUEUED or not self.step:
            return 0
        part = self.done / self.total if self.total else 0
        return min(99, int(100 * (self.step - 1 + min(part, 1)) / max(self.steps, 1)))
