"""防止返贫动态监测和帮扶: monitored households (监测对象), the alerts the nightly run raises
from every module's data (预警), the home check (核查), the decision (认定), the measures
(帮扶措施), the quarterly review (季度回访) and risk removal (风险消除).

Nothing here is deleted: a household leaves monitoring by a stage (风险消除, 不纳入), and every
change of stage is a row in StageChange (台账, 001: “分类标识、建立台账”).
"""

from typing import NoReturn

from django.conf import settings
from django.db import models

from fupin.registry.models import Household, Person


class NoDeleteQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:
        raise PermissionError("防止返贫监测台账不能删除：请改为变更阶段（如“风险消除”“不纳入”）")


class NoDelete(models.Model):
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("防止返贫监测台账不能删除：请改为变更阶段（如“风险消除”“不纳入”）")


class Category(models.TextChoices):
    """监测对象类别 (001: 贫困不稳定户、边缘易致贫户、突发临时困难群体)."""

    UNSTABLE = "unstable", "脱贫不稳定户"
    EDGE = "edge", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class Stage(models.TextChoices):
    ALERT = "alert", "预警"
    CHECKING = "checking", "核查中"
    MONITORED = "monitored", "纳入监测"
    NOT_MONITORED = "not_monitored", "不纳入"
    ASSISTING = "assisting", "帮扶中"
    REMOVED = "removed", "风险消除"


# Which stage may follow which. A new alert brings a closed household back to 预警 (the nightly run).
STAGE_FLOW: dict[str, set[str]] = {
    Stage.ALERT: {Stage.CHECKING},
    Stage.CHECKING: {Stage.MONITORED, Stage.NOT_MONITORED},
    Stage.MONITORED: {Stage.ASSISTING, Stage.REMOVED},
    Stage.ASSISTING: {Stage.REMOVED},
    Stage.NOT_MONITORED: {Stage.ALERT},
    Stage.REMOVED: {Stage.ALERT},
}
OPEN_STAGES = (Stage.ALERT, Stage.CHECKING)
UNDER_MONITORING = (Stage.MONITORED, Stage.ASSISTING)


class Signal(models.TextChoices):
    """预警信号: each one a rule of the pack's `monitoring:` section (bar the hand-entered ones)."""

    INCOME = "income", "人均纯收入低于监测线"
    MEDICAL = "medical", "医疗自付费用超过收入一定比例"
    JOB_LOST = "job_lost", "务工人员失业（离岗或核查不在岗）"
    WELFARE_POST_ENDED = "welfare_post_ended", "公益性岗位离岗"
    INSURANCE = "insurance", "参保暂停、终止或未参保"
    LABOURER = "labourer", "主要劳动力死亡、患大病或残疾"
    DISASTER = "disaster", "灾害或意外事故（人工录入）"
    REPORTED = "reported", "乡镇排查发现或农户申请（人工录入）"
    CIVIL = "civil", "民政部门推送（导入）"


MANUAL_SIGNALS = (Signal.DISASTER, Signal.REPORTED)


class Origin(models.TextChoices):
    NIGHTLY = "nightly", "监测运行发现"
    TOWNSHIP = "township", "乡镇录入"
    CIVIL = "civil", "民政部门导入"


class MonitoredHousehold(NoDelete):
    """监测对象: a household under (or proposed for) return-to-poverty monitoring — a registered
    household (`household`) or one that is not on the poverty list (边缘易致贫户、突发严重困难户,
    entered by a township: then its own head and income fields hold what is known)."""

    AREA_CODE_FIELD = "village_code"

    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="建档立卡户",
    )
    village_code = models.CharField("村代码", max_length=12)
    head_name = models.CharField("户主姓名", max_length=50)
    head_id_number = models.CharField("户主身份证号", max_length=18, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    member_count = models.PositiveSmallIntegerField("家庭人口", default=1)
    income_per_capita_fen = models.BigIntegerField("人均纯收入(分)", null=True, blank=True)
    category = models.CharField("监测类别", max_length=10, choices=Category.choices)
    risk_types = models.JSONField("风险类型", default=list, blank=True)
    stage = models.CharField("阶段", max_length=14, choices=Stage.choices, default=Stage.ALERT)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices)
    alerted_on = models.DateField("预警日期")
    check_due = models.DateField("核查期限")
    decision_due = models.DateField("认定期限", null=True, blank=True)
    identified_on = models.DateField("纳入监测日期", null=True, blank=True)
    removed_on = models.DateField("风险消除日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测对象"
        verbose_name_plural = "监测对象"
        ordering = ["check_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], name="monitored_one_per_household")
        ]
        indexes = [models.Index(fields=["village_code", "stage"], name="monitored_area_stage")]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.get_category_display()}）"

    @property
    def risk_type_labels(self) -> list[str]:
        return [str(Signal(s).label) for s in self.risk_types if s in Signal.values]


