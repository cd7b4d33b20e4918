"""The app configuration of the demo county (演示县)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fupin.demo"
    verbose_name = "演示县"
