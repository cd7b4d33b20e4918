"""待遇领取资格认证: each pensioner certifies once a year that he is alive and still entitled
(003: “资格认证不出村”), at the village station, at home (上门) or himself through the portal.

Who must certify is read from the insurance records (养老保险 status 领取待遇); this app only
records the certifications and computes, for a year and a day, who is late.
"""

from typing import NoReturn

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class Method(models.TextChoices):
    IN_PERSON = "in_person", "村服务站现场认证"
    HOME = "home", "上门认证"
    PORTAL = "portal", "本人网上认证"


class CertificationQuerySet(models.QuerySet):
    def delete(self) -> NoReturn:
        raise PermissionError("资格认证记录不能删除")


class Certification(models.Model):
    """一条待遇领取资格认证记录: one pensioner, one year."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="certifications", verbose_name="人员"
    )
    village_code = models.CharField("村代码", max_length=12)
    year = models.PositiveSmallIntegerField("认证年度")
    certified_on = models.DateField("认证日期")
    method = models.CharField("认证方式", max_length=10, choices=Method.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )
    assistance = models.ForeignKey(
        "portal.Assistance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="代办记录",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = "待遇领取资格认证"
        verbose_name_plural = "待遇领取资格认证"
        ordering = ["-certified_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="certification_once_a_year")
        ]
        indexes = [models.Index(fields=["village_code", "year"], name="certification_area_year")]

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("资格认证记录不能删除")
