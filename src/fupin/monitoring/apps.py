"""The app configuration of monitoring against a return to poverty (防止返贫监测)."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    verbose_name = "防止返贫监测"
    default_auto_field = "django.db.models.BigAutoField"
