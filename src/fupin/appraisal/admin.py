"""Admin pages of the chronic-disease appraisal (慢性病鉴定); the admin site audits every change."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Hospital


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    """门诊慢性病定点医院：县里在管理后台维护；不再接受选定的取消“接受选定”，不删除（已有医疗证引用）。"""

    list_display = ("name", "level", "area_code", "active")
    list_filter = ("level", "active")
    search_fields = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Hospital | None = None) -> bool:
        return False
