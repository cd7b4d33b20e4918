"""Page URLs of employment support (就业帮扶), namespace `employment`."""

from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.home, name="home"),
    path("employers/", views.employers, name="employers"),
    path("employers/new/", views.employer_edit, name="employer_new"),
    path("employers/<int:pk>/", views.employer_detail, name="employer"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("postings/", views.postings, name="postings"),
    path("postings/new/", views.posting_edit, name="posting_new"),
    path("postings/<int:pk>/", views.posting_detail, name="posting"),
    path("postings/<int:pk>/edit/", views.posting_edit, name="posting_edit"),
    path("occupations/", views.occupations, name="occupations"),
    path("recommend/person/<int:pk>/", views.person_sheet, name="person_sheet"),
    path("recommend/person/<int:pk>/run/", views.person_recommend, name="person_recommend"),
    path("recommend/village/<str:code>/", views.village_sheet, name="village_sheet"),
    path("recommend/export/", views.recommendations_export, name="recommendations_export"),
    path("recommend/batches/run/", views.batch_run, name="batch_run"),
    path("recommend/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/export/", views.referrals_export, name="referrals_export"),
    path("referrals/person/<int:pk>/", views.refer, name="refer"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/advance/", views.referral_advance, name="referral_advance"),
    path("referrals/<int:pk>/check/", views.referral_check, name="referral_check"),
    path("followups/", views.followups, name="followups"),
    path("followups/export/", views.followups_export, name="followups_export"),
    path("followups/person/<int:pk>/", views.visit, name="visit"),
    path("fairs/", views.fairs, name="fairs"),
    path("fairs/new/", views.fair_edit, name="fair_new"),
    path("fairs/timetable/", views.timetable, name="timetable"),
    path("fairs/<int:pk>/", views.fair_detail, name="fair"),
    path("fairs/<int:pk>/attend/", views.fair_attend, name="fair_attend"),
    path("welfare/", views.welfare, name="welfare"),
    path("welfare/grant/", views.welfare_grant, name="welfare_grant"),
    path("welfare/export/", views.welfare_export, name="welfare_export"),
    path("workshops/", views.workshops, name="workshops"),
    path("workshops/export/", views.workshops_export, name="workshops_export"),
]
