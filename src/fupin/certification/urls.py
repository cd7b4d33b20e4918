from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("", views.pensioners, name="pensioners"),
    path("villages/", views.villages, name="villages"),
    path("person/<int:pk>/", views.certify, name="certify"),
]
