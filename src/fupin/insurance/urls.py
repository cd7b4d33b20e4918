from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("settlement/", views.settlement, name="settlement"),
    path("settlement/row/", views.claim_row, name="claim_row"),
]
