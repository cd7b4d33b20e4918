"""Page URLs of data exchange: imports and comparisons (数据交换与比对), namespace `exchange`."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/template.xlsx", views.template, name="template"),
    path("imports/sample.xlsx", views.sample, name="sample"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/rejected.xlsx", views.import_rejected, name="import_rejected"),
    path("comparisons/", views.comparisons, name="comparisons"),
    path("comparisons/<int:pk>/", views.comparison_detail, name="comparison"),
    path("comparisons/<int:pk>/progress/", views.comparison_progress, name="comparison_progress"),
    path("comparisons/<int:pk>/tags.xlsx", views.comparison_tagfile, name="comparison_tagfile"),
    path(
        "comparisons/<int:pk>/<slug:category>/", views.comparison_results, name="comparison_results"
    ),
    path(
        "comparisons/<int:pk>/<slug:category>/export.xlsx",
        views.comparison_export,
        name="comparison_export",
    ),
    path(
        "comparisons/<int:pk>/<slug:category>/bulk-review/", views.bulk_review, name="bulk_review"
    ),
    path("results/<int:pk>/review/", views.review, name="review"),
]
