"""The app configuration of the universal insurance registration (全民参保登记)."""

from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "fupin.registration"
    verbose_name = "全民参保登记"
