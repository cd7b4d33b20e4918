"""Page URLs of work scheduling: indicators, targets and tasks (工作调度), namespace `management`."""

from django.urls import path

from . import views

app_name = "management"

urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/export/", views.indicators_export, name="indicators_export"),
    path("snapshots/build/", views.snapshot_build, name="snapshot_build"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/target/", views.plan_target, name="plan_target"),
    path("plans/<int:pk>/village-target/", views.plan_village_target, name="plan_village_target"),
    path("report/", views.report, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/export/", views.tasks_export, name="tasks_export"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/update/", views.task_update, name="task_update"),
    path("tasks/<int:pk>/evidence/", views.task_upload, name="task_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("interviews/", views.interviews, name="interviews"),
    path("interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("interviews/<int:pk>/follow-up/", views.interview_follow_up, name="interview_follow_up"),
    path("interviews/<int:pk>/file/", views.interview_file, name="interview_file"),
    path("interviews/<int:pk>/report/", views.interview_report, name="interview_report"),
    path("interviews/<int:pk>/accept/", views.interview_accept, name="interview_accept"),
    path(
        "interviews/<int:pk>/report-file/",
        views.interview_report_file,
        name="interview_report_file",
    ),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/generate/", views.bulletin_generate, name="bulletin_generate"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/read/", views.bulletin_read, name="bulletin_read"),
]
