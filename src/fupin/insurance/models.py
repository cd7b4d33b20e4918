"""社会保险扶贫: each person's resident pension and medical insurance record, their change history,
and the yearly runs of government-paid premiums (代缴) with what each run found.

Records are filled from the insurance extracts `fupin.exchange` imports (EnrolmentRecord) and from
edits; every change is an InsuranceChange row (who, when, why). A run (SubsidyRun) writes the
year's list for its area: one SubsidyEntry per person and scheme (entitled with amount and rule, or
excluded with the reason) and one SubsidyChange per person who came or went since last year.
"""

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class Insurance(models.TextChoices):
    MEDICAL = "medical", "城乡居民基本医疗保险"
    PENSION = "pension", "城乡居民基本养老保险"


class PensionStatus(models.TextChoices):
    NOT_ENROLLED = "not_enrolled", "未参保"
    PAYING = "paying", "参保缴费"
    DRAWING = "drawing", "领取待遇"
    SUSPENDED = "suspended", "暂停缴费"
    TERMINATED = "terminated", "终止参保"


class PaidBy(models.TextChoices):
    NONE = "", "未缴费"
    SELF = "self", "本人缴费"
    GOVERNMENT = "government", "政府代缴"


class PensionRecord(models.Model):
    """城乡居民养老保险参保记录: one per person — status, tier and year paid, or drawing since when."""

    AREA_CODE_FIELD = "village_code"

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="pension_record", verbose_name="人员"
    )
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    status = models.CharField(
        "参保状态", max_length=14, choices=PensionStatus.choices, default=PensionStatus.NOT_ENROLLED
    )
    tier_fen = models.PositiveIntegerField("缴费档次(分)", null=True, blank=True)
    paid_year = models.PositiveSmallIntegerField("已缴费年度", null=True, blank=True)
    paid_by = models.CharField(
        "缴费方式", max_length=10, choices=PaidBy.choices, blank=True, default=""
    )
    years_paid = models.PositiveSmallIntegerField("累计缴费年限", default=0)
    drawing_since = models.DateField("领取待遇起始", null=True, blank=True)
    monthly_amount_fen = models.PositiveIntegerField("月领取金额(分)", null=True, blank=True)
    # 选档: the tier the resident chose for a coming year (the portal's request, once the township
    # has done it); `tier_fen` stays the tier of the year paid until that year is paid.
    chosen_tier_fen = models.PositiveIntegerField("选定缴费档次(分)", null=True, blank=True)
    chosen_year = models.PositiveSmallIntegerField("选定档次年度", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="更新人",
    )

    class Meta:
        verbose_name = "养老保险参保记录"
        verbose_name_plural = "养老保险参保记录"


