"""Page URLs of the payment of funds to people (资金发放), namespace `payments`."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.batches, name="batches"),
    path("export/", views.batches_export, name="batches_export"),
    path("new/", views.prepare, name="prepare"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/lines/export/", views.batch_lines_export, name="batch_lines_export"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/remove/", views.remove_line, name="remove_line"),
    path("<int:pk>/bank.csv", views.bank_file, name="bank_file"),
    path("<int:pk>/agency.xlsx", views.agency_file, name="agency_file"),
    path("<int:pk>/paid/", views.pay, name="pay"),
    path("<int:pk>/return/", views.import_return, name="import_return"),
    path("differences/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
]
