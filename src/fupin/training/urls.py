"""Page URLs of skills training (技能培训), namespace `training`."""

from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.courses, name="courses"),
    path("new/", views.course_edit, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("enrolments/<int:pk>/attend/", views.enrolment_attend, name="enrolment_attend"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="enrolment_complete"),
    path("coverage/", views.coverage, name="coverage"),
    path("subsidies/", views.subsidies, name="subsidies"),
    path("subsidies/export/", views.subsidies_export, name="subsidies_export"),
    path("technical/", views.technical, name="technical"),
    path("technical/<int:pk>/grant/", views.technical_grant, name="technical_grant"),
]
