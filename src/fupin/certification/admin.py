"""Admin pages of the yearly certification of pension recipients (待遇领取资格认证);
the admin site audits every change."""

from django.contrib import admin

from .models import Certification


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["person", "year", "certified_on", "method", "village_code"]
    list_filter = ["year", "method"]
    raw_id_fields = ["person", "recorded_by"]
