"""技能培训: courses (培训班), enrolment, attendance, completion, certificates, the one-time
job-seeking subsidy on a certificate (取证求职补贴), and technical-school students from poor
families (技工院校贫困家庭学生)."""

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class CourseKind(models.TextChoices):
    SKILLS = "skills", "就业技能培训"
    STARTUP = "startup", "创业培训（SYB）"
    ECOMMERCE = "ecommerce", "电子商务创业培训"


class Course(models.Model):
    """培训班."""

    AREA_CODE_FIELD = "area_code"

    title = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类别", max_length=10, choices=CourseKind.choices, default=CourseKind.SKILLS
    )
    trade = models.CharField("工种", max_length=50)
    provider = models.CharField("培训机构", max_length=100)
    area_code = models.CharField("举办地区划", max_length=12, help_text="乡镇或村代码补足12位")
    place = models.CharField("地点", max_length=100)
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    sessions = models.PositiveSmallIntegerField("课次", default=10)
    capacity = models.PositiveSmallIntegerField("名额", default=40)
    subsidy_fen = models.PositiveIntegerField("培训补贴标准(分/人)", default=0)
    certificate_kind = models.CharField(
        "可取证书",
        max_length=50,
        blank=True,
        help_text="如：职业资格证、职业技能等级证书；空为培训合格证",
    )

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="course_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "在训"
    COMPLETED = "completed", "结业"
    DROPPED = "dropped", "退训"


class Enrolment(models.Model):
    AREA_CODE_FIELD = "village_code"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    village_code = models.CharField(max_length=12)
    status = models.CharField(
        "状态", max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_on = models.DateField("报名日期")
    attended = models.PositiveSmallIntegerField("出勤课次", default=0)
    completed_on = models.DateField("结业日期", null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    certificate_kind = models.CharField("证书", max_length=50, blank=True)
    certificate_on = models.DateField("取证日期", null=True, blank=True)

    class Meta:
        verbose_name = "培训报名"
        verbose_name_plural = "培训报名"
        ordering = ["course_id", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="enrolment_once")]


class Attendance(models.Model):
    AREA_CODE_FIELD = "village_code"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    village_code = models.CharField(max_length=12)
    day = models.DateField("日期")
    present = models.BooleanField("到课", default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_once_a_day")
        ]


class JobSeekingSubsidy(models.Model):
    """取证一次性求职补贴 (004: 500 元/人): once per person, enforced by the database."""

    AREA_CODE_FIELD = "village_code"

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="job_seeking_subsidy"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT)
    village_code = models.CharField(max_length=12)
    amount_fen = models.PositiveIntegerField("金额(分)")
    pack_id = models.CharField("政策包", max_length=40)
    granted_on = models.DateField("发放日期")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)


class TechnicalStudentAid(models.Model):
    """技工院校贫困家庭学生：免学杂费与生活费补助（002），按学年一条."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="technical_aid")
    village_code = models.CharField(max_length=12)
    school = models.CharField("技工院校", max_length=100)
    major = models.CharField("专业", max_length=50, blank=True)
    school_year = models.PositiveSmallIntegerField("学年（起始年）")
    tuition_waived = models.BooleanField("免学杂费", default=True)
    living_allowance_fen = models.PositiveIntegerField("生活费补助(分)", default=0)
    pack_id = models.CharField("政策包", max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school_year"], name="technical_aid_once_a_year"
            )
        ]
