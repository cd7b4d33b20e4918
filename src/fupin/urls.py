"""The site's URL map (网址): login, the audit log, each app's pages under its own prefix, the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from fupin.api.api import api
from fupin.management.home import home
from fupin.web import views as web


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        from django.conf import settings

        return {**super().get_context_data(**kwargs), "demo_mode": settings.DEMO_MODE}


urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", web.audit_log, name="audit"),
    path("audit/export/", web.audit_export, name="audit_export"),
    path("registry/", include("fupin.registry.urls")),
    path("insurance/", include("fupin.insurance.urls")),
    path("exchange/", include("fupin.exchange.urls")),
    path("employment/", include("fupin.employment.urls")),
    path("training/", include("fupin.training.urls")),
    path("startup/", include("fupin.startup.urls")),
    path("assistance/", include("fupin.assistance.urls")),
    path("management/", include("fupin.management.urls")),
    path("payments/", include("fupin.payments.urls")),
    path("appraisal/", include("fupin.appraisal.urls")),
    path("monitoring/", include("fupin.monitoring.urls")),
    path("portal/", include("fupin.portal.urls")),
    path("certification/", include("fupin.certification.urls")),
    path("workinjury/", include("fupin.workinjury.urls")),
    path("unemployment/", include("fupin.unemployment.urls")),
    path("registration/", include("fupin.registration.urls")),
    path("complaints/", include("fupin.complaints.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
