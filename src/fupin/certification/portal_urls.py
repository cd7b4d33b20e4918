"""Resident pages of the certification (资格认证), mounted under /portal/certification/
(names portal:certification:…)."""

from django.urls import path

from . import portal_views

app_name = "certification"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("certify/", portal_views.certify, name="certify"),
]
