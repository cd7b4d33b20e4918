"""Resident pages of complaints (诉求与投诉), mounted under /portal/complaints/ (names portal:complaints:…)."""

from django.urls import path

from . import portal_views

app_name = "complaints"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("new/", portal_views.new, name="new"),
    path("<int:pk>/", portal_views.detail, name="detail"),
    path("<int:pk>/rate/", portal_views.rate, name="rate"),
]
