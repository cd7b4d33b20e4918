"""Page URLs of monitoring against a return to poverty (防止返贫监测), namespace `monitoring`."""

from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("households/", views.households, name="households"),
    path("households/export/", views.households_export, name="households_export"),
    path("households/new/", views.enter, name="enter"),
    path("households/import/", views.import_civil, name="import_civil"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/<slug:action>/", views.step, name="step"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/export/", views.alerts_export, name="alerts_export"),
    path("report/<int:pk>/", views.report, name="report"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
