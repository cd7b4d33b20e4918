from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "fupin.appraisal"
    verbose_name = "慢性病鉴定"
