"""Page URLs of the chronic-disease appraisal (慢性病鉴定), namespace `appraisal`."""

from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.applications_export, name="applications_export"),
    path("persons/", views.persons, name="persons"),
    path("persons/export/", views.persons_export, name="persons_export"),
    path("persons/notify/", views.notify_village, name="notify_village"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/notify/", views.person_notify, name="person_notify"),
    path("persons/<int:pk>/apply/", views.person_apply, name="person_apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path(
        "applications/<int:pk>/appraise/", views.application_appraise, name="application_appraise"
    ),
    path("applications/<int:pk>/round/", views.application_round, name="application_round"),
    path("applications/<int:pk>/object/", views.application_object, name="application_object"),
    path("applications/<int:pk>/certify/", views.application_certify, name="application_certify"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("notice/", views.notice, name="notice"),
    path("notice/export/", views.notice_export, name="notice_export"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/export/", views.certificates_export, name="certificates_export"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("certificates/<int:pk>/print/", views.certificate_print, name="certificate_print"),
    path(
        "certificates/<int:pk>/hospital/", views.certificate_hospital, name="certificate_hospital"
    ),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("report/", views.report, name="report"),
    path("report/export/", views.report_export, name="report_export"),
    path("report/submit/", views.report_submit, name="report_submit"),
]
