"""Page URLs of stored medical claims (医疗费用结算单), added to the `insurance` namespace."""

from django.urls import path

from . import views

# Included into the insurance app's namespace (insurance/urls.py): names start with "claims_".
urlpatterns = [
    path("claims/", views.claims_home, name="claims_home"),
    path("claims/export.xlsx", views.claims_export, name="claims_export"),
    path("claims/imports/", views.claims_upload, name="claims_upload"),
    path("claims/imports/<int:pk>/", views.claims_import, name="claims_import"),
    path("claims/imports/<int:pk>/merge/", views.claims_import_merge, name="claims_import_merge"),
    path(
        "claims/imports/<int:pk>/progress/",
        views.claims_import_progress,
        name="claims_import_progress",
    ),
    path(
        "claims/imports/<int:pk>/errors.xlsx",
        views.claims_import_errors,
        name="claims_import_errors",
    ),
    path("claims/official/", views.claims_official, name="claims_official"),
    path("claims/trail-fills/<int:pk>/", views.claims_trail_fill, name="claims_trail_fill"),
    path("claims/official/<int:pk>/", views.claims_official_run, name="claims_official_run"),
    path(
        "claims/official/<int:pk>/progress/",
        views.claims_official_progress,
        name="claims_official_progress",
    ),
    path(
        "claims/official/<int:pk>/export.xlsx",
        views.claims_official_export,
        name="claims_official_export",
    ),
    path("claims/resettle/", views.claims_resettle, name="claims_resettle"),
    path("claims/resettle/<int:pk>/", views.claims_resettlement, name="claims_resettlement"),
    path(
        "claims/resettle/<int:pk>/progress/",
        views.claims_resettlement_progress,
        name="claims_resettlement_progress",
    ),
    path("claims/flags/", views.claims_flags, name="claims_flags"),
    path("claims/identity-imports/", views.identity_upload, name="claims_identity_upload"),
    path(
        "claims/identity-imports/<int:pk>/",
        views.identity_import_view,
        name="claims_identity_import",
    ),
    path(
        "claims/identity-imports/<int:pk>/progress/",
        views.identity_import_progress,
        name="claims_identity_progress",
    ),
    path(
        "claims/identity-imports/<int:pk>/errors.xlsx",
        views.identity_import_errors,
        name="claims_identity_errors",
    ),
    path(
        "claims/identity-imports/<int:pk>/merge/",
        views.identity_import_merge,
        name="claims_identity_merge",
    ),
]
