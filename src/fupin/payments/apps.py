"""The app configuration of the payment of funds to people (资金发放)."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fupin.payments"
    verbose_name = "资金发放"
