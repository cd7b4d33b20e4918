from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fupin.payments"
    verbose_name = "资金发放"
