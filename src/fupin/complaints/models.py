"""诉求与投诉: what a resident asks for or complains about, with the time limits of the county's
pack (受理、答复), escalation village → township → county when a limit passes, the answer shown
to the resident and the resident's satisfaction.

Filed by the resident in the portal, by the village assistant on his behalf (代办), or by staff
from a phone call or a visit. The deadlines are fixed at filing from the pack then in force; the
level a complaint sits at is computed on read (`selectors.with_level`) and written down, with an
`Escalation` row each time, by `fupin escalate_complaints` (hourly: deploy/systemd/fupin-escalate-complaints.timer),
which also texts the `NoticeContact`s the county set up for the level reached.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from fupin.registry.models import Person


class Kind(models.TextChoices):
    REQUEST = "request", "诉求"
    COMPLAINT = "complaint", "投诉"


class Channel(models.TextChoices):
    PORTAL = "portal", "居民本人（门户）"
    ASSISTED = "assisted", "村协理员代办"
    PHONE = "phone", "电话反映"
    VISIT = "visit", "来访"


class Level(models.IntegerChoices):
    VILLAGE = 1, "村"
    TOWNSHIP = 2, "乡镇人社所"
    COUNTY = 3, "县人社局"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Complaint(models.Model):
    """一件诉求或投诉."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name="反映人",
    )
    village_code = models.CharField("村代码", max_length=12)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    category = models.CharField("类别", max_length=20)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    subject = models.CharField("标题", max_length=100)
    content = models.CharField("内容", max_length=2000)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    filed_at = models.DateTimeField("登记时间")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    assistance = models.ForeignKey(
        "portal.Assistance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="代办记录",
    )
    pack_id = models.CharField("政策包", max_length=40)
    acknowledge_due = models.DateTimeField("受理时限")
    answer_due = models.DateTimeField("答复时限")
    level = models.PositiveSmallIntegerField(
        "办理层级", choices=Level.choices, default=Level.VILLAGE
    )
    acknowledged_at = models.DateTimeField("受理时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理人",
    )
    answer = models.CharField("答复", max_length=2000, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    satisfaction = models.CharField(
        "满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rating_note = models.CharField("评价意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "诉求与投诉"
        verbose_name_plural = "诉求与投诉"
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["village_code", "filed_at"], name="complaint_area_filed"),
            models.Index(fields=["answered_at", "answer_due"], name="complaint_open_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}"


class Escalation(models.Model):
    """升级记录: a complaint moved up a level because a time limit passed."""

    AREA_CODE_FIELD = "village_code"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="escalations")
    village_code = models.CharField("村代码", max_length=12)
    from_level = models.PositiveSmallIntegerField("原层级", choices=Level.choices)
    to_level = models.PositiveSmallIntegerField("升级至", choices=Level.choices)
    at = models.DateTimeField("升级时间")
    reason = models.CharField("原因", max_length=200)
    notified = models.PositiveSmallIntegerField("短信通知人数", default=0)

    class Meta:
        verbose_name = "诉求升级记录"
        verbose_name_plural = "诉求升级记录"
        ordering = ["at", "id"]


MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"


class NoticeContact(models.Model):
    """升级通知号码: who is texted when a complaint escalates to their level — a township's 人社所
    (a complaint of one of its villages reaching 乡镇人社所) or the county's 人社局 (reaching 县人社局).
    Set up by the county in the admin site (管理后台 › 升级通知号码); without one, nothing is texted
    and the escalation is only written down. `area_code` is the township's or county's code padded to
    12 digits, so a township account sees only its own contacts."""

    AREA_CODE_FIELD = "area_code"

    area_code = models.CharField(
        "乡镇或县代码",
        max_length=12,
        help_text="12 位：乡镇如 360222100000，县如 360222000000",
        validators=[
            RegexValidator(
                r"^[0-9]{6}(000|[0-9]{3})000$", "应为 12 位乡镇或县级区划代码（末 3 位为 000）"
            )
        ],
    )
    name = models.CharField("姓名或岗位", max_length=50)
    phone = models.CharField(
        "手机号码",
        max_length=11,
        validators=[RegexValidator(MOBILE_PATTERN, "应为 11 位数字的手机号（1 开头）")],
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "升级通知号码"
        verbose_name_plural = "升级通知号码"
        ordering = ["area_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "phone"], name="complaints_contact_once")
        ]

    def __str__(self):
        return f"{self.name}（{self.area_code}）"
