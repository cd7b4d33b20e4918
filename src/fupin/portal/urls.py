"""Portal URLs (居民服务门户) (namespace `portal`, mounted at /portal/).

Other modules mount their resident pages here with one line in settings:
`PORTAL_MOUNTS.append(("complaints/", "fupin.complaints.portal_urls"))` — the module's url file sets
`app_name` (e.g. "complaints") and its names are reversed as "portal:complaints:…".
"""

from django.conf import settings
from django.urls import include, path

from . import assist, staff_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.me, name="me"),
    path("jobs/", views.jobs, name="jobs"),
    path("money/", views.money, name="money"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("requests/", views.requests_home, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/pension/", views.request_pension, name="request_pension"),
    path("requests/training/", views.request_training, name="request_training"),
    path("requests/job/", views.request_job, name="request_job"),
    path("requests/appraisal/", views.request_appraisal, name="request_appraisal"),
    path("requests/phone/", views.request_phone, name="request_phone"),
    # staff (乡镇、村) pages
    path("staff/requests/", staff_views.requests_list, name="staff_requests"),
    path("staff/requests/<int:pk>/", staff_views.request_handle, name="staff_request"),
    path("assist/", assist.start, name="assist_start"),
    path("assist/code/", assist.code, name="assist_code"),
    path("assist/end/", assist.end, name="assist_end"),
    path("assist/records/", assist.records, name="assist_records"),
    path("assist/records/<int:pk>/", assist.record_detail, name="assist_record"),
    path("assist/records/<int:pk>/photo/", assist.photo, name="assist_photo"),
]
urlpatterns += [path(prefix, include(module)) for prefix, module in settings.PORTAL_MOUNTS]
