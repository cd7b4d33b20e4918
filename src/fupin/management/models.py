"""工作调度: the county's management loop — indicators (指标), plans with phases and targets
(攻坚方案、阶段、目标任务), the task ledger (任务台账) with its evidence, and the monthly progress
bulletin (就业脱贫工程实施进度通报) with each township's read confirmation.

Area codes here are 12 digits padded with zeros (a township 360222100 is 360222100000, the
county 360222000000), like postings and job fairs.
"""

import datetime as dt

from django.conf import settings
from django.db import models


class PeriodType(models.TextChoices):
    MONTH = "month", "月"
    QUARTER = "quarter", "季"
    YEAR = "year", "年"


class IndicatorKind(models.TextChoices):
    COUNT = "count", "数量"
    RATIO = "ratio", "比率（%）"
    SUM_FEN = "sum_fen", "金额（元）"
    MANUAL = "manual", "乡镇填报"


class Indicator(models.Model):
    """指标 (as DHIS2 defines one): a numerator and a denominator declared as data over fupin's
    own tables (`fupin.management.indicators` evaluates them), the period they are counted over,
    and the document sentence they serve. A county adds an indicator by adding a row (admin, or
    a line in data/indicators.yaml), not code. Definitions are the county's reference data, read
    by every user; they hold no personal data."""

    code = models.SlugField("指标代码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=60)
    kind = models.CharField(
        "类型", max_length=8, choices=IndicatorKind.choices, default=IndicatorKind.COUNT
    )
    unit = models.CharField("单位", max_length=8, default="人")
    numerator = models.JSONField("分子（计数定义）", default=dict, blank=True)
    denominator = models.JSONField("分母（计数定义）", null=True, blank=True)
    period_type = models.CharField(
        "统计周期", max_length=8, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    cumulative = models.BooleanField(
        "时点/累计数",
        default=False,
        help_text="勾选：统计截至期末的存量（如覆盖率、在岗人数）；不勾选：统计期内新增",
    )
    source_doc = models.CharField("依据文件", max_length=8, blank=True)
    source_text = models.TextField("依据原文", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """攻坚方案/行动方案: a county plan with its period, phases and targets.

    Shared-readable, owner-writable: every township works to the county's plan, so every user of
    the county reads it (its name, dates, source); only the county that set it changes it. A plan
    holds no personal data; the targets of each township are read through `scoped()`."""

    AREA_CODE_FIELD = "area_code"
    SHARED_READABLE = True

    name = models.CharField("方案名称", max_length=100)
    area_code = models.CharField("制定区划", max_length=12)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    source_doc = models.CharField("依据文件", max_length=8, blank=True)
    source_text = models.TextField("依据原文", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "攻坚方案"
        verbose_name_plural = "攻坚方案"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="plan_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """实施阶段 of a plan (002: 制定帮扶计划、全面实施、巩固提升、总结验收), read with its plan."""

    AREA_CODE_FIELD = "plan__area_code"
    SHARED_READABLE = True

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField("阶段", max_length=60)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    summary = models.CharField("主要任务", max_length=300, blank=True)

    class Meta:
        verbose_name = "实施阶段"
        verbose_name_plural = "实施阶段"
        ordering = ["plan_id", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="phase_dates"
            )
        ]


class Target(models.Model):
    """目标任务: one indicator's target for one area over a plan's period, set by the county;
    a township reads its own (and the county's total is the county row)."""

    AREA_CODE_FIELD = "area_code"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    area_code = models.CharField("区划", max_length=12)
    value = models.PositiveIntegerField("目标值")
    note = models.CharField("说明", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["plan_id", "indicator__order", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "area_code"], name="target_once")
        ]


class ManualValue(models.Model):
    """乡镇填报值: the count of an indicator fupin has no table for (示范点、送岗位信息下乡),
    reported by the township for a month."""

    AREA_CODE_FIELD = "area_code"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="manual_values")
    area_code = models.CharField("区划", max_length=12)
    month = models.DateField("月份", help_text="当月1日")
    value = models.PositiveIntegerField("数值")
    note = models.CharField("说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "乡镇填报值"
        verbose_name_plural = "乡镇填报值"
        ordering = ["-month", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "month"], name="manual_value_once"
            )
        ]


class TaskStatus(models.TextChoices):
    TODO = "todo", "未开始"
    DOING = "doing", "推进中"
    DONE = "done", "已完成"


class Task(models.Model):
    """任务台账: one task with its responsible area and person, deadline, status and evidence."""

    AREA_CODE_FIELD = "area_code"

    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField("任务", max_length=100)
    detail = models.CharField("要求", max_length=500, blank=True)
    area_code = models.CharField("责任区划", max_length=12)
    owner = models.CharField("责任人", max_length=50)
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=8, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    progress_note = models.CharField("进展情况", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "任务台账"
        verbose_name_plural = "任务台账"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["area_code", "status", "due_on"], name="task_area_status_due")
        ]

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, day: dt.date) -> bool:
        return self.status != TaskStatus.DONE and self.due_on < day


