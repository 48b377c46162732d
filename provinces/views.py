from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import HQ, STAFF, role_required
from planning.models import BaseLevel
from planning.working import working_plan
from workflow.models import TransitionLog

from .board import earliest_open_steps, light_for, owes_registration
from .models import Assignment, PlanUnit, Province, Registration


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


@role_required(STAFF)
def todo(request: HttpRequest) -> HttpResponse:
    """What the user's province still owes, and by when."""
    user = request.user
    plan = working_plan(request)
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(task__plan=plan)
        .select_related("task", "track", "registration", "province")
        .order_by("kind", "task__number")
    )
    returned = [
        a.registration.pk
        for a in assignments
        if getattr(a, "registration", None) and a.registration.state == Registration.State.RETURNED
    ]
    returned_reasons = {}
    if returned:
        for log in TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration),
            object_id__in=returned,
            to_state=Registration.State.RETURNED,
        ).order_by("at"):
            returned_reasons[log.object_id] = log.reason
    deadlines = list(plan.deadlines.select_related("task")) if plan else []
    today = timezone.localdate()
    registration_due = next((d.due_date for d in deadlines if d.kind == "registration"), None)
    steps = earliest_open_steps(plan, today, user) if plan else {}
    rows = []
    for a in assignments:
        reg = getattr(a, "registration", None)
        owed = owes_registration(a)
        step_due = steps.get(a.pk)
        rows.append(
            {
                "assignment": a,
                "registration": reg,
                "owed": owed,
                "light": light_for(a, registration_due, today, step_due),
                "step_due": step_due,
                "step_overdue": bool(step_due and step_due < today),
                "days_left": (registration_due - today).days if registration_due and owed else None,
                "return_reason": returned_reasons.get(reg.pk) if reg else None,
            }
        )
    return render(
        request,
        "provinces/todo.html",
        {"plan": plan, "rows": rows, "deadlines": deadlines, "province": user.province},
    )
