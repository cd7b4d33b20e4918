from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fupin.registry"
    verbose_name = "建档立卡"
