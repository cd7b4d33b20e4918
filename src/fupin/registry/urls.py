"""Page URLs of the registry of poor households and persons (建档立卡), namespace `registry`."""

from django.urls import path

from . import identity, views

app_name = "registry"
urlpatterns = [
    path("areas/", views.areas, name="areas"),
    path("households/", views.households, name="households"),
    path("households/export.xlsx", views.households_export, name="households_export"),
    path("households/new/", views.household_edit, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("persons/new/", views.person_edit, name="person_new"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/unmask/", views.unmask, name="unmask"),
    path(
        "households/<int:pk>/status/",
        views.status_change,
        {"kind": "household"},
        name="household_status",
    ),
    path("persons/<int:pk>/status/", views.status_change, {"kind": "person"}, name="person_status"),
    path("persons/<int:pk>/identity/", identity.identity_add, name="identity_add"),
    path("persons/<int:pk>/identity/<int:period>/end/", identity.identity_end, name="identity_end"),
]
