"""Page URLs of the temporary price subsidy for unemployment-benefit recipients
(失业保险金领取人员价格临时补贴), namespace `unemployment`."""

from django.urls import path

from . import views

app_name = "unemployment"
urlpatterns = [
    path("", views.home, name="home"),
    path("index/", views.index_set, name="index_set"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("run/", views.run, name="run"),
    path("drawings/", views.drawings, name="drawings"),
    path("subsidies/", views.subsidies, name="subsidies"),
]
