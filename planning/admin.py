from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.machine import TransitionRefused

from .models import Deadline, Plan, Target, Task, TaskItem, Track
from .services import set_task_support


class TaskInline(admin.TabularInline):
    model = Task
    fields = (
        "number",
        "title",
        "all_units",
        "voluntary_others",
        "bases_only",
        *Task.SUPPORT_FIELDS,
    )
    readonly_fields = Task.SUPPORT_FIELDS  # changed on the task's own page, through the one verb
    extra = 0
    show_change_link = True


class DeadlineInline(admin.TabularInline):
    model = Deadline
    fields = ("kind", "due_date", "description", "task")
    extra = 0


def _transition_action(verb: str, description):
    """An admin action that moves each selected plan through ``Plan.<verb>`` (recorded in
    the plan's history), reporting refusals instead of changing the state by hand."""

    def action(modeladmin, request, queryset):
        for plan in queryset:
            try:
                getattr(plan, verb)(request.user, _("管理后台操作"))
            except TransitionRefused as exc:
                modeladmin.message_user(
                    request,
                    gettext("%(year)s 年度：%(what)s") % {"year": plan.year, "what": exc.message},
                    messages.ERROR,
                )
            else:
                modeladmin.message_user(
                    request,
                    gettext("%(year)s 年度：%(what)s")
                    % {"year": plan.year, "what": plan.get_state_display()},
                    messages.SUCCESS,
                )

    action.__name__ = f"{verb}_plans"
    return admin.action(description=description)(action)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "state", "document_number", "issue_date")
    list_filter = ("state",)
    readonly_fields = ("state",)
    inlines = [TaskInline, DeadlineInline]
    exclude = ("source_text",)
    change_list_template = "admin/planning/plan/change_list.html"
    actions = [
        _transition_action("publish", _("发布所选年度计划")),
        _transition_action("close", _("结束所选年度计划")),
    ]


class TaskItemInline(admin.TabularInline):
    model = TaskItem
    extra = 0


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    filter_horizontal = ("items",)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "plan",
        "number",
        "title",
        "all_units",
        "voluntary_others",
        "bases_only",
        "funded",
        "guided",
        "funding_mode",
    )
    list_filter = ("plan", "funded", "guided")
    list_select_related = ("plan",)
    inlines = [TaskItemInline, TrackInline, TargetInline]

    def get_readonly_fields(self, request, obj=None):
        """The support is read-only once the plan is published or closed."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.plan.state != Plan.State.DRAFT:
            return (*fields, *Task.SUPPORT_FIELDS)
        return fields

    def save_model(self, request, obj, form, change):
        """Everything else is saved as the admin saves it; the support only through
        ``set_task_support``, which refuses it unless the plan is a draft."""
        wanted = {f: form.cleaned_data[f] for f in Task.SUPPORT_FIELDS if f in form.cleaned_data}
        stored = (
            Task.objects.filter(pk=obj.pk).values(*Task.SUPPORT_FIELDS).first() if change else None
        ) or {"funded": False, "guided": False, "funding_mode": ""}
        for name, value in stored.items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        if wanted and any(wanted[f] != stored[f] for f in wanted):
            try:
                set_task_support(obj, **wanted)
            except TransitionRefused as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ("due_date", "kind", "description", "plan", "task")
    list_filter = ("plan", "kind")
    list_select_related = ("plan", "task")


admin.site.site_header = _("专利信息传播利用工作计划管理系统")
admin.site.site_title = _("workplan 管理后台")
