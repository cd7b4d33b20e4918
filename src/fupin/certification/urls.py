"""Page URLs of the yearly certification of pension recipients (待遇领取资格认证), namespace `certification`."""

from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("", views.pensioners, name="pensioners"),
    path("villages/", views.villages, name="villages"),
    path("person/<int:pk>/", views.certify, name="certify"),
]
