"""Page URLs of social insurance (社会保险), namespace `insurance`."""

from django.urls import path

from . import subsidy_views, views
from .claims import urls as claims_urls

app_name = "insurance"

urlpatterns = [
    path("settlement/", views.settlement, name="settlement"),
    path("settlement/row/", views.claim_row, name="claim_row"),
    path("settlement/export.xlsx", views.settlement_export, name="settlement_export"),
    path("subsidy/", subsidy_views.subsidy_home, name="subsidy_home"),
    path("subsidy/runs/<int:pk>/", subsidy_views.subsidy_run, name="subsidy_run"),
    path(
        "subsidy/runs/<int:pk>/progress/",
        subsidy_views.subsidy_run_progress,
        name="subsidy_run_progress",
    ),
    path("subsidy/changes/", subsidy_views.subsidy_changes, name="subsidy_changes"),
    path("subsidy/list/", subsidy_views.subsidy_list, name="subsidy_list"),
    path("subsidy/list/export.xlsx", subsidy_views.subsidy_export, name="subsidy_export"),
    path("coverage/", subsidy_views.coverage, name="coverage"),
    path("persons/<int:pk>/", subsidy_views.person_records, name="person_records"),
]
urlpatterns += claims_urls.urlpatterns  # 医疗费用结算单入库、政策测算 (insurance/claims/)
