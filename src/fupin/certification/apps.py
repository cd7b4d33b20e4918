"""The app configuration of the yearly certification of pension recipients (待遇领取资格认证)."""

from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "fupin.certification"
    verbose_name = "待遇领取资格认证"

    def ready(self) -> None:
        from fupin.portal import menu

        menu.register(
            "资格认证", "portal:certification:home", order=55, note="领取养老金的每年认证一次"
        )
