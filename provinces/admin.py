from django.contrib import admin, messages

from workflow.machine import TransitionRefused
from workflow.review import save_draft

from .models import (
    Assignment,
    Contact,
    Evidence,
    LedgerEntry,
    Milestone,
    PlanUnit,
    Province,
    Registration,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "region", "western")
    list_filter = ("region", "western")
    search_fields = ("name", "short_name", "code")


@admin.register(PlanUnit)
class PlanUnitAdmin(admin.ModelAdmin):
    """Each year's bases: edited per plan, so one year's change leaves the others alone."""

    list_display = ("plan", "province", "base_level", "western")
    list_editable = ("base_level", "western")
    list_filter = ("plan", "base_level", "western")
    list_select_related = ("plan", "province")
    search_fields = ("province__name", "province__short_name")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("task", "province", "track", "kind", "taken_up")
    list_filter = ("task__plan", "task", "kind", "province")
    list_select_related = ("task", "province", "track")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class ReadOnlyInline(admin.TabularInline):
    """A registration's children change with its draft, on the unit's page or the API."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ContactInline(ReadOnlyInline):
    model = Contact


class MilestoneInline(ReadOnlyInline):
    model = Milestone


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("assignment", "state", "submitted_at", "is_late")
    list_filter = ("state", "is_late", "assignment__task__plan")
    list_select_related = ("assignment__task", "assignment__province")
    readonly_fields = ("assignment", "state", "submitted_at", "is_late", "confirmed_at")
    inlines = [ContactInline, MilestoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # a unit starts its registration on its own page

    def save_model(self, request, obj, form, change) -> None:
        """Through the lifecycle: only an editable draft changes, and the refusal is shown."""
        try:
            save_draft(
                obj, request.user, {name: form.cleaned_data[name] for name in form.changed_data}
            )
        except TransitionRefused as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    exclude = ("file",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("date", "assignment", "kind", "responsible_person", "classes_held", "trainees")
    list_filter = ("kind", "assignment__task__plan", "assignment__province")
    list_select_related = ("assignment__task", "assignment__province")
    date_hierarchy = "date"
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
