"""The app configuration of the chronic-disease appraisal (慢性病鉴定)."""

from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "fupin.appraisal"
    verbose_name = "慢性病鉴定"
