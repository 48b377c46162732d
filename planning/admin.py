from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Deadline, Plan, Target, Task, TaskItem, Track


class TaskInline(admin.TabularInline):
    model = Task
    fields = ("number", "title", "all_units", "voluntary_others", "bases_only")
    extra = 0
    show_change_link = True


class DeadlineInline(admin.TabularInline):
    model = Deadline
    fields = ("kind", "due_date", "description", "task")
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "document_number", "issue_date")
    inlines = [TaskInline, DeadlineInline]
    exclude = ("source_text",)
    change_list_template = "admin/planning/plan/change_list.html"


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
    list_display = ("plan", "number", "title", "all_units", "voluntary_others", "bases_only")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    inlines = [TaskItemInline, TrackInline, TargetInline]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ("due_date", "kind", "description", "plan", "task")
    list_filter = ("plan", "kind")
    list_select_related = ("plan", "task")


admin.site.site_header = _("专利信息传播利用工作计划管理系统")
admin.site.site_title = _("workplan 管理后台")
