"""The app configuration of skills training (技能培训)."""

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "fupin.training"
    verbose_name = "技能培训"
