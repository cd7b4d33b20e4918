"""The app configuration of the person's assistance record (帮扶档案)."""

from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "fupin.timeline"
    verbose_name = "帮扶档案"
