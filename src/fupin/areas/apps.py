"""The app configuration of the administrative divisions (行政区划)."""

from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "fupin.areas"
    verbose_name = "行政区划"
