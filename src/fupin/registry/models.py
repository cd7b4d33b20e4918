"""建档立卡: registered poor households (贫困户), their members (家庭成员) and status history.

Nothing here is ever hard-deleted: leaving the list is a status (自然减少, 已脱贫), and
every change of status is a row in StatusChange.
"""

import datetime as dt
from typing import NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    DisabilityType,
    Education,
    Health,
    HouseholdAttribute,
    HousingSafety,
    IdentificationStandard,
    InsuranceStatus,
    Intention,
    LabourSkill,
    PovertyCause,
    Relation,
    RemovalReason,
    Schooling,
    Sex,
    SpecialIdentity,
    Status,
    WorkStatus,
)
from .idnumber import mask


class NoDeleteQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:
        raise PermissionError("建档立卡数据不能删除：请改为变更状态（如“自然减少”）")


class Household(models.Model):
    """贫困户."""

    AREA_CODE_FIELD = "village_code"

    number = models.CharField(_("户编号"), max_length=24, unique=True)
    village = models.ForeignKey("areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT)
    village_code = models.CharField(_("村代码"), max_length=12, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    attribute = models.CharField(
        _("贫困户属性"),
        max_length=10,
        choices=HouseholdAttribute.choices,
        default=HouseholdAttribute.GENERAL,
    )
    standard = models.CharField(
        _("识别标准"),
        max_length=12,
        choices=IdentificationStandard.choices,
        default=IdentificationStandard.NATIONAL,
    )
    year_identified = models.PositiveSmallIntegerField(_("识别年度"))
    main_cause = models.CharField(_("主要致贫原因"), max_length=12, choices=PovertyCause.choices)
    cause_2 = models.CharField(
        _("其他致贫原因一"), max_length=12, choices=PovertyCause.choices, blank=True
    )
    cause_3 = models.CharField(
        _("其他致贫原因二"), max_length=12, choices=PovertyCause.choices, blank=True
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    income_year = models.PositiveSmallIntegerField(_("收入年度"), null=True, blank=True)
    # 人均纯收入 and its four parts, yuan per person per year, kept in fen.
    income_wage_fen = models.BigIntegerField(_("工资性收入(分/人)"), default=0)
    income_business_fen = models.BigIntegerField(_("经营性收入(分/人)"), default=0)
    income_transfer_fen = models.BigIntegerField(_("转移性收入(分/人)"), default=0)
    income_property_fen = models.BigIntegerField(_("财产性收入(分/人)"), default=0)
    housing = models.CharField(
        _("住房安全"), max_length=4, choices=HousingSafety.choices, default=HousingSafety.SAFE
    )
    water_safe = models.BooleanField(_("饮水安全"), default=True)
    cadre_name = models.CharField(_("帮扶责任人"), max_length=50, blank=True)
    cadre_unit = models.CharField(_("帮扶责任人单位"), max_length=100, blank=True)
    cadre_phone = models.CharField(_("帮扶责任人电话"), max_length=20, blank=True)
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0, editable=False)
    # 版本: +1 on every write; a client sends back the version it read, a stale one is refused.
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["village_code", "id"], name="hh_area_id"),
            models.Index(fields=["status", "village_code"], name="hh_status_area"),
            models.Index(fields=["head_name"], name="hh_head_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @property
    def per_capita_income_fen(self) -> int:
        return (
            self.income_wage_fen
            + self.income_business_fen
            + self.income_transfer_fen
            + self.income_property_fen
        )

    @property
    def causes(self) -> list[str]:
        return [c for c in (self.main_cause, self.cause_2, self.cause_3) if c]

    def save(self, *args, **kwargs) -> None:
        self.village_code = self.village.code
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("建档立卡数据不能删除：请改为变更状态（如“自然减少”）")


class Person(models.Model):
    """家庭成员."""

    AREA_CODE_FIELD = "village_code"

    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), on_delete=models.PROTECT, related_name="members"
    )
    village_code = models.CharField(_("村代码"), max_length=12, editable=False)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    ethnicity = models.CharField(_("民族"), max_length=10, default="汉族")
    relation = models.CharField(_("与户主关系"), max_length=14, choices=Relation.choices)
    education = models.CharField(
        _("文化程度"), max_length=12, choices=Education.choices, blank=True
    )
    schooling = models.CharField(
        _("在校生状况"), max_length=22, choices=Schooling.choices, default=Schooling.NONE
    )
    health = models.CharField(
        _("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    disability_type = models.CharField(
        _("残疾类别"), max_length=14, choices=DisabilityType.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), null=True, blank=True, choices=[(i, f"{i}级") for i in range(1, 5)]
    )
    disability_cert = models.CharField(_("残疾证号"), max_length=30, blank=True)
    labour_skill = models.CharField(
        _("劳动技能"), max_length=8, choices=LabourSkill.choices, default=LabourSkill.GENERAL
    )
    work_status = models.CharField(
        _("务工状况"), max_length=16, choices=WorkStatus.choices, default=WorkStatus.NOT_WORKING
    )
    months_worked = models.PositiveSmallIntegerField(_("务工时间(月)"), default=0)
    intention = models.CharField(
        _("就业意愿"), max_length=8, choices=Intention.choices, default=Intention.NONE
    )
    training_need = models.BooleanField(_("有培训需求"), default=False)
    wished_trade = models.CharField(_("意向培训工种"), max_length=50, blank=True)
    dibao = models.BooleanField(_("低保"), default=False)
    tekun = models.BooleanField(_("特困供养"), default=False)
    wubao = models.BooleanField(_("五保"), default=False)
    severe_disability = models.BooleanField(_("重度残疾"), default=False)
    poor_graduate = models.BooleanField(_("贫困家庭高校毕业生"), default=False)
    technical_student = models.BooleanField(_("技工院校在校生"), default=False)
    pension_status = models.CharField(
        _("养老保险参保"),
        max_length=14,
        choices=InsuranceStatus.choices,
        default=InsuranceStatus.UNKNOWN,
    )
    medical_status = models.CharField(
        _("医疗保险参保"),
        max_length=14,
        choices=InsuranceStatus.choices,
        default=InsuranceStatus.UNKNOWN,
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    removal_reason = models.CharField(
        _("减少原因"), max_length=8, choices=RemovalReason.choices, blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["village_code", "id"], name="person_area_id"),
            models.Index(fields=["name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def save(self, *args, **kwargs) -> None:
        self.village_code = self.household.village_code
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("建档立卡数据不能删除：请改为变更状态（如“自然减少”）")


class StatusChange(models.Model):
    """状态变更记录: who changed what, when, effective from when, and why."""

    AREA_CODE_FIELD = "village_code"

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="status_changes"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="status_changes"
    )
    village_code = models.CharField(_("村代码"), max_length=12)
    old_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    new_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices)
    effective_date = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    changed_at = models.DateTimeField(_("操作时间"), auto_now_add=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | models.Q(person__isnull=False),
                name="status_change_has_subject",
            )
        ]


class IdentityPeriod(models.Model):
    """特殊身份期间: a person was 低保对象 or 特困供养人员 from `start` to `end` (inclusive; open end:
    still so). The dated history behind the booleans on Person, read to settle a claim with the
    category the person had on its admission date. Periods are closed, never deleted."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="identity_periods"
    )
    village_code = models.CharField(_("村代码"), max_length=12, editable=False)
    identity = models.CharField(_("身份"), max_length=12, choices=SpecialIdentity.choices)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    changed_at = models.DateTimeField(_("操作时间"), auto_now_add=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("特殊身份期间")
        verbose_name_plural = _("特殊身份期间")
        ordering = ["person_id", "start", "id"]
        indexes = [
            models.Index(fields=["person", "identity", "start"], name="identity_person_start")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="identity_period_ordered",
            )
        ]

    def __str__(self) -> str:
        until = self.end.isoformat() if self.end else "至今"
        return f"{self.get_identity_display()} {self.start.isoformat()}–{until}"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def save(self, *args, **kwargs) -> None:
        self.village_code = self.person.village_code
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("建档立卡数据不能删除：请改为填写终止日期")
