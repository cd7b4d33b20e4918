from django.apps import AppConfig


class UnemploymentConfig(AppConfig):
    name = "fupin.unemployment"
    verbose_name = "失业保险金领取人员价格临时补贴"
