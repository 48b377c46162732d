"""Calls (申报通知): the list with each call's counts, a call's page, HQ opens a call and
decides several of its applications at once."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from workflow.machine import TransitionRefused

from .. import services
from ..forms import CallForm
from ..models import Application, Call


@role_required(STAFF | HQ)
def call_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    visible = Application.objects.visible_to(request.user).filter(call__plan=plan)
    calls = (
        Call.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("task", "plan")
        .annotate(
            n=Count("applications", filter=Q(applications__in=visible)),
            granted=Sum("applications__budget_granted", filter=Q(applications__in=visible)),
        )
    )
    totals = (
        visible.values("state")
        .annotate(n=Count("pk"), asked=Sum("budget_requested"), granted=Sum("budget_granted"))
        .order_by("state")
    )
    labels = dict(Application.State.choices)
    return render(
        request,
        "projects/call_list.html",
        {"plan": plan, "calls": calls, "totals": [(labels[t["state"]], t) for t in totals]},
    )


@role_required(STAFF | HQ)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.visible_to(request.user).select_related("task"), pk=pk)
    applications = (
        Application.objects.visible_to(request.user).filter(call=call).select_related("province")
    )
    return render(
        request,
        "projects/call_detail.html",
        {"call": call, "applications": applications, "criteria": call.criteria.all()},
    )


@role_required(HQ)
def call_new(request: HttpRequest) -> HttpResponse:
    """HQ opens a call (申报通知) with its scoring criteria."""
    plan = require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("projects:call_list")
    form = CallForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = services.open_call(
                plan,
                request.user,
                **{f: data[f] for f in CallForm.Meta.fields},
                criteria=data["criteria"],
            )
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申报通知已发布。"))
            return redirect(call)
    return render(request, "projects/call_form.html", {"form": form, "plan": plan})


@role_required(HQ)
@require_POST
def call_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ decides several applications of a call at once."""
    call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
    try:
        ids = [int(v) for v in request.POST.getlist("applications")]
    except ValueError as exc:
        raise Http404 from exc
    try:
        decided = services.decide_batch(
            call,
            request.user,
            ids,
            request.POST.get("decision", ""),
            request.POST.get("reason", ""),
            override_reviews=bool(request.POST.get("override_reviews")),
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已决定 %(n)d 项申报。") % {"n": len(decided)})
    return redirect(call)
