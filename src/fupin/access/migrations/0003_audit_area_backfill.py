"""Give the audit entries written before 0002 their area: the village of the person or
household they concern, else the acting user's area, else (a failed login) the named
account's. Entries left without an area are read by superusers only."""

from django.db import migrations
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce


def backfill(apps, schema_editor):
    entry = apps.get_model("access", "AuditEntry")
    user = apps.get_model("access", "User")
    blank = entry.objects.filter(area_code="")
    for object_type, app_label, model_name in (
        ("person", "registry", "Person"),
        ("household", "registry", "Household"),
    ):
        model = apps.get_model(app_label, model_name)
        village = model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(
            "village_code"
        )[:1]
        blank.filter(object_type=object_type, object_id__regex=r"^[0-9]{1,18}$").update(
            area_code=Coalesce(Subquery(village), Value(""))
        )
    acting = user.objects.filter(pk=OuterRef("user_id"), area__isnull=False).values("area__code")[
        :1
    ]
    blank.filter(user__isnull=False).update(area_code=Coalesce(Subquery(acting), Value("")))
    named = user.objects.filter(username=OuterRef("username"), area__isnull=False).values(
        "area__code"
    )[:1]
    blank.filter(user__isnull=True, action="login_failed").exclude(username="").update(
        area_code=Coalesce(Subquery(named), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_audit_area_code"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