class MonitoringRun(models.Model):
    """监测运行: all signals for an area, computed set-based; progress polled by the page."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    area_code = models.CharField("范围", max_length=12)
    day = models.DateField("监测日期")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    step = models.PositiveSmallIntegerField("当前步骤", default=0)
    steps = models.PositiveSmallIntegerField("总步骤", default=1)
    step_label = models.CharField("步骤说明", max_length=100, blank=True)
    message = models.TextField("说明", blank=True)
    hits = models.JSONField("各信号命中", default=dict, blank=True)
    new_alerts = models.PositiveIntegerField("新增预警", default=0)
    by_township = models.JSONField("分乡镇新增预警", default=dict, blank=True)
    seconds = models.FloatField("耗时(秒)", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "监测运行"
        verbose_name_plural = "监测运行"
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        return 100 if self.finished else 100 * self.step // max(self.steps, 1)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class Alert(NoDelete):
    """预警: one signal for one household, for one cause. The same (household, signal, cause)
    is raised once, ever: a re-run adds nothing and a decided alert does not come back."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="alerts", verbose_name="监测对象"
    )
    village_code = models.CharField("村代码", max_length=12)
    signal = models.CharField("信号", max_length=20, choices=Signal.choices)
    cause_key = models.CharField("原因标识", max_length=80)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="涉及人员",
    )
    value = models.BigIntegerField("数据", null=True, blank=True)
    threshold = models.BigIntegerField("阈值", null=True, blank=True)
    detail = models.CharField("情况", max_length=300, blank=True)
    rule = models.CharField("规则", max_length=120, blank=True)
    source = models.CharField("出处", max_length=600, blank=True)
    raised_on = models.DateField("预警日期")
    run = models.ForeignKey(
        MonitoringRun, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitored", "signal", "cause_key"], name="alert_once_per_cause"
            )
        ]
        indexes = [
            models.Index(fields=["village_code", "raised_on"], name="alert_area_day"),
            models.Index(fields=["run"], name="alert_run"),
        ]

    @property
    def rule_text(self) -> str:
        from .rules import rule_text

        return rule_text(self.rule)

    @property
    def data_text(self) -> str:
        """The data the signal saw, in words (amounts in yuan at this edge only)."""
        from fupin.policy.params import fen_to_yuan

        if self.signal == Signal.INCOME and self.value is not None:
            return f"{self.detail} {fen_to_yuan(self.value)} 元，低于监测线 {fen_to_yuan(self.threshold or 0)} 元"
        if self.signal == Signal.MEDICAL and self.value is not None:
            return (
                f"{self.detail} {fen_to_yuan(self.value)} 元，超过按家庭年收入计算的上限 "
                f"{fen_to_yuan(self.threshold or 0)} 元"
            )
        return self.detail


class Check(NoDelete):
    """入户核查: what the village assistant or township found at the household."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="checks"
    )
    village_code = models.CharField("村代码", max_length=12)
    checked_on = models.DateField("核查日期")
    findings = models.CharField("核查情况", max_length=500)
    income_per_capita_fen = models.BigIntegerField("核实人均纯收入(分)", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="核查人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "入户核查"
        verbose_name_plural = "入户核查"
        ordering = ["-checked_on", "-id"]


class Decision(NoDelete):
    """认定: monitor or not, with the reason, by someone other than the checker."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="decisions"
    )
    check_record = models.ForeignKey(
        Check, on_delete=models.PROTECT, related_name="decisions", verbose_name="核查"
    )
    village_code = models.CharField("村代码", max_length=12)
    include = models.BooleanField("纳入监测")
    category = models.CharField("监测类别", max_length=10, choices=Category.choices, blank=True)
    risk_types = models.JSONField("风险类型", default=list, blank=True)
    reason = models.CharField("理由", max_length=500)
    decided_on = models.DateField("认定日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="认定人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "认定"
        verbose_name_plural = "认定"
        ordering = ["-decided_on", "-id"]


class MeasureKind(models.TextChoices):
    """帮扶措施: drawn from fupin's own modules."""

    JOB = "job", "岗位推荐/转移就业"
    WELFARE_POST = "welfare_post", "公益性岗位安置"
    TRAINING = "training", "技能培训"
    PREMIUM = "premium", "代缴城乡居民保险费"
    MEDICAL = "medical", "医疗救助/健康扶贫"
    OTHER = "other", "其他帮扶"


class Measure(NoDelete):
    """帮扶措施 recorded for a monitored household (also written to the person's 帮扶台账)."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="measures"
    )
    village_code = models.CharField("村代码", max_length=12)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="对象",
    )
    kind = models.CharField("措施", max_length=14, choices=MeasureKind.choices)
    description = models.CharField("内容", max_length=300)
    day = models.DateField("日期")
    ledger_entry_id = models.BigIntegerField("台账记录", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["-day", "-id"]


class Review(NoDelete):
    """季度回访: each quarter, whether the household's situation is stable."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="reviews"
    )
    village_code = models.CharField("村代码", max_length=12)
    quarter = models.CharField("季度", max_length=7, help_text="如 2026-Q4")
    reviewed_on = models.DateField("回访日期")
    income_per_capita_fen = models.BigIntegerField("人均纯收入(分)")
    stable = models.BooleanField("风险已稳定消除")
    note = models.CharField("情况", max_length=500)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "季度回访"
        verbose_name_plural = "季度回访"
        ordering = ["-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["monitored", "quarter"], name="review_once_a_quarter")
        ]


class StageChange(NoDelete):
    """阶段变更记录: the full history of a monitored household."""

    AREA_CODE_FIELD = "village_code"

    monitored = models.ForeignKey(
        MonitoredHousehold, on_delete=models.PROTECT, related_name="history"
    )
    village_code = models.CharField("村代码", max_length=12)
    old_stage = models.CharField("原阶段", max_length=14, choices=Stage.choices, blank=True)
    new_stage = models.CharField("新阶段", max_length=14, choices=Stage.choices)
    day = models.DateField("日期")
    reason = models.CharField("原因", max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "监测阶段变更"
        verbose_name_plural = "监测阶段变更"
        ordering = ["monitored_id", "day", "id"]
        indexes = [models.Index(fields=["monitored", "day"], name="stagechange_monitored")]
