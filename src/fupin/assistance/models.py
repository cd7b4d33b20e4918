"""个性化帮扶计划与台账: each person's planned measures, and the ledger where every
contact and measure leaves a record (留下帮扶痕迹, 004)."""

from typing import NoReturn

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class MeasureKind(models.TextChoices):
    RECOMMEND = "recommend", "岗位推荐"
    REFERRAL = "referral", "推荐就业"
    FAIR = "fair", "专场招聘会"
    TRAINING = "training", "技能培训"
    WELFARE_POST = "welfare_post", "公益性岗位安置"
    WORKSHOP = "workshop", "扶贫车间就业"
    LOAN = "loan", "创业担保贷款"
    STARTUP = "startup", "创业补贴/创业服务"
    TECHNICAL = "technical", "技工院校资助"
    FOLLOW_UP = "follow_up", "跟踪回访"
    OTHER = "other", "其他"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "取消"


class PlannedMeasure(models.Model):
    """帮扶计划中的一项措施."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="planned_measures")
    village_code = models.CharField(max_length=12)
    kind = models.CharField("措施", max_length=14, choices=MeasureKind.choices)
    description = models.CharField("内容", max_length=200)
    cadre = models.CharField("责任人", max_length=50)
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["village_code", "status", "due_on"], name="measure_area_due")
        ]


class LedgerQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:
        raise PermissionError("帮扶台账只能追加，不能删除")


class LedgerEntry(models.Model):
    """台账: one contact or measure, append-only."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ledger")
    village_code = models.CharField(max_length=12)
    day = models.DateField("日期")
    kind = models.CharField("类别", max_length=14, choices=MeasureKind.choices)
    summary = models.CharField("摘要", max_length=300)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶台账"
        verbose_name_plural = "帮扶台账"
        ordering = ["day", "id"]
        indexes = [
            models.Index(fields=["person", "day"], name="ledger_person_day"),
            models.Index(fields=["village_code", "day"], name="ledger_area_day"),
        ]

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("帮扶台账只能追加，不能删除")
