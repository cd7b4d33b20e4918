"""The app configuration of work scheduling: indicators, targets and tasks (工作调度)."""

from django.apps import AppConfig


class ManagementConfig(AppConfig):
    """工作调度: indicators, targets, task ledgers, monthly bulletins and dashboards."""

    name = "fupin.management"
    label = "management"
    verbose_name = "工作调度"
