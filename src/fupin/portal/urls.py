"""Portal URLs (namespace `portal`, mounted at /portal/).

Other modules mount their resident pages here with one line in settings:
`PORTAL_MOUNTS.append(("complaints/", "fupin.complaints.portal_urls"))` — the module's url file sets
`app_name` (e.g. "complaints") and its names are reversed as "portal:complaints:…".
"""

from django.conf import settings
from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
]
urlpatterns += [path(prefix, include(module)) for prefix, module in settings.PORTAL_MOUNTS]
