"""The plans: the list, HQ's state changes, the year switcher. (A plan's page and a task's
show who carries them: provinces/views/plans.py.)"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, role_required
from workflow.machine import TransitionRefused

from ..models import Plan
from ..working import with_year


@role_required(ALL)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.visible_to(request.user).annotate(task_count=Count("tasks"))
    return render(request, "planning/plan_list.html", {"plans": plans})


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
