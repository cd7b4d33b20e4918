"""慢性病鉴定 (chronic-disease appraisal of the registered poor), as 000 and 001 describe it:
a notice to every poor person (鉴定通知), applications (本人或村协理员代为申请; 上门鉴定 for the
bedridden), 甲类 appraised at any time and 乙类 in quarterly rounds (季度鉴定批次), the
conclusion, a public notice with objections (公示与异议), the certificate (慢性病医疗证) with one
designated hospital in the county, and new diseases added later (动态管理) with the history kept.

A certificate's dated history (CertificateChange) is what the settlement reads:
`fupin.appraisal.selectors.chronic_class_on(person_id, day)`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.registry.models import Person


def diseases_text(diseases: list[str]) -> str:
    return "、".join(diseases)


def diseases_list(text: str) -> list[str]:
    return [d for d in text.split("、") if d]


class NoticeWay(models.TextChoices):
    VISIT = "visit", "入户送达"
    MEETING = "meeting", "村组会议告知"
    PHONE = "phone", "电话告知"


class Notice(models.Model):
    """鉴定通知: who was told of the appraisal, when, how and by whom (001: 对所有贫困人口下发鉴定通知)."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appraisal_notices")
    village_code = models.CharField("村代码", max_length=12)
    notified_on = models.DateField("通知日期")
    way = models.CharField(
        "通知方式", max_length=10, choices=NoticeWay.choices, default=NoticeWay.VISIT
    )
    note = models.CharField("备注", max_length=200, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="通知人"
    )

    class Meta:
        verbose_name = "鉴定通知"
        verbose_name_plural = "鉴定通知"
        ordering = ["village_code", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person"], name="appraisal_notice_once")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.notified_on:%Y-%m-%d} {self.get_way_display()}"


class Hospital(models.Model):
    """门诊慢性病定点医院. Public information: readable in the whole county (SHARED_READABLE), kept by
    the area that registered it; a person chooses one in his own county (000)."""

    AREA_CODE_FIELD = "area_code"
    SHARED_READABLE = True

    name = models.CharField("医院名称", max_length=100)
    level = models.PositiveSmallIntegerField(
        "医院等级", choices=[(1, "一级"), (2, "二级"), (3, "三级")]
    )
    area_code = models.CharField("所在区划", max_length=12, help_text="乡镇或县代码补足12位")
    address = models.CharField("地址", max_length=200, blank=True)
    active = models.BooleanField("接受选定", default=True)

    class Meta:
        verbose_name = "定点医院"
        verbose_name_plural = "定点医院"
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "name"], name="hospital_name_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class AppraisalRound(models.Model):
    """乙类季度鉴定批次: the date and place of a quarterly round; it serves the whole county. Public
    schedule information without personal data (SHARED_READABLE), planned by the county."""

    AREA_CODE_FIELD = "area_code"
    SHARED_READABLE = True

    area_code = models.CharField("组织区划", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in range(1, 5)]
    )
    held_on = models.DateField("鉴定日期")
    place = models.CharField("鉴定地点", max_length=100)
    experts = models.CharField("鉴定专家/机构", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "季度鉴定批次"
        verbose_name_plural = "季度鉴定批次"
        ordering = ["-held_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "year", "quarter"], name="appraisal_round_once_a_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_quarter_display()}乙类鉴定（{self.held_on:%Y-%m-%d}）"


class Applicant(models.TextChoices):
    SELF = "self", "本人申请"
    ASSISTANT = "assistant", "村协理员代为申请"


class Stage(models.TextChoices):
    """鉴定申请的状态."""

    APPLIED = "applied", "待鉴定"
    WAITING = "waiting", "待季度鉴定"
    NOTICE = "notice", "公示中"
    REFUSED = "refused", "鉴定不符合"
    OBJECTED = "objected", "异议成立，不予发证"
    CERTIFIED = "certified", "已发证"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STAGES = (Stage.APPLIED, Stage.WAITING, Stage.NOTICE)
# Which stage may follow which; anything else is refused with the two stage names.
TRANSITIONS: dict[str, set[str]] = {
    Stage.APPLIED: {Stage.WAITING, Stage.NOTICE, Stage.REFUSED, Stage.WITHDRAWN},
    Stage.WAITING: {Stage.NOTICE, Stage.REFUSED, Stage.WITHDRAWN},
    Stage.NOTICE: {Stage.CERTIFIED, Stage.OBJECTED},
    Stage.REFUSED: set(),
    Stage.OBJECTED: set(),
    Stage.CERTIFIED: set(),
    Stage.WITHDRAWN: set(),
}


class Application(models.Model):
    """鉴定申请 and its conclusion (鉴定结论) and public notice (公示). One open application per person;
    an application of a certificate holder adds its diseases to that certificate (动态管理)."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="appraisal_applications"
    )
    village_code = models.CharField("村代码", max_length=12)
    chronic_class = models.CharField("申请类别", max_length=8)
    diseases = models.CharField("申报病种", max_length=300, help_text="多个病种以“、”分隔")
    applied_on = models.DateField("申请日期")
    applicant = models.CharField(
        "申请方式", max_length=10, choices=Applicant.choices, default=Applicant.SELF
    )
    home_appraisal = models.BooleanField("上门鉴定", default=False)
    home_reason = models.CharField(
        "上门鉴定原因", max_length=100, blank=True, help_text="如：长期卧床、行动不便"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    stage = models.CharField("状态", max_length=10, choices=Stage.choices)
    round = models.ForeignKey(
        AppraisalRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="季度鉴定批次",
    )
    amends = models.ForeignKey(
        "Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name="新增病种的医疗证",
    )
    # 鉴定结论
    appraised_on = models.DateField("鉴定日期", null=True, blank=True)
    appraiser = models.CharField("鉴定专家/机构", max_length=100, blank=True)
    approved = models.BooleanField("鉴定符合", null=True)
    concluded_class = models.CharField("鉴定类别", max_length=8, blank=True)
    concluded_diseases = models.CharField("鉴定病种", max_length=300, blank=True)
    refusal_reason = models.CharField("不符合原因", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 公示
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "鉴定申请"
        verbose_name_plural = "鉴定申请"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(stage__in=["applied", "waiting", "notice"]),
                name="appraisal_one_open_application",
            ),
        ]
        indexes = [models.Index(fields=["village_code", "stage"], name="appraisal_app_area_stage")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.diseases}"

    @property
    def disease_list(self) -> list[str]:
        return diseases_list(self.concluded_diseases or self.diseases)


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已注销"


class Certificate(models.Model):
    """慢性病医疗证 (门诊慢性病证, kept in the family's 扶贫资料袋): number, class, diseases, valid from,
    the one designated hospital. Its changes are CertificateChange rows, never overwritten history."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="chronic_certificates"
    )
    village_code = models.CharField("村代码", max_length=12)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField("证号", max_length=30, unique=True)
    chronic_class = models.CharField("类别", max_length=8)
    diseases = models.CharField("病种", max_length=600)
    valid_from = models.DateField("有效期起")
    issued_on = models.DateField("发证日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        Hospital,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name="定点医院",
    )
    hospital_chosen_on = models.DateField("选定医院日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_on = models.DateField("注销日期", null=True, blank=True)
    revoke_reason = models.CharField("注销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "慢性病医疗证"
        verbose_name_plural = "慢性病医疗证"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="valid"), name="chronic_certificate_one_valid"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def disease_list(self) -> list[str]:
        return diseases_list(self.diseases)


class ChangeKind(models.TextChoices):
    ISSUED = "issued", "发证"
    DISEASE_ADDED = "disease_added", "新增病种"
    HOSPITAL = "hospital", "选定定点医院"
    REVOKED = "revoked", "注销"


class CertificateChange(models.Model):
    """医疗证变更记录: the certificate as it stood from `effective_on` (class and diseases after the
    change). The class a claim settles with is the one of the latest row on or before its date."""

    AREA_CODE_FIELD = "village_code"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="changes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("村代码", max_length=12)
    kind = models.CharField("变更", max_length=14, choices=ChangeKind.choices)
    effective_on = models.DateField("生效日期")
    chronic_class = models.CharField("类别", max_length=8, blank=True, help_text="注销后为空")
    diseases = models.CharField("病种", max_length=600, blank=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField("说明", max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "医疗证变更记录"
        verbose_name_plural = "医疗证变更记录"
        ordering = ["effective_on", "id"]
        indexes = [
            models.Index(fields=["person", "effective_on"], name="appraisal_change_person_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on:%Y-%m-%d}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(models.Model):
    """公示异议: raised during the notice period; a certificate is issued only when every objection is
    resolved and none upheld (000: 鉴定结论公示无异议后 … 发放《慢性病医疗证》)."""

    AREA_CODE_FIELD = "village_code"

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    village_code = models.CharField("村代码", max_length=12)
    raised_on = models.DateField("提出日期")
    objector = models.CharField("异议人", max_length=50)
    content = models.CharField("异议内容", max_length=500)
    status = models.CharField(
        "处理结果", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolution = models.CharField("处理意见", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.objector} {self.raised_on:%Y-%m-%d}"


class ReportSubmission(models.Model):
    """鉴定日报报送 (001: 建立了慢性病鉴定日报送机制): a township's figures of one day as it sent them."""

    AREA_CODE_FIELD = "area_code"

    area_code = models.CharField("报送区划", max_length=12, help_text="乡镇代码补足12位")
    day = models.DateField("日报日期")
    figures = models.JSONField("报送数字")
    note = models.CharField("说明", max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "鉴定日报报送"
        verbose_name_plural = "鉴定日报报送"
        ordering = ["day", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "day"], name="appraisal_report_once_a_day")
        ]

    def __str__(self) -> str:
        return f"鉴定日报 {self.day:%Y-%m-%d}"
