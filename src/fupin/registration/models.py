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
