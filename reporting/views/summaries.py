"""Annual summaries (年度工作总结): the list, one unit's summary, HQ's return and confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, role_required
from planning.working import visible_plan, working_plan
from provinces.models import Province
from workflow.machine import TransitionRefused, history
from workflow.pages import say_saved
from workflow.review import save_draft

from .. import services
from ..forms import SummaryForm, task_plan_formset, task_plan_rows
from ..models import AnnualSummary


@role_required(ALL)
def home(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        return redirect("planning:plan_list")
    return redirect("reporting:summary_list", year=plan.year)


@role_required(STAFF | HQ)
def summary_list(request: HttpRequest, year: int) -> HttpResponse:
    plan = visible_plan(request, year)
    if request.user.is_province_staff:  # a unit has one summary a year: straight to it
        return redirect("reporting:summary", year=year, code=request.user.province.code)
    summaries = {
        s.province_id: s for s in AnnualSummary.objects.visible_to(request.user).filter(plan=plan)
    }
    rows = [(p, summaries.get(p.pk)) for p in Province.objects.visible_to(request.user)]
    return render(request, "reporting/summary_list.html", {"plan": plan, "rows": rows})


@role_required(STAFF | HQ, post=STAFF)
def summary(request: HttpRequest, year: int, code: str) -> HttpResponse:
    plan = visible_plan(request, year)
    province = get_object_or_404(Province.objects.visible_to(request.user), code=code)
    obj = (
        AnnualSummary.objects.visible_to(request.user).filter(plan=plan, province=province).first()
    )
    draft = obj or AnnualSummary(plan=plan, province=province)
    can_edit = request.user.is_province_staff and draft.can_be_edited_by(request.user)
    if request.method == "POST":
        form = SummaryForm(request.POST, instance=draft)
        task_plans = task_plan_formset(draft, request.user, request.POST)
        if form.is_valid() & (task_plans.is_valid() or not task_plans.is_bound):
            try:
                save_draft(
                    draft,
                    request.user,
                    form.cleaned_data,
                    {"task_plans": task_plan_rows(task_plans)},
                )
                if "submit" in request.POST:
                    services.submit_summary(draft, request.user)
            except TransitionRefused as exc:
                messages.error(request, exc.message)
            else:
                say_saved(request, draft, "submit" in request.POST)
            if draft.pk:
                return redirect(draft)
            return redirect("reporting:summary", year=year, code=code)
        messages.error(request, _("请更正下面标出的错误。"))
    else:
        form = SummaryForm(instance=obj)
        task_plans = task_plan_formset(draft, request.user)
    preview = draft.ledger_figures()
    return render(
        request,
        "reporting/summary.html",
        {
            "plan": plan,
            "province": province,
            "summary": obj,
            "form": form,
            "task_plans": task_plans,
            "saved_task_plans": obj.task_plans.all() if obj else [],
            "can_edit": can_edit,
            "figures": preview,
            "network": draft.network_figures(),
            "history": history(obj) if obj else [],
        },
    )


@role_required(HQ)
@require_POST
def summary_action(request: HttpRequest, year: int, code: str, action: str) -> HttpResponse:
    obj = get_object_or_404(
        AnnualSummary.objects.visible_to(request.user), plan__year=year, province__code=code
    )
    verbs = {"return": services.return_summary, "confirm": services.confirm_summary}
    if action not in verbs:
        raise Http404
    done = {
        "return": _("%(p)s %(y)s 年度工作总结已退回修改。"),
        "confirm": _("%(p)s %(y)s 年度工作总结已确认。"),
    }[action] % {"p": obj.province.short_name, "y": year}
    try:
        verbs[action](obj, request.user, request.POST.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(obj)
