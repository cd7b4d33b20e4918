"""Page URLs of the universal insurance registration (全民参保登记), namespace `registration`."""

from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("", views.table, name="table"),
    path("marks/", views.marks, name="marks"),
    path("marks/prepare/", views.marks_prepare, name="marks_prepare"),
    path("marks/batches/", views.mark_batches, name="mark_batches"),
    path("marks/batches/<int:pk>/", views.mark_batch, name="mark_batch"),
    path("marks/batches/<int:pk>/<str:action>/", views.mark_batch_act, name="mark_batch_act"),
    path("job-enrolment/new/", views.job_enrolment_new, name="job_enrolment_new"),
]
