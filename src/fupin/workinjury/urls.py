"""Page URLs of the work-injury recognition fast track (工伤认定绿色通道), namespace `workinjury`."""

from django.urls import path

from . import views

app_name = "workinjury"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/upload/", views.case_upload, name="case_upload"),
    path("<int:pk>/investigate/", views.case_investigate, name="case_investigate"),
    path("<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("<int:pk>/first-payment/", views.case_first_payment, name="case_first_payment"),
    path("<int:pk>/recovery/", views.case_recovery, name="case_recovery"),
    path("<int:pk>/write-off/", views.case_write_off, name="case_write_off"),
    path("recoveries/", views.recoveries, name="recoveries"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
