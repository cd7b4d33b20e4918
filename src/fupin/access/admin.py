"""Admin pages of users, roles, area scope and the audit log (用户与权限); the admin site audits every change."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """用户、角色与辖区的维护（系统管理员）。建档立卡数据不在管理后台中。"""

    list_display = ("username", "role", "area", "can_unmask_id", "is_active")
    list_filter = ("role", "can_unmask_id", "is_active")
    raw_id_fields = ("area",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("辖区与角色", {"fields": ("role", "area", "can_unmask_id")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("辖区与角色", {"fields": ("role", "area", "can_unmask_id")}),
    )
