"""The rollover: an administrator makes next year's draft from a plan, with who carries it.
Mounted in the planning namespace by config.urls."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ADMINISTRATORS, role_required
from planning.models import Plan

from ..plans import RolloverRefused, rollover_plan


@role_required(ADMINISTRATORS)
@require_POST
def plan_rollover(request: HttpRequest, year: int) -> HttpResponse:
    """An administrator makes the next year's draft from this plan (the page confirms first)."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    to_year = request.POST.get("to_year", "").strip()
    if not request.POST.get("confirm"):
        messages.error(request, _("请勾选确认后再结转。"))
        return redirect(plan)
    if not to_year.isdigit():
        messages.error(request, _("请填写结转的目标年度，例如%(year)d。") % {"year": year + 1})
        return redirect(plan)
    try:
        new_plan = rollover_plan(plan, int(to_year), request.user)
    except RolloverRefused as exc:
        messages.error(request, exc.message)
        return redirect(plan)
    messages.success(
        request,
        _("已由%(from)d年度结转为%(to)d年度工作计划（草稿），请核对基地与执行单位后发布。")
        % {"from": plan.year, "to": new_plan.year},
    )
    return redirect(new_plan)
