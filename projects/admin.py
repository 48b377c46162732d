from django import forms
from django.contrib import admin

from . import services
from .models import Agreement, Application, Attachment, Call, Criterion, Deliverable


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class CallAdminForm(forms.ModelForm):
    """The admin refuses a call that does not fit its task, as the page and the API do."""

    class Meta:
        model = Call
        fields = [
            "plan",
            "task",
            "project_type",
            "title",
            "opens_at",
            "closes_at",
            "reviews_required",
        ]

    def clean(self):
        data = super().clean()
        task, plan = data.get("task"), data.get("plan")
        if task and plan and task.plan_id != plan.pk:
            self.add_error("task", services.misplaced_task_message(task, plan))
        elif task and data.get("project_type"):
            if problem := services.call_misfit(task, data["project_type"]):
                self.add_error("project_type", problem)
        return data


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    list_display = ("title", "task", "project_type", "opens_at", "closes_at")
    list_filter = ("plan", "project_type")
    list_select_related = ("task",)
    inlines = [CriterionInline]


def _locked(application) -> bool:
    """Accepted, failed and rejected projects are closed, and so is what a closed plan holds
    (but a project still running): nobody edits them, here included."""
    if application is None:
        return False
    return application.is_locked or (application.call.plan.is_closed and not application.is_running)


class LockedWithApplication:
    """Inlines of an application: read-only once the application is closed."""

    def has_add_permission(self, request, obj=None):
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)


class DeliverableInline(LockedWithApplication, admin.TabularInline):
    model = Deliverable
    extra = 0
    readonly_fields = ("percent", "progress_note", "done_on", "reported_at", "reported_by")


class AttachmentInline(LockedWithApplication, admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ("purpose", "original_name", "content_type", "size", "uploaded_by")
    exclude = ("file",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """State changes go through the pages and API (the model's transitions), never here."""

    list_display = ("applicant", "call", "province", "state", "budget_requested", "budget_granted")
    list_filter = ("state", "call__project_type", "call__plan", "province")
    list_select_related = ("call", "province")
    search_fields = ("applicant", "undertaking_unit")
    readonly_fields = (
        "state",
        "undertaking_unit",
        "budget_granted",
        "submitted_at",
        "decided_at",
        "rectification_due",
    )
    inlines = [DeliverableInline, AttachmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("number", "application", "budget", "starts_on", "ends_on", "signed_at")
    list_select_related = ("application",)
    readonly_fields = ("application", "signed_by", "signed_at")

    def has_change_permission(self, request, obj=None):
        locked = obj is not None and _locked(obj.application)
        return not locked and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        locked = obj is not None and _locked(obj.application)
        return not locked and super().has_delete_permission(request, obj)
