"""Progress bulletins (工作进展), task 9: HQ writes, collects and publishes; units read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from config.api import MAX_ID
from planning.working import require_working_plan, working_plan
from projects.models import ProjectReport
from provinces.models import Case, LedgerEntry, TaskReport, TrainingClass
from workflow.machine import TransitionRefused

from ..digest import require_fonts
from ..forms import BulletinForm
from ..models import Bulletin


def confirmed_project_reports(plan):
    """Project reports a bulletin may carry: the plan's reports the HQ contact confirmed."""
    return (
        ProjectReport.objects.filter(
            application__call__plan=plan, state=ProjectReport.State.CONFIRMED
        )
        .select_related("application__province", "due")
        .order_by("application__province__sort_order", "due__due_date", "pk")
    )


def plan_trainings(plan, user):
    """Training classes a bulletin may carry: the plan's classes, units' and HQ's own."""
    return (
        TrainingClass.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("plan", "province", "task")
        .order_by("start_date", "pk")
    )


def confirmed_task_reports(plan, user):
    """Task reports a bulletin may carry: the plan's reports HQ confirmed."""
    return (
        TaskReport.objects.visible_to(user)
        .filter(definition__task__plan=plan, state=TaskReport.State.CONFIRMED)
        .select_related("province", "definition__task")
        .order_by("definition__due_date", "definition__pk", "province__sort_order")
    )


def _picked(request: HttpRequest, name: str) -> list[int]:
    """The ids ticked under ``name``; anything that names no row (not a number, beyond the
    ids' 64 bits) is left out rather than sent to the database."""
    return [int(v) for v in request.POST.getlist(name) if v.isdigit() and int(v) <= MAX_ID]


def _chosen_items(request: HttpRequest, bulletin: Bulletin) -> tuple[list, list]:
    """The classes and task reports ticked on the page, among those HQ can see; one of
    another plan or not confirmed is refused by ``Bulletin.check_items``."""
    user = request.user
    trainings = list(
        TrainingClass.objects.visible_to(user)
        .filter(pk__in=_picked(request, "trainings"))
        .select_related("plan")
    )
    reports = list(
        TaskReport.objects.visible_to(user)
        .filter(pk__in=_picked(request, "task_reports"))
        .select_related("province", "definition__task")
    )
    bulletin.check_items(trainings=trainings, task_reports=reports)
    return trainings, reports


@role_required(STAFF | HQ)
def bulletin_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    bulletins = Bulletin.objects.visible_to(request.user).filter(plan=plan)
    return render(request, "reporting/bulletin_list.html", {"bulletins": bulletins, "plan": plan})


@role_required(HQ)
def bulletin_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk) if pk else None
    if bulletin and bulletin.state == Bulletin.State.PUBLISHED:
        messages.error(request, _("已发布的工作进展不能修改。"))
        return redirect(bulletin)
    # A new bulletin is filed under the plan HQ is working in, and collects only its records.
    plan = bulletin.plan if bulletin else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(bulletin or "reporting:bulletin_list")
    form = BulletinForm(request.POST or None, instance=bulletin)
    candidates_entries = candidates_cases = candidates_reports = []
    candidates_trainings = candidates_task_reports = []
    if bulletin:
        candidates_entries = (
            LedgerEntry.objects.filter(
                assignment__task__plan=plan,
                date__range=(bulletin.period_start, bulletin.period_end),
            )
            .select_related("assignment__province", "assignment__task")
            .order_by("assignment__province__sort_order", "date")[:300]
        )
        candidates_cases = Case.objects.filter(
            plan=plan, state=Case.State.CONFIRMED
        ).select_related("province")
        candidates_reports = confirmed_project_reports(plan)
        candidates_trainings = plan_trainings(plan, request.user)
        candidates_task_reports = confirmed_task_reports(plan, request.user)
    chosen_items = None
    if request.method == "POST" and form.is_valid() and bulletin:
        try:
            chosen_items = _chosen_items(request, bulletin)
        except ValidationError as exc:
            for texts in exc.message_dict.values():
                for message in texts:
                    form.add_error(None, message)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the bulletin and what it carries, together
            obj = form.save(commit=False)
            obj.plan = plan
            obj.created_by = obj.created_by or request.user
            obj.save()
            if bulletin:
                obj.entries.set(
                    LedgerEntry.objects.filter(
                        assignment__task__plan=plan, pk__in=_picked(request, "entries")
                    )
                )
                obj.cases.set(
                    Case.objects.filter(
                        plan=plan, pk__in=_picked(request, "cases"), state=Case.State.CONFIRMED
                    )
                )
                obj.project_reports.set(
                    confirmed_project_reports(plan).filter(
                        pk__in=_picked(request, "project_reports")
                    )
                )
                trainings, task_reports = chosen_items
                obj.trainings.set(trainings)
                obj.task_reports.set(task_reports)
        messages.success(request, _("已保存。请选择要收录的台账和案例，然后发布。"))
        return redirect("reporting:bulletin_edit", pk=obj.pk)
    return render(
        request,
        "reporting/bulletin_form.html",
        {
            "form": form,
            "plan": plan,
            "bulletin": bulletin,
            "entries": candidates_entries,
            "cases": candidates_cases,
            "chosen_entries": set(bulletin.entries.values_list("pk", flat=True))
            if bulletin
            else set(),
            "chosen_cases": set(bulletin.cases.values_list("pk", flat=True)) if bulletin else set(),
            "project_reports": candidates_reports,
            "chosen_reports": set(bulletin.project_reports.values_list("pk", flat=True))
            if bulletin
            else set(),
            "trainings": candidates_trainings,
            "chosen_trainings": _chosen_pks(request, bulletin, "trainings"),
            "task_reports": candidates_task_reports,
            "chosen_task_reports": _chosen_pks(request, bulletin, "task_reports"),
        },
    )


def _chosen_pks(request: HttpRequest, bulletin: Bulletin | None, name: str) -> set[int]:
    """What the page shows ticked: what was just posted, else what the bulletin carries."""
    if request.method == "POST":
        return set(_picked(request, name))
    return set(getattr(bulletin, name).values_list("pk", flat=True)) if bulletin else set()


@role_required(HQ)
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        bulletin.publish(request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已发布，各单位可以查看。"))
    return redirect(bulletin)


def _bulletin_context(bulletin: Bulletin) -> dict:
    return {
        "bulletin": bulletin,
        "entries": bulletin.entries.select_related(
            "assignment__province", "assignment__task"
        ).order_by("assignment__province__sort_order", "date"),
        "cases": bulletin.cases.select_related("province"),
        "project_reports": bulletin.project_reports.select_related(
            "application__province", "due"
        ).order_by("application__province__sort_order", "due__due_date", "pk"),
        "trainings": bulletin.trainings.select_related("province", "task").order_by(
            "start_date", "pk"
        ),
        "task_reports": bulletin.task_reports.select_related("province", "definition")
        .prefetch_related("definition__fields")
        .order_by("definition__due_date", "definition__pk", "province__sort_order"),
    }


@role_required(STAFF | HQ)
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    return render(request, "reporting/bulletin_detail.html", _bulletin_context(bulletin))


@role_required(STAFF | HQ)
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    require_fonts()
    html = render_to_string("reporting/bulletin_pdf.html", _bulletin_context(bulletin))
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.pk}.pdf"'
    return response