class MedicalEnrolment(models.Model):
    """城乡居民医疗保险年度参保: one per person and year — when enrolled, benefits from when, paid by whom."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="medical_enrolments", verbose_name="人员"
    )
    year = models.PositiveSmallIntegerField("参保年度")
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    enrolled_on = models.DateField("参保缴费日期", null=True, blank=True)
    benefits_from = models.DateField("待遇起始日期", null=True, blank=True)
    paid_by = models.CharField(
        "缴费方式", max_length=10, choices=PaidBy.choices, blank=True, default=""
    )
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="更新人",
    )

    class Meta:
        verbose_name = "医疗保险年度参保"
        verbose_name_plural = "医疗保险年度参保"
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="medical_enrolment_person_year")
        ]


class ChangeSource(models.TextChoices):
    EDIT = "edit", "人工修改"
    EXTRACT = "extract", "参保数据导入"


class InsuranceChange(models.Model):
    """参保记录变更: what a record was and became, who changed it, when and why."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="insurance_changes", verbose_name="人员"
    )
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    insurance = models.CharField("险种", max_length=8, choices=Insurance.choices)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)
    reason = models.CharField("原因", max_length=300)
    source = models.CharField(
        "来源", max_length=8, choices=ChangeSource.choices, default=ChangeSource.EDIT
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    changed_at = models.DateTimeField("操作时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保记录变更"
        verbose_name_plural = "参保记录变更"
        ordering = ["-changed_at", "-id"]


class RunState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class SubsidyRun(models.Model):
    """代缴名单计算: one yearly run of one insurance over an area (the county or a township)."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    year = models.PositiveSmallIntegerField("年度")
    insurance = models.CharField("险种", max_length=8, choices=Insurance.choices)
    area_code = models.CharField("范围", max_length=12, blank=True)
    pack_id = models.CharField("政策包", max_length=60)
    state = models.CharField(
        "状态", max_length=8, choices=RunState.choices, default=RunState.QUEUED
    )
    step = models.PositiveSmallIntegerField("步骤", default=0)
    steps = models.PositiveSmallIntegerField("总步骤", default=4)
    step_label = models.CharField("当前步骤", max_length=60, blank=True)
    counts = models.JSONField("统计", default=dict, blank=True)
    rules = models.JSONField(
        "适用规则", default=dict, blank=True
    )  # {key: {rule, name, amount_fen, source}}
    message = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时(秒)", null=True, blank=True)

    class Meta:
        verbose_name = "代缴名单计算"
        verbose_name_plural = "代缴名单计算"
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        if self.state in (RunState.DONE, RunState.FAILED):
            return 100
        return 100 * max(self.step - 1, 0) // max(self.steps, 1)  # steps finished so far

    @property
    def finished(self) -> bool:
        return self.state in (RunState.DONE, RunState.FAILED)


class Scheme(models.TextChoices):
    PREMIUM = "premium", "年度代缴"
    BACK_PAY = "back_pay", "60周岁以上补缴"
    EARLY_PENSION = "early_pension", "提前领取养老金"
    ACCOUNT_SUBSIDY = "account_subsidy", "一次性个人账户补贴"


class Outcome(models.TextChoices):
    ENTITLED = "entitled", "应代缴"
    EXCLUDED = "excluded", "不予代缴"


class Reason(models.TextChoices):
    """不予代缴（或不列入名单）的原因."""

    DECEASED = "deceased", "已死亡"
    MOVED = "moved", "已迁出本县"
    REMOVED = "removed", "已自然减少"
    EXITED = "exited", "已脱贫（不再享受政策）"
    NOT_COVERED = "not_covered", "不属于本地区代缴对象"
    DRAWING = "drawing", "已领取养老金"
    UNDER_AGE = "under_age", "未到参保年龄"
    OVER_AGE = "over_age", "已到领取年龄（未领取待遇的见补缴名单）"
    PAID = "paid", "本人已缴纳当年保费"
    ENOUGH_YEARS = "enough_years", "已缴满规定年限，无须补缴"


class SubsidyEntry(models.Model):
    """代缴名单的一行: a person's outcome in one year, insurance and scheme — the amount and the rule
    (a key into the run's `rules`), or the reason for leaving them out."""

    AREA_CODE_FIELD = "village_code"

    year = models.PositiveSmallIntegerField("年度")
    insurance = models.CharField("险种", max_length=8, choices=Insurance.choices)
    scheme = models.CharField("项目", max_length=16, choices=Scheme.choices, default=Scheme.PREMIUM)
    # No database FK constraints on the run's big tables: rows are written set-based from the registry
    # itself (persons are never deleted) and the run row of the same transaction; a per-row deferred
    # check would double the run's time at 1,000,000 rows. The indexes stay.
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="subsidy_entries",
        verbose_name="人员",
    )  # the unique index below starts with the person
    village_code = models.CharField("村代码", max_length=12)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    rule = models.CharField("适用规则", max_length=20, blank=True)
    reason = models.CharField("原因", max_length=14, choices=Reason.choices, blank=True)
    amount_fen = models.BigIntegerField("金额(分)", default=0)
    years = models.PositiveSmallIntegerField("补缴年数", default=0)
    run = models.ForeignKey(
        SubsidyRun,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="entries",
        verbose_name="计算",
    )

    class Meta:
        verbose_name = "代缴名单"
        verbose_name_plural = "代缴名单"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "insurance", "scheme"], name="subsidy_entry_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["year", "insurance", "scheme", "village_code"], name="subsidy_entry_area"
            )
        ]


class Change(models.TextChoices):
    ADDED = "added", "新增"
    REMOVED = "removed", "减少"


class SubsidyChange(models.Model):
    """与上年度相比的增减: who came onto the year's 代缴 list and who left it, and why."""

    AREA_CODE_FIELD = "village_code"

    year = models.PositiveSmallIntegerField("年度")
    insurance = models.CharField("险种", max_length=8, choices=Insurance.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="人员",
    )
    village_code = models.CharField("村代码", max_length=12)
    change = models.CharField("增减", max_length=8, choices=Change.choices)
    reason = models.CharField(
        "原因", max_length=14, blank=True
    )  # a Reason (减少) or a group code (新增)
    detail = models.CharField("说明", max_length=100, blank=True)
    run = models.ForeignKey(
        SubsidyRun,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="changes",
        verbose_name="计算",
    )

    class Meta:
        verbose_name = "代缴名单增减"
        verbose_name_plural = "代缴名单增减"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "insurance"], name="subsidy_change_once"
            )
        ]
        indexes = [
            models.Index(fields=["year", "insurance", "village_code"], name="subsidy_change_area")
        ]


class EnrolmentRecord(models.Model):
    """参保数据: the latest insurance enrolment extract, one row per person and insurance.

    Loaded by the exchange's enrolment import (which it names as `job`) and compared there with
    the registry; the table keeps its first name (`exchange_enrolmentrecord`)."""

    AREA_CODE_FIELD = "village_code"

    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    area_code = models.CharField("参保地区划", max_length=12)
    village_code = models.CharField("区划(12位)", max_length=12, db_index=True)
    insurance = models.CharField(
        "险种", max_length=8, choices=[("pension", "养老保险"), ("medical", "医疗保险")]
    )
    enrolment_status = models.CharField(
        "参保状态",
        max_length=12,
        choices=[("active", "正常参保"), ("suspended", "暂停"), ("terminated", "终止")],
    )
    poverty_tag = models.BooleanField("贫困人员标识", default=False)
    premium_subsidy = models.BooleanField("政府代缴", default=False)
    deceased = models.BooleanField("死亡", default=False)
    job = models.ForeignKey(
        "exchange.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "exchange_enrolmentrecord"
        verbose_name = "参保数据"
        verbose_name_plural = "参保数据"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number", "insurance"], name="enrolment_id_insurance"
            )
        ]
