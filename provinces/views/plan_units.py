"""A draft plan's units: HQ sets each unit's base level and western flag at once, and the
base tracks' assignments follow (``provinces.plans.set_plan_units``). Mounted in the
planning namespace by config.urls."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required
from planning.models import Plan
from workflow.machine import TransitionRefused

from ..forms import PlanUnitsForm
from ..models import PlanUnit, Province
from ..plans import set_plan_units


def _units(plan: Plan) -> list[tuple[Province, str, bool]]:
    """Every unit with its role in ``plan``; a unit the plan has no row for yet shows the
    province's defaults (no base, its current western flag)."""
    roles = {u.province_id: u for u in PlanUnit.objects.filter(plan=plan)}
    return [
        (p, roles[p.pk].base_level, roles[p.pk].western) if p.pk in roles else (p, "", p.western)
        for p in Province.objects.all()
    ]


@role_required(HQ)
def plan_units(request: HttpRequest, year: int) -> HttpResponse:
    """The 32 units of a draft plan: base level and western, saved all at once."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    form = PlanUnitsForm(request.POST or None, units=_units(plan))
    if request.method == "POST" and form.is_valid():
        try:
            set_plan_units(plan, form.roles(), request.user)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已保存%(year)d年度执行单位的基地与西部省区，基地类别的任务承担已随之更新。")
                % {"year": plan.year},
            )
            return redirect(plan)
    return render(
        request,
        "planning/plan_units.html",
        {"plan": plan, "form": form, "editable": plan.state == Plan.State.DRAFT},
    )
