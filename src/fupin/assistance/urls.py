"""Page URLs of help plans and the assistance ledger (帮扶计划与台账), namespace `assistance`."""

from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export/", views.ledger_export, name="ledger_export"),
    path("person/<int:pk>/", views.plan, name="plan"),
    path("measures/<int:pk>/status/", views.measure_status, name="measure_status"),
]
