"""就业帮扶: employers (用人单位), postings (岗位), recommendations (岗位推荐), job fairs
(专场招聘会), referrals and placements (推荐就业、上岗), still-employed checks, follow-up
visits (跟踪回访), public-welfare post subsidies (公益性岗位补贴).

Area scope: employers and postings are bound to the area of the office that registered them
(`area_code`, 12 digits padded with zeros: a county-registered posting is 360222000000);
everything about a person carries the person's `village_code`.
"""

import datetime as dt

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class Occupation(models.Model):
    """职业分类大典（2022 年版）: reference data loaded by `fupin load_occupations`."""

    code = models.CharField("职业编码", max_length=12, primary_key=True)  # 4-01-02-03
    level = models.PositiveSmallIntegerField("层级")  # 1 大类 2 中类 3 小类 4 细类（职业）
    name = models.CharField("名称", max_length=100, db_index=True)
    definition = models.TextField("定义", blank=True)

    class Meta:
        verbose_name = "职业（职业分类大典 2022）"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    WORKSHOP = "workshop", "就业扶贫车间"
    COOPERATIVE = "cooperative", "合作社"
    WELFARE = "welfare", "公益性岗位开发单位"


class Employer(models.Model):
    """用人单位."""

    AREA_CODE_FIELD = "area_code"

    name = models.CharField("单位名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField(
        "类型", max_length=12, choices=EmployerKind.choices, default=EmployerKind.ENTERPRISE
    )
    area_code = models.CharField(
        "登记区划", max_length=12, help_text="所在村/乡镇/县的12位代码（县外单位记县级代码）"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位"
        ordering = ["area_code", "name"]
        indexes = [models.Index(fields=["area_code", "id"], name="employer_area")]

    def __str__(self) -> str:
        return self.name


class Physical(models.TextChoices):
    LIGHT = "light", "轻体力"
    NORMAL = "normal", "一般体力"
    HEAVY = "heavy", "重体力"


class Schedule(models.TextChoices):
    FULL_TIME = "full_time", "全职"
    SEASONAL = "seasonal", "季节性"
    HOME_BASED = "home_based", "居家就业"


class Posting(models.Model):
    """岗位信息: public job information, shared-readable and owner-writable.

    Every user of the county reads every posting of the county (a township's seekers are
    recommended and referred to postings anywhere in it); only the area that registered the
    posting (its employer's area) edits it. Reads go through `shared_readable()`.
    """

    AREA_CODE_FIELD = "area_code"
    SHARED_READABLE = True

    employer = models.ForeignKey(
        Employer, verbose_name="用人单位", on_delete=models.PROTECT, related_name="postings"
    )
    area_code = models.CharField("登记区划", max_length=12, editable=False)
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业（大典2022）", on_delete=models.PROTECT
    )
    title = models.CharField("岗位名称", max_length=100)
    positions = models.PositiveIntegerField("招聘人数", default=1)
    filled = models.PositiveIntegerField("已录用", default=0, editable=False)
    wage_min_fen = models.PositiveIntegerField("月薪下限(分)")
    wage_max_fen = models.PositiveIntegerField("月薪上限(分)")
    work_area_code = models.CharField(
        "工作地区划", max_length=12, help_text="12位，县外写到市或省并补0"
    )
    work_place = models.CharField("工作地点", max_length=100)
    age_min = models.PositiveSmallIntegerField("最低年龄", default=16)
    age_max = models.PositiveSmallIntegerField("最高年龄", default=60)
    physical = models.CharField(
        "体力要求", max_length=8, choices=Physical.choices, default=Physical.NORMAL
    )
    trade = models.CharField(
        "所需工种/技能", max_length=50, blank=True, help_text="与培训工种同名时优先推荐受训者"
    )
    requires_skill = models.BooleanField("需技能劳动力", default=False)
    certificate = models.CharField("所需证书", max_length=50, blank=True)
    accepts_disabled = models.BooleanField("接收残疾人", default=False)
    schedule = models.CharField(
        "用工形式", max_length=12, choices=Schedule.choices, default=Schedule.FULL_TIME
    )
    lodging = models.BooleanField("提供食宿", default=False)
    transport = models.BooleanField("提供交通", default=False)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["-opens_on", "id"]
        indexes = [
            models.Index(fields=["area_code", "id"], name="posting_area"),
            models.Index(fields=["closes_on"], name="posting_closes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wage_min_fen__lte=models.F("wage_max_fen")),
                name="posting_wage_range",
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")), name="posting_age_range"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("closes_on")), name="posting_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer.name}·{self.title}"

    @property
    def is_welfare(self) -> bool:
        return self.employer.kind == EmployerKind.WELFARE

    @property
    def remaining(self) -> int:
        return max(self.positions - self.filled, 0)

    def is_open(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on and self.filled < self.positions

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_code = self.employer.area_code
        super().save(*args, **kwargs)


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RecommendationBatch(models.Model):
    """一次批量推荐 (background task): progress kept here so pages can poll it."""

    AREA_CODE_FIELD = "area_code"

    area_code = models.CharField("区划", max_length=12)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    seekers = models.PositiveIntegerField("求职人数", default=0)
    postings = models.PositiveIntegerField("在招岗位", default=0)
    written = models.PositiveIntegerField("推荐条数", default=0)
    short = models.PositiveIntegerField("不足条数的人数", default=0)
    seconds = models.FloatField("耗时(秒)", default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class Recommendation(models.Model):
    """岗位推荐: one posting offered to one person, with rank, score and Chinese reasons."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="recommendations")
    village_code = models.CharField(max_length=12)
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="recommendations")
    batch = models.ForeignKey(RecommendationBatch, null=True, blank=True, on_delete=models.PROTECT)
    rank = models.PositiveSmallIntegerField("序号")
    score = models.FloatField("匹配度")
    reasons = models.CharField("推荐理由", max_length=300)
    current = models.BooleanField("当前有效", default=True)
    created_on = models.DateField("推荐日期")

    class Meta:
        verbose_name = "岗位推荐"
        verbose_name_plural = "岗位推荐"
        ordering = ["person_id", "rank"]
        indexes = [
            models.Index(fields=["village_code", "current", "person"], name="rec_area_current"),
            models.Index(fields=["person", "current"], name="rec_person_current"),
        ]


class JobFair(models.Model):
    """专场招聘会进乡镇: one fair in one township on one day."""

    AREA_CODE_FIELD = "area_code"

    area_code = models.CharField("乡镇", max_length=12, help_text="乡镇代码补足12位")
    title = models.CharField("名称", max_length=100)
    held_on = models.DateField("日期")
    time_text = models.CharField("时间", max_length=30, default="上午9:00–12:00")
    place = models.CharField("地点", max_length=100)
    organiser = models.CharField("主办", max_length=100, default="县人社局、乡镇人民政府")
    employers = models.ManyToManyField(Employer, blank=True, verbose_name="参会单位")
    postings = models.ManyToManyField(Posting, blank=True, verbose_name="参会岗位")
    visitors = models.PositiveIntegerField("入场人数", default=0)

    class Meta:
        verbose_name = "专场招聘会"
        verbose_name_plural = "专场招聘会"
        ordering = ["held_on", "area_code"]


class FairOutcome(models.TextChoices):
    ATTENDED = "attended", "到场"
    INTENT = "intent", "达成意向"
    REFERRED = "referred", "已推荐面试"


class FairAttendance(models.Model):
    AREA_CODE_FIELD = "village_code"

    fair = models.ForeignKey(JobFair, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="fair_attendances")
    village_code = models.CharField(max_length=12)
    outcome = models.CharField(
        "结果", max_length=10, choices=FairOutcome.choices, default=FairOutcome.ATTENDED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fair", "person"], name="fair_attendance_once")
        ]


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "已推荐"
    INTERVIEW = "interview", "已面试"
    HIRED = "hired", "已上岗"
    DECLINED = "declined", "未录用"
    LEFT = "left", "已离岗"


REFERRAL_TRANSITIONS = {
    ReferralStatus.REFERRED: {
        ReferralStatus.INTERVIEW,
        ReferralStatus.HIRED,
        ReferralStatus.DECLINED,
    },
    ReferralStatus.INTERVIEW: {ReferralStatus.HIRED, ReferralStatus.DECLINED},
    ReferralStatus.HIRED: {ReferralStatus.LEFT},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.LEFT: set(),
}


class Referral(models.Model):
    """推荐就业 → 面试 → 上岗 → 在岗核查 → 离岗."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    village_code = models.CharField(max_length=12)
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        "状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    referred_on = models.DateField("推荐日期")
    interview_on = models.DateField("面试日期", null=True, blank=True)
    hired_on = models.DateField("上岗日期", null=True, blank=True)
    wage_fen = models.PositiveIntegerField("月工资(分)", null=True, blank=True)
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "推荐就业"
        verbose_name_plural = "推荐就业"
        ordering = ["-referred_on", "-id"]
        indexes = [models.Index(fields=["village_code", "status"], name="referral_area_status")]
        constraints = [
            # One open referral of a person to a posting at a time.
            models.UniqueConstraint(
                fields=["person", "posting"],
                condition=models.Q(status__in=["referred", "interview", "hired"]),
                name="referral_one_open",
            ),
        ]


class EmploymentCheck(models.Model):
    """在岗核查."""

    AREA_CODE_FIELD = "village_code"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="checks")
    village_code = models.CharField(max_length=12)
    checked_on = models.DateField("核查日期")
    still_employed = models.BooleanField("仍在岗")
    note = models.CharField("说明", max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-checked_on", "-id"]


class VisitKind(models.TextChoices):
    HOME = "home", "入户回访"
    PHONE = "phone", "电话回访"


class FollowUpVisit(models.Model):
    """按季跟踪回访 (000): every person with a training or employment need, each quarter."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="follow_ups")
    village_code = models.CharField(max_length=12)
    visited_on = models.DateField("回访日期")
    kind = models.CharField("方式", max_length=6, choices=VisitKind.choices, default=VisitKind.HOME)
    employed = models.BooleanField("目前就业", default=False)
    needs = models.CharField("新需求", max_length=200, blank=True)
    note = models.CharField("情况", max_length=300, blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "跟踪回访"
        verbose_name_plural = "跟踪回访"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["person", "visited_on"], name="visit_person_day")]


class WelfareSubsidy(models.Model):
    """公益性岗位补贴: one month of one placement on a public-welfare post."""

    AREA_CODE_FIELD = "village_code"

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="welfare_subsidies"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="welfare_subsidies")
    village_code = models.CharField(max_length=12)
    month = models.DateField("月份", help_text="当月1日")
    amount_fen = models.PositiveIntegerField("补贴(分)")
    pack_id = models.CharField("政策包", max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "month"], name="welfare_subsidy_once_a_month"
            )
        ]
