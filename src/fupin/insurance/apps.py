"""The app configuration of social insurance (社会保险)."""

from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "fupin.insurance"
    verbose_name = "社会保险"
