"""The app configuration of start-up support (创业扶持)."""

from django.apps import AppConfig


class StartupConfig(AppConfig):
    name = "fupin.startup"
    verbose_name = "创业扶持"
