from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "fupin.access"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from . import signals  # noqa: F401
