"""Admin pages of residents' requests and complaints (诉求与投诉); the admin site audits every change."""

from django.contrib import admin

from .models import Complaint, Escalation, NoticeContact


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "category", "channel", "village_code", "filed_at", "level"]
    list_filter = ["kind", "channel", "level"]
    raw_id_fields = ["person", "filed_by", "acknowledged_by", "answered_by", "assistance"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["complaint", "from_level", "to_level", "at", "village_code", "notified"]
    raw_id_fields = ["complaint"]


@admin.register(NoticeContact)
class NoticeContactAdmin(admin.ModelAdmin):
    list_display = ["area_code", "name", "phone", "active"]
    list_filter = ["active"]
