"""The app configuration of the temporary price subsidy for unemployment-benefit recipients
(失业保险金领取人员价格临时补贴)."""

from django.apps import AppConfig


class UnemploymentConfig(AppConfig):
    name = "fupin.unemployment"
    verbose_name = "失业保险金领取人员价格临时补贴"
