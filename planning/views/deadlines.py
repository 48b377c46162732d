"""HQ's deadlines of a plan: add a deadline (e.g. a quarterly progress report) or tune a
deadline's reminders."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required
from workflow.machine import TransitionRefused

from ..forms import DeadlineForm
from ..models import Deadline
from ..working import require_working_plan, with_year, working_plan


@role_required(HQ)
def deadline_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    deadlines = plan.deadlines.select_related("task") if plan else []
    return render(request, "planning/deadline_list.html", {"plan": plan, "deadlines": deadlines})


@role_required(HQ)
def deadline_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """HQ adds a deadline (e.g. a quarterly progress report) or tunes a deadline's reminders."""
    plan = require_working_plan(request)
    instance = get_object_or_404(plan.deadlines, pk=pk) if pk else None
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(with_year(reverse("planning:deadline_list"), plan.year))
    form = DeadlineForm(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        deadline = form.save(commit=False)
        if instance is None:
            deadline.plan, deadline.kind = plan, Deadline.Kind.OTHER
        deadline.save()
        messages.success(request, _("时间节点已保存。"))
        return redirect(with_year(reverse("planning:deadline_list"), plan.year))
    return render(request, "planning/deadline_form.html", {"form": form, "deadline": instance})
