"""Page URLs of the universal insurance registration (全民参保登记), namespace `registration`."""

from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("", views.table, name="table"),
    path("marks/", views.marks, name="marks"),
    path("job-enrolment/new/", views.job_enrolment_new, name="job_enrolment_new"),
]
