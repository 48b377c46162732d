from django.contrib import admin

from .models import ReminderLog, SummaryLog


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "province", "kind", "what", "due_date", "recipient", "state")
    list_filter = ("kind", "state", "province")
    list_select_related = ("province",)
    search_fields = ("recipient", "what")


@admin.register(SummaryLog)
class SummaryLogAdmin(admin.ModelAdmin):
    list_display = ("day", "recipients", "due_soon", "overdue", "sent_at")
