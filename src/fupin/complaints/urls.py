"""Page URLs of residents' requests and complaints (诉求与投诉), namespace `complaints`."""

from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaints, name="list"),
    path("new/", views.new, name="new"),
    path("monthly/", views.monthly, name="monthly"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
