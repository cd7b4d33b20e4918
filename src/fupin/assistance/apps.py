from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    verbose_name = "帮扶计划与台账"
