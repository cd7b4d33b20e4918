"""The app configuration of help plans and the assistance ledger (帮扶计划与台账)."""

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    verbose_name = "帮扶计划与台账"
