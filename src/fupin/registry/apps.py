"""The app configuration of the registry of poor households and persons (建档立卡)."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fupin.registry"
    verbose_name = "建档立卡"
