"""The app configuration of social insurance (社会保险)."""

from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "fupin.insurance"
    verbose_name = "社会保险"

    def import_models(self) -> None:
        """The app's models are in two modules: `models` and the stored claims' (`claims/models.py`,
        住院/门诊结算记录). Both are imported here, so `models` need not import the claims package (which
        reads `selectors` and `categories` above it)."""
        super().import_models()
        import fupin.insurance.claims.models  # noqa: F401 (registers the claims models)
