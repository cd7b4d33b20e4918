from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "fupin.timeline"
    verbose_name = "帮扶档案"
