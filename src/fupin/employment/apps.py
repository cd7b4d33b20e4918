"""The app configuration of employment support (就业帮扶)."""

from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "fupin.employment"
    verbose_name = "就业帮扶"
