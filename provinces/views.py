from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from planning.models import Plan

from .models import Assignment, Province


def _current_plan(request: HttpRequest) -> Plan | None:
    plans = Plan.objects.visible_to(request.user)
    year = request.GET.get("year")
    if year and year.isdigit():
        return plans.filter(year=int(year)).first()
    return plans.first()


@login_required
def province_list(request: HttpRequest) -> HttpResponse:
    provinces = Province.objects.visible_to(request.user)
    if not request.user.is_hq:
        raise Http404
    plan = _current_plan(request)
    provinces = provinces.annotate(
        mandatory_count=Count(
            "assignments",
            filter=Q(assignments__kind="mandatory", assignments__task__plan=plan),
        ),
        voluntary_count=Count(
            "assignments",
            filter=Q(assignments__kind="voluntary", assignments__task__plan=plan),
        ),
    )
    return render(request, "provinces/province_list.html", {"provinces": provinces, "plan": plan})


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province.objects.visible_to(request.user), code=code)
    plan = _current_plan(request)
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(province=province, task__plan=plan)
        .select_related("task", "track", "registration")
        .order_by("task__number")
    )
    return render(
        request,
        "provinces/province_detail.html",
        {"province": province, "plan": plan, "assignments": assignments},
    )


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """What the user's province still owes, and by when."""
    user = request.user
    if not user.is_province_staff:
        raise Http404
    plan = _current_plan(request)
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(task__plan=plan)
        .select_related("task", "track", "registration", "province")
        .order_by("task__number")
    )
    deadlines = plan.deadlines.select_related("task") if plan else []
    return render(
        request,
        "provinces/todo.html",
        {
            "plan": plan,
            "assignments": assignments,
            "deadlines": deadlines,
            "province": user.province,
        },
    )
