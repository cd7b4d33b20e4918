"""Page URLs of start-up support (创业扶持), namespace `startup`."""

from django.urls import path

from . import views

app_name = "startup"
urlpatterns = [
    path("", views.loans, name="loans"),
    path("loans/new/", views.loan_new, name="loan_new"),
    path("loans/export/", views.loans_export, name="loans_export"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("subsidies/new/", views.subsidy_new, name="subsidy_new"),
]
