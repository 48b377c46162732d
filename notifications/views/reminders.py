"""Reminders (催办): HQ's log of every reminder sent; 催办 previewed (who gets what), then
confirmed, one message per unit."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required

from ..models import ReminderLog, unit_model
from ..obligations import working_plan
from ..services import ChaseResult, chase, chase_preview


@role_required(HQ)
def reminder_log(request: HttpRequest) -> HttpResponse:
    """Every reminder sent, newest first (HQ)."""
    logs = ReminderLog.objects.select_related("province", "requested_by")
    province = request.GET.get("province", "")
    if province:
        logs = logs.filter(province__code=province)
    kind = request.GET.get("kind", "")
    if kind in ReminderLog.Kind.values:
        logs = logs.filter(kind=kind)
    page = Paginator(logs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/reminder_log.html",
        {"page": page, "provinces": unit_model().objects.all(), "kinds": ReminderLog.Kind.choices},
    )


def _param(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _plan(request: HttpRequest):
    """The plan HQ works in (the year switcher, or ``year`` in the URL or the form)."""
    plan = working_plan(request)
    if plan is None:
        raise Http404
    return plan


def _names(units) -> str:
    return "、".join(u.province.short_name for u in units)


def _report(request: HttpRequest, result: ChaseResult) -> None:
    """Say what happened to each unit: chased, never reachable, or already chased today."""
    if result.chased:
        messages.success(
            request,
            _("已向 %(units)s 发送催办：每个单位一封邮件，列出其全部逾期事项。")
            % {"units": _names(result.chased)},
        )
    if result.no_recipients:
        messages.warning(
            request,
            _("%(units)s没有可接收提醒的账号：请在用户管理中为该单位添加省局工作人员账号。")
            % {"units": _names(result.no_recipients)},
        )
    if result.already:
        messages.info(
            request,
            _("%(units)s今天已经催办过，请明天再试。") % {"units": _names(result.already)},
        )
    if not (result.chased or result.no_recipients or result.already):
        messages.info(request, _("目前没有逾期未报送的单位。"))


def _chase_page(request: HttpRequest, plan, *, province=None, task: int | None = None):
    """GET (or a POST without ``confirm``): the preview. POST with ``confirm``: send."""
    if request.method == "POST" and request.POST.get("confirm") == "1":
        _report(request, chase(plan, request.user, province=province, task=task))
        return redirect(f"/provinces/board/?year={plan.year}")
    units = chase_preview(plan, province=province, task=task)
    return render(
        request,
        "notifications/chase_preview.html",
        {
            "plan": plan,
            "units": units,
            "province": province,
            "task": task,
            "sendable": [u for u in units if u.can_send],
        },
    )


@role_required(HQ)
def remind_unit(request: HttpRequest, code: str) -> HttpResponse:
    """催办 one unit: one message listing everything it has overdue in the plan."""
    province = get_object_or_404(unit_model().objects.all(), code=code)
    return _chase_page(request, _plan(request), province=province)


@role_required(HQ)
def remind_late(request: HttpRequest) -> HttpResponse:
    """催办 every overdue unit (or those overdue on one task): one message per unit."""
    task = _param(request, "task")
    return _chase_page(request, _plan(request), task=int(task) if task.isdigit() else None)
