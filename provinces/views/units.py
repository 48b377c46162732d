"""The executing units: HQ's list of provinces and one unit's page."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import HQ, STAFF, role_required
from planning.models import BaseLevel
from planning.working import working_plan

from ..models import Assignment, PlanUnit, Province


@role_required(HQ)
def province_list(request: HttpRequest) -> HttpResponse:
    provinces = Province.objects.visible_to(request.user)
    plan = working_plan(request)
    provinces = provinces.annotate(
        mandatory_count=Count(
            "assignments",
            filter=Q(assignments__kind="mandatory", assignments__task__plan=plan),
        ),
        voluntary_count=Count(
            "assignments",
            filter=Q(assignments__kind="voluntary", assignments__task__plan=plan),
        ),
        base_level=Subquery(
            PlanUnit.objects.filter(plan=plan, province=OuterRef("pk")).values("base_level")[:1]
        ),
    )
    return render(
        request,
        "provinces/province_list.html",
        {"provinces": provinces, "plan": plan, "levels": dict(BaseLevel.choices)},
    )


@role_required(STAFF | HQ)
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province.objects.visible_to(request.user), code=code)
    plan = working_plan(request)
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(province=province, task__plan=plan)
        .select_related("task", "track", "registration")
        .order_by("task__number")
    )
    role = PlanUnit.objects.filter(plan=plan, province=province).first() if plan else None
    return render(
        request,
        "provinces/province_detail.html",
        {"province": province, "plan": plan, "role": role, "assignments": assignments},
    )
