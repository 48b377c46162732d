"""经费下达: the list of a plan's allocations, one allocation, a task's grid, the Excel import."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, with_year
from projects.models import Application
from workflow import sheets
from workflow.pagecache import cached_page
from workflow.pages import url_maker
from workflow.views import upload_page

from .. import figures, services
from ..forms import GridHeadForm, PaymentForm, ProjectAllocationForm, amount_field
from ..models import (
    Allocation,
    SpendingReport,
    project_allocation_problem,
    project_ceiling,
    task_funding_problem,
    year_end,
)
from ..resources import ALLOCATIONS_IMPORT, allocation_template_sheet


def visible_allocations(request: HttpRequest):
    return Allocation.objects.visible_to(request.user)


def plan_allocations(request: HttpRequest):
    """The working plan and its allocations the user may see."""
    plan = require_working_plan(request)
    return plan, visible_allocations(request).filter(plan=plan)


# What a row of the list shows (the related rows' other columns are long texts).
ROW_FIELDS = (
    "amount",
    "paid",
    "spent",
    "document_number",
    "task__number",
    "province__short_name",
    "project__applicant",
    "spending_report__state",
)


@cached_page
@role_required(STAFF | HQ)
def allocation_list(request: HttpRequest) -> HttpResponse:
    plan, qs = plan_allocations(request)
    rows = list(
        qs.select_related("task", "province", "project", "spending_report")
        .only(*ROW_FIELDS)
        .order_by("task__number", "province__sort_order", "pk")
    )
    flag_unspent = timezone.localdate() > year_end(plan)
    # Reversed and translated once for the list, not once per row.
    detail_url, spending_url = url_maker("funding:allocation_detail"), url_maker("funding:spending")
    states = {value: str(label) for value, label in SpendingReport.State.choices}
    for a in rows:
        a.paid_rate = figures.rate(a.paid, a.amount)
        a.spent_rate = figures.rate(a.spent, a.amount)
        a.underspent = flag_unspent and a.spent < a.amount
        a.detail_url, a.spending_url = detail_url(a.pk), spending_url(a.pk)
        report = getattr(a, "spending_report", None)  # none yet: the reverse one-to-one raises
        a.spending_state = states[report.state] if report else ""
    tasks = services.funded_tasks(plan) if request.user.is_hq else []
    return render(
        request,
        "funding/allocation_list.html",
        {
            "plan": plan,
            "rows": rows,
            "tasks": tasks,
            "flag_unspent": flag_unspent,
            "total": figures.total(
                [figures.MoneyRow("", a.amount, a.paid, a.spent, 1) for a in rows], _("合计")
            ),
        },
    )


@role_required(STAFF | HQ)
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(
        visible_allocations(request).select_related("plan", "task", "province", "project"),
        pk=pk,
    )
    return render(
        request,
        "funding/allocation_detail.html",
        {
            "allocation": allocation,
            "payments": allocation.payments.select_related("recorded_by"),
            "left": allocation.amount - allocation.paid,
            "report": getattr(allocation, "spending_report", None)
            if hasattr(allocation, "spending_report")
            else None,
            "form": PaymentForm(initial={"date": timezone.localdate()}),
        },
    )


@role_required(HQ)
def task_grid(request: HttpRequest, number: int) -> HttpResponse:
    """HQ enters a whole task at once: one row per unit carrying it."""
    plan = require_working_plan(request)
    task = get_object_or_404(plan.tasks, number=number)
    if not services.funding_mode(task):
        raise Http404
    grid = services.task_grid(task)
    head = GridHeadForm(
        request.POST or None,
        initial={
            "date": next((r.allocation.date for r in grid if r.allocation), timezone.localdate()),
            "document_number": next(
                (r.allocation.document_number for r in grid if r.allocation), ""
            ),
        },
    )
    fields = {}
    for row in grid:
        field = amount_field(row.assignment.province.short_name)
        fields[row.assignment.province_id] = field
    errors: dict[int, list[str]] = {}
    amounts: dict[int, Decimal | None] = {}
    if request.method == "POST":
        for province_id, field in fields.items():
            raw = request.POST.get(f"amount_{province_id}", "").strip()
            try:
                amounts[province_id] = field.clean(raw) if raw else None
            except ValidationError as exc:
                errors[province_id] = exc.messages
        if head.is_valid() and not errors:
            try:
                n = services.allocate_task(
                    task,
                    amounts,
                    date=head.cleaned_data["date"],
                    document_number=head.cleaned_data["document_number"],
                    by=request.user,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("已保存任务（%(task)s）的 %(n)d 个执行单位的经费下达。")
                    % {"task": task.numeral, "n": n},
                )
                return redirect(with_year(reverse("funding:task_grid", args=[number]), plan.year))
    rows = [
        {
            "row": r,
            "name": f"amount_{r.assignment.province_id}",
            "value": request.POST.get(f"amount_{r.assignment.province_id}")
            if request.method == "POST"
            else (r.allocation.amount if r.allocation else ""),
            "errors": errors.get(r.assignment.province_id, []),
        }
        for r in grid
    ]
    return render(
        request,
        "funding/task_grid.html",
        {
            "plan": plan,
            "task": task,
            "head": head,
            "rows": rows,
            "mode": services.funding_mode(task),
            "allocated": sum((r.allocation.amount for r in grid if r.allocation), Decimal(0)),
        },
    )


@role_required(HQ)
def project_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ allocates to one project (经费下达 to a project): the same service and rule
    (``project_allocation_problem``) as the import and the API."""
    project = get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "call__task__plan", "province", "agreement"
        ),
        pk=pk,
    )
    task = project.call.task
    existing = Allocation.objects.visible_to(request.user).filter(project=project).first()
    # Said before HQ types anything; saving still asks the model's rules, through the service.
    refused = task_funding_problem(task) or project_allocation_problem(project, None)
    form = ProjectAllocationForm(
        request.POST or None,
        initial={
            "amount": existing.amount if existing else project_ceiling(project),
            "document_number": existing.document_number if existing else "",
            "date": existing.date if existing else timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            allocation, created = services.allocate(
                task, project.province, project=project, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = (
                _("已向项目“%(project)s”下达经费 %(amount)s 万元。")
                if created
                else _("已将项目“%(project)s”的下达经费改为 %(amount)s 万元。")
            )
            messages.success(
                request, text % {"project": project.applicant, "amount": allocation.amount}
            )
            return redirect(allocation)
    return render(
        request,
        "funding/project_allocation.html",
        {
            "project": project,
            "task": task,
            "existing": existing,
            "ceiling": project_ceiling(project),
            "refused": refused,
            "form": form,
        },
    )


@role_required(HQ)
def allocation_import(request: HttpRequest) -> HttpResponse:
    return upload_page(request, ALLOCATIONS_IMPORT)


@role_required(HQ)
def allocation_template(request: HttpRequest) -> HttpResponse:
    return sheets.download("allocations-template.xlsx", allocation_template_sheet(request.user))


def counts(qs) -> dict:
    return qs.aggregate(n=Count("pk"), allocated=Sum("amount"))
