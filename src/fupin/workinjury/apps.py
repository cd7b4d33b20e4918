"""The app configuration of the work-injury recognition fast track (工伤认定绿色通道)."""

from django.apps import AppConfig


class WorkInjuryConfig(AppConfig):
    name = "fupin.workinjury"
    verbose_name = "工伤认定绿色通道"
