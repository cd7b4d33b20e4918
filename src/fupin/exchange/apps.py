"""The app configuration of data exchange: imports and comparisons (数据交换与比对)."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "fupin.exchange"
    verbose_name = "数据交换与比对"
