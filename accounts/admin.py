from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "province", "is_active")
    list_filter = ("role", "province", "is_active")
    list_select_related = ("province",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("工作角色"), {"fields": ("role", "province", "phone")}),
        (_("通知"), {"fields": ("notify_by", "language")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("工作角色"), {"fields": ("role", "province")}),
    )
