"""A unit's to-do page: what it still owes in the working plan, and by when."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import STAFF, role_required
from notifications.obligations import unit_todo
from planning.working import working_plan
from workflow.models import TransitionLog
from workflow.pagecache import cached_page

from ..board import earliest_open_steps, light_for, owed_task_reports, owes_registration
from ..models import Assignment, Registration


@cached_page
@role_required(STAFF)
def todo(request: HttpRequest) -> HttpResponse:
    """What the user's province still owes, and by when."""
    user = request.user
    plan = working_plan(request)
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(task__plan=plan)
        .select_related("task", "track", "registration")
        .only(  # what the rows show and the lights read: not the tasks' long texts
            "kind",
            "taken_up",
            "province_id",
            "task__number",
            "task__title",
            "track__name",
            "registration__assignment_id",
            "registration__state",
        )
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
    # Running projects of closed earlier years go on: their obligations are this year's too.
    also_owed, carried = unit_todo(user.province, plan)
    return render(
        request,
        "provinces/todo.html",
        {
            "plan": plan,
            "rows": rows,
            "deadlines": deadlines,
            "province": user.province,
            "carried": carried,
            "task_reports": owed_task_reports(plan, user) if plan else [],
            "today": today,
            "also_owed": also_owed,
        },
    )
