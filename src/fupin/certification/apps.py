from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "fupin.certification"
    verbose_name = "待遇领取资格认证"
