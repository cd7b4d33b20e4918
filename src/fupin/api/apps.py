"""The app configuration of the JSON API (django-ninja) (接口)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fupin.api"
    verbose_name = "接口"
