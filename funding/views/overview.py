"""Allocated → paid → spent, with the rates, per task, unit and year: the page and its export."""

from __future__ import annotations

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan
from projects.models import Application
from workflow import sheets
from workflow.pagecache import cached_page

from .. import figures
from ..charts import money_chart
from ..models import ALLOCATABLE, Allocation
from ..resources import allocation_sheet


def overview_data(request: HttpRequest) -> dict:
    plan = require_working_plan(request)
    visible = Allocation.objects.visible_to(request.user)
    in_plan = visible.filter(plan=plan)
    tasks = figures.by_task(in_plan)
    units = figures.by_unit(in_plan)
    years = figures.by_year(visible)
    return {
        "plan": plan,
        "tasks": tasks,
        "units": units,
        "years": years,
        "total": figures.total(tasks, _("合计")),
        "years_total": figures.total(years, _("合计")),
    }


@cached_page
@role_required(STAFF | HQ)
def overview(request: HttpRequest) -> HttpResponse:
    data = overview_data(request)
    data["chart"] = money_chart(data["units"] if request.user.is_hq else data["tasks"])
    if request.user.is_hq:  # the plan's projects, each with a link to allocate to it
        data["projects"] = (
            Application.objects.visible_to(request.user)
            .filter(call__plan=data["plan"], state__in=ALLOCATABLE)
            .select_related("province", "call__task")
            .annotate(allocated=Sum("allocations__amount"))
            .order_by("call__task__number", "province__sort_order", "pk")
        )
    return render(request, "funding/overview.html", data)


def _money_sheet(title: str, first: str, rows, total) -> sheets.Sheet:
    heads = [
        _("下达（万元）"),
        _("拨付（万元）"),
        _("使用（万元）"),
        _("拨付率（%）"),
        _("使用率（%）"),
    ]
    sheet = sheets.Sheet(title, [first, *heads])
    for r in [*rows, total]:
        sheet.append([r.label, r.allocated, r.paid, r.spent, r.paid_rate, r.spent_rate])
    return sheet


@role_required(STAFF | HQ)
def export(request: HttpRequest) -> HttpResponse:
    """The allocation sheet first (it imports back), then the totals per task, unit and year."""
    data = overview_data(request)
    allocations = Allocation.objects.visible_to(request.user).filter(plan=data["plan"])
    return sheets.download(
        f"funding-{data['plan'].year}.xlsx",
        allocation_sheet(allocations),
        _money_sheet(_("按任务"), _("任务"), data["tasks"], data["total"]),
        _money_sheet(_("按执行单位"), _("执行单位"), data["units"], data["total"]),
        _money_sheet(_("按年度"), _("年度"), data["years"], data["years_total"]),
    )