class Evidence(models.Model):
    """佐证材料: a file kept with its task. Its type is read from its bytes, never its name; it is
    stored under a random name and served only as a download."""

    AREA_CODE_FIELD = "task__area_code"

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("文件", upload_to="evidence/%Y/%m/")
    name = models.CharField("文件名", max_length=100)
    kind = models.CharField("类型", max_length=8)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField(max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["task_id", "id"]


class Bulletin(models.Model):
    """就业脱贫工程实施进度通报 (004: 按月形成…通报，将通报结果发送至各乡镇政府): the month's
    ranking of the townships, kept as generated (a snapshot) so what was sent stays as sent.

    Shared-readable, owner-writable: sent to every township, which reads the whole ranking
    (township names and counts, no personal data); only the county generates and publishes."""

    AREA_CODE_FIELD = "area_code"
    SHARED_READABLE = True

    area_code = models.CharField("发布区划", max_length=12)
    month = models.DateField("月份", help_text="当月1日")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="bulletins"
    )
    title = models.CharField("标题", max_length=100)
    remarks = models.TextField("督查意见", blank=True)
    data = models.JSONField("通报数据", default=dict)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "进度通报"
        verbose_name_plural = "进度通报"
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "month"], name="bulletin_once_a_month")
        ]

    def __str__(self) -> str:
        return self.title


class BulletinRead(models.Model):
    """已阅确认: who in a township confirmed reading a bulletin, and when (once per person)."""

    AREA_CODE_FIELD = "area_code"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="reads")
    area_code = models.CharField("区划", max_length=12)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    name = models.CharField("确认人", max_length=150)
    read_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "通报已阅确认"
        verbose_name_plural = "通报已阅确认"
        ordering = ["bulletin_id", "read_at"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_read_once")
        ]


