"""The app configuration of the staff workbench (工作台)."""

from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as _StaticFilesConfig


class WebConfig(AppConfig):
    name = "fupin.web"
    verbose_name = "工作台"


class StaticFilesConfig(_StaticFilesConfig):
    """django.contrib.staticfiles, leaving out source maps (the API docs' bundles carry 5 MB of them):
    no page needs them, and whitenoise would compress them at every `collectstatic`."""

    ignore_patterns = [*_StaticFilesConfig.ignore_patterns, "*.map"]
