"""专项报送 pages: HQ defines a task's report (fields, due date, reminders); units fill it in
and submit; HQ returns (with a reason) or confirms."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from workflow import sheets
from workflow.machine import TransitionRefused, history
from workflow.pages import say_saved

from .. import services
from ..forms import ReasonForm, TaskReportDefinitionForm, TaskReportFieldFormSet, TaskReportForm
from ..models import Assignment, TaskReport, TaskReportDefinition
from ..report_sheets import task_report_sheet


def _definition(request: HttpRequest, pk: int) -> TaskReportDefinition:
    return get_object_or_404(
        TaskReportDefinition.objects.visible_to(request.user).select_related("task__plan"),
        pk=pk,
    )


@role_required(STAFF | HQ)
def task_report_list(request: HttpRequest) -> HttpResponse:
    """The working plan's task reports: for HQ with counts, for a unit with its own state."""
    plan = working_plan(request)
    definitions = (
        TaskReportDefinition.objects.visible_to(request.user)
        .filter(task__plan=plan)
        .select_related("task")
        .annotate(
            handed_in=Count(
                "submissions", filter=Q(submissions__state__in=TaskReport.HANDED_IN), distinct=True
            ),
            confirmed=Count(
                "submissions",
                filter=Q(submissions__state=TaskReport.State.CONFIRMED),
                distinct=True,
            ),
        )
        .order_by("due_date", "pk")
    )
    own = {}
    if request.user.is_province_staff:
        own = {
            r.definition_id: r
            for r in TaskReport.objects.visible_to(request.user).filter(definition__task__plan=plan)
        }
    expected = dict(
        Assignment.objects.filter(task__plan=plan, taken_up=True)
        .values("task_id")
        .annotate(n=Count("pk"))
        .values_list("task_id", "n")
    )
    rows = [
        {"definition": d, "report": own.get(d.pk), "expected": expected.get(d.task_id, 0)}
        for d in definitions
    ]
    return render(request, "provinces/task_report_list.html", {"plan": plan, "rows": rows})


@role_required(HQ)
def task_report_definition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """HQ: define a task report (title, fields, due date, reminder offsets) in the working
    plan, or change one."""
    definition = _definition(request, pk) if pk else None
    plan = definition.task.plan if definition else require_working_plan(request)
    instance = definition or TaskReportDefinition(created_by=request.user)
    form = TaskReportDefinitionForm(request.POST or None, instance=instance, plan=plan)
    fields = TaskReportFieldFormSet(request.POST or None, instance=instance, prefix="fields")
    if request.method == "POST":
        if form.is_valid() and fields.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
                    fields.instance = saved
                    fields.save()
            except IntegrityError:
                form.add_error("title", _("该任务已有同名的专项报送。"))
            else:
                messages.success(request, _("专项报送“%(t)s”已保存。") % {"t": saved.title})
                return redirect("provinces:task_report", pk=saved.pk)
        messages.error(request, _("请更正下面标出的错误。"))
    return render(
        request,
        "provinces/task_report_definition_form.html",
        {"form": form, "fields": fields, "definition": definition, "plan": plan},
    )


@role_required(STAFF | HQ, post=STAFF)
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One task report: a unit fills in and submits its own; HQ sees every unit's."""
    definition = _definition(request, pk)
    if request.user.is_hq:
        reports = {
            r.province_id: r
            for r in TaskReport.objects.visible_to(request.user).filter(definition=definition)
        }
        carrying = (
            Assignment.objects.filter(task=definition.task, taken_up=True)
            .select_related("province")
            .order_by("province__sort_order")
        )
        rows = [(a.province, reports.get(a.province_id)) for a in carrying]
        return render(
            request,
            "provinces/task_report_hq.html",
            {"definition": definition, "rows": rows, "fields": definition.fields.all()},
        )
    report = TaskReport.objects.visible_to(request.user).filter(
        definition=definition
    ).first() or TaskReport(definition=definition, province=request.user.province)
    if request.method == "POST":
        try:  # refuse before reading the form; save_draft checks again in the database
            report.check_eligible(request.user)
            report.ensure_editable()
        except TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("provinces:task_report", pk=pk)
        form = TaskReportForm(request.POST, definition=definition, report=report)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.save_task_report(
                        report, request.user, form.values, form.cleaned_data["entities"]
                    )
                    if "submit" in request.POST:
                        services.submit_task_report(report, request.user)
            except TransitionRefused as exc:
                messages.error(request, exc.message)
            else:
                say_saved(request, report, "submit" in request.POST)
            return redirect("provinces:task_report", pk=pk)
        messages.error(request, _("请更正下面标出的错误。"))
    else:
        form = TaskReportForm(definition=definition, report=report)
    return render(
        request,
        "provinces/task_report_form.html",
        {
            "definition": definition,
            "report": report if report.pk else None,
            "form": form,
            "can_edit": report.can_be_edited_by(request.user),
            "history": history(report) if report.pk else [],
        },
    )


@role_required(STAFF | HQ)
def task_report_submission(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's report, read only, with its history; HQ returns or confirms it here."""
    report = get_object_or_404(
        TaskReport.objects.visible_to(request.user).select_related(
            "definition__task__plan", "province"
        ),
        pk=pk,
    )
    return render(
        request,
        "provinces/task_report_submission.html",
        {
            "report": report,
            "definition": report.definition,
            "answers": report.answers(),
            "entities": report.entities.order_by("kind", "name"),
            "history": history(report),
            "reason_form": ReasonForm(),
        },
    )


@role_required(HQ)
@require_POST
def task_report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """HQ: return (reason required) or confirm a unit's task report."""
    report = get_object_or_404(
        TaskReport.objects.visible_to(request.user).select_related("definition", "province"),
        pk=pk,
    )
    verbs = {
        "return": (services.return_task_report, _("%(r)s 已退回，省局将看到退回理由。")),
        "confirm": (services.confirm_task_report, _("%(r)s 已确认。")),
    }
    if action not in verbs:
        raise Http404
    verb, done = verbs[action]
    try:
        verb(report, request.user, request.POST.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"r": report})
    return redirect("provinces:task_report_submission", pk=report.pk)


@role_required(HQ)
def task_report_export(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ: the units' submissions of one task report as a workbook (one row per unit, one
    typed column per field)."""
    definition = _definition(request, pk)
    return sheets.download(
        f"task-report-{definition.task.plan.year}-{definition.pk}.xlsx",
        task_report_sheet(definition, request.user),
    )
