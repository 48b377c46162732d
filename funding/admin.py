from django.contrib import admin

from .models import Allocation, Payment, SpendingCategory, SpendingReport


@admin.register(SpendingCategory)
class SpendingCategoryAdmin(admin.ModelAdmin):
    """HQ configures the categories a spending report is broken down by."""

    list_display = ("name", "sort_order", "active")
    list_editable = ("sort_order", "active")


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = (
        "plan",
        "task",
        "province",
        "project",
        "amount",
        "paid",
        "spent",
        "document_number",
        "date",
    )
    list_filter = ("plan",)
    list_select_related = ("plan", "task", "province", "project")
    raw_id_fields = ("project",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only here: a payment is recorded through the page, which checks the allocation
    and keeps its paid figure; none is changed or deleted after."""

    list_display = ("allocation", "amount", "date", "recorded_by")
    list_select_related = ("allocation__plan", "allocation__task", "allocation__province")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpendingReport)
class SpendingReportAdmin(admin.ModelAdmin):
    """Read-only: a report changes only through its lifecycle."""

    list_display = ("allocation", "state", "submitted_at")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
