"""A plan's page and a task's: what the plan says and who carries it (bases, executing
units). Mounted in the planning namespace by config.urls."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import ALL, role_required
from planning.models import Plan, Task
from workflow.machine import history

from ..models import Assignment, PlanUnit, Province


@role_required(ALL)
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    tasks = (
        plan.tasks.prefetch_related(
            "items",
            "targets",
            Prefetch("tracks__items"),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("province").order_by(
                    "province__sort_order"
                ),
            ),
        )
        .annotate(
            mandatory_count=Count("assignments", filter=Q(assignments__kind="mandatory")),
            voluntary_count=Count("assignments", filter=Q(assignments__kind="voluntary")),
        )
        .order_by("number")
    )
    deadlines = plan.deadlines.select_related("task")
    bases = PlanUnit.objects.filter(plan=plan).exclude(base_level="").select_related("province")
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "deadlines": deadlines,
            "bases": bases,
            "history": [(log, Plan.State(log.to_state).label) for log in history(plan)]
            if request.user.is_hq
            else None,
        },
    )


@role_required(ALL)
def task_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("plan"),
        plan__year=year,
        number=number,
    )
    assignments = task.assignments.select_related("province", "track").order_by(
        "track__pk", "province__sort_order"
    )
    tracks = task.tracks.prefetch_related("items")
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "items": task.items.all(),
            "tracks": tracks,
            "targets": task.targets.select_related("item"),
            "mandatory": [a for a in assignments if a.kind == Assignment.Kind.MANDATORY],
            "voluntary": [a for a in assignments if a.kind == Assignment.Kind.VOLUNTARY],
            "deadlines": task.plan.deadlines.filter(Q(task=task) | Q(task__isnull=True)),
            "visible_provinces": set(
                Province.objects.visible_to(request.user).values_list("pk", flat=True)
            ),
        },
    )
