"""The plans: the list, a plan's page and a task's, HQ's state changes, the year switcher."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, role_required
from provinces.models import Assignment, PlanUnit, Province
from workflow.machine import TransitionRefused, history

from ..models import Plan, Task
from ..working import with_year


@role_required(ALL)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.visible_to(request.user).annotate(task_count=Count("tasks"))
    return render(request, "planning/plan_list.html", {"plans": plans})


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


@role_required(HQ)
@require_POST
def plan_transition(request: HttpRequest, year: int, action: str) -> HttpResponse:
    """HQ publishes a draft, closes a finished year or reopens it (with who/when/why)."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    verbs = {"publish": plan.publish, "close": plan.close, "reopen": plan.reopen}
    if action not in verbs:
        raise Http404
    try:
        verbs[action](request.user, request.POST.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("年度计划状态已改为“%(state)s”。") % {"state": plan.get_state_display()}
        )
    return redirect(plan)


@role_required(ALL)
@require_POST
def switch_year(request: HttpRequest) -> HttpResponse:
    """The header's year switcher: remember the chosen plan for this user and go back to
    the page, now carrying ``?year=``."""
    plan = Plan.objects.visible_to(request.user).for_year(request.POST.get("year"))
    if plan is None:
        raise Http404
    request.user.working_year = plan.year
    request.user.save(update_fields=["working_year"])
    return redirect(with_year(request.POST.get("next", ""), plan.year))