class SnapshotRun(models.Model):
    """统计快照（分析表）的一次生成: which day it stands for, which period windows it holds, when
    and how fast it was built. The figures are `SnapshotValue` rows. A run header holds no
    figures and no personal data (day, windows, timings) and is read by every user: whether a
    township may see a figure is decided on the values, through `scoped()`."""

    day = models.DateField("快照日期")
    scope_code = models.CharField(
        "统计范围", max_length=12, blank=True, help_text="生成者的辖区代码前缀；空表示全部区划"
    )
    windows = models.JSONField("统计期起点", default=list)
    built_at = models.DateTimeField("生成时间")
    seconds = models.FloatField("用时（秒）", default=0)
    rows = models.PositiveIntegerField("数据行数", default=0)
    registry = models.BooleanField(
        "含登记表计数", default=False, help_text="工作台的户数、人数等登记表计数也在这次快照中"
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        ordering = ["-day", "scope_code"]
        constraints = [
            models.UniqueConstraint(fields=["day", "scope_code"], name="snapshot_once_a_day")
        ]

    @property
    def reconstructed(self) -> bool:
        """补建: built more than a day after the day it stands for, so stock figures (coverage)
        show the registry as it stood when built, not as it stood that day."""
        return (self.built_at.date() - self.day).days > 1


class SnapshotLevel(models.IntegerChoices):
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村"


class SnapshotValue(models.Model):
    """分析表的一行 (DHIS2 analytics): one indicator's numerator and denominator for one area on
    one day, over the window [since, day] (since empty: a stock figure as of the day). Township
    rows are counted per township (distinct persons stay distinct); village rows per village
    code. Zero figures are not stored."""

    AREA_CODE_FIELD = "area_code"

    day = models.DateField("快照日期")
    since = models.DateField("统计期起点", null=True, blank=True)
    indicator_code = models.CharField("指标代码", max_length=40)
    area_code = models.CharField("区划", max_length=12)
    level = models.PositiveSmallIntegerField("层级", choices=SnapshotLevel.choices)
    num = models.BigIntegerField("分子", default=0)
    den = models.BigIntegerField("分母", null=True, blank=True)

    class Meta:
        verbose_name = "统计快照数据"
        verbose_name_plural = "统计快照数据"
        indexes = [
            models.Index(fields=["day", "level", "area_code"], name="snapshot_day_level_area")
        ]


class Interview(models.Model):
    """约谈记录 (002: 对工作滞后的乡镇和责任人进行约谈): a lagging township (or one of its tasks)
    interviewed — who, when, why, the actions agreed, the deadline to follow up, and an evidence
    file (the minutes, checked like task evidence). Recorded by the county, read by the township
    interviewed."""

    AREA_CODE_FIELD = "area_code"

    area_code = models.CharField("被约谈乡镇", max_length=12)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="interviews"
    )
    bulletin = models.ForeignKey(
        Bulletin, null=True, blank=True, on_delete=models.PROTECT, related_name="interviews"
    )
    held_on = models.DateField("约谈日期")
    interviewee = models.CharField("被约谈人", max_length=100)
    interviewer = models.CharField("约谈人", max_length=100)
    reason = models.CharField("约谈事由", max_length=500)
    actions = models.TextField("整改措施", max_length=2000)
    follow_up_on = models.DateField("整改期限")
    followed_up_on = models.DateField("跟踪核查日期", null=True, blank=True)
    follow_up_note = models.CharField("整改情况", max_length=500, blank=True)
    file = models.FileField("约谈记录材料", upload_to="interviews/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=100, blank=True)
    file_kind = models.CharField("类型", max_length=8, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # 整改报告: the township's report on the actions agreed (text and a file checked like the
    # minutes), resubmitted until the county accepts it (验收); nothing changes after that.
    report_text = models.TextField("整改报告", max_length=2000, blank=True)
    report_file = models.FileField(
        "整改报告材料", upload_to="interviews/reports/%Y/%m/", blank=True
    )
    report_file_name = models.CharField("整改报告文件名", max_length=100, blank=True)
    report_file_kind = models.CharField("整改报告文件类型", max_length=8, blank=True)
    report_file_sha256 = models.CharField(max_length=64, blank=True)
    report_submitted_at = models.DateTimeField("整改报告提交时间", null=True, blank=True)
    report_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="整改报告提交人",
    )
    report_accepted_at = models.DateTimeField("整改报告验收时间", null=True, blank=True)
    report_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="整改报告验收人",
    )
    report_accept_note = models.CharField("验收意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "约谈记录"
        verbose_name_plural = "约谈记录"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(held_on__lte=models.F("follow_up_on")),
                name="interview_follow_up_after",
            )
        ]

    def __str__(self) -> str:
        return f"约谈 {self.interviewee}（{self.held_on}）"

    def follow_up_overdue(self, day: dt.date) -> bool:
        return self.followed_up_on is None and self.follow_up_on < day

    @property
    def report_state(self) -> str:
        if self.report_accepted_at:
            return "整改报告已验收"
        if self.report_submitted_at:
            return "整改报告待验收"
        return "未提交整改报告"
