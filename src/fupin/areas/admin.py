"""Admin pages of the administrative divisions (行政区划); the admin site audits every change."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """区划是参考数据：管理员可以更正名称，不能删除。"""

    list_display = ("code", "name", "level")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def has_delete_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False
