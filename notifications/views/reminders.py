"""Reminders (催办): HQ's log of every reminder sent, and reminding units now."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, role_required

from ..models import ReminderLog, unit_model
from ..obligations import everything_owed, plan_of_year
from ..services import RateLimited, remind_now


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


def _plan(request: HttpRequest):
    year = request.POST.get("year", "")
    plan = plan_of_year(year if year.isdigit() else None)
    if plan is None:
        raise Http404
    return plan


@role_required(HQ)
@require_POST
def remind_unit(request: HttpRequest, code: str) -> HttpResponse:
    """催办 one unit now: everything it owes in the plan, rate-limited to once a day."""
    province = get_object_or_404(unit_model().objects.all(), code=code)
    plan = _plan(request)
    owed = [
        o
        for o in everything_owed(plan)
        if o.province == province and o.due <= timezone.localdate() + timedelta(days=7)
    ]
    if not owed:
        messages.info(request, _("%(p)s 目前没有待报送的事项。") % {"p": province.short_name})
    else:
        try:
            sent = remind_now(owed, request.user)
        except RateLimited as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(
                request,
                _("已向 %(p)s 发送催办邮件 %(n)d 封。") % {"p": province.short_name, "n": sent},
            )
    return redirect(f"/provinces/board/?year={plan.year}")


@role_required(HQ)
@require_POST
def remind_late(request: HttpRequest) -> HttpResponse:
    """催办 every unit that is overdue."""
    plan = _plan(request)
    today = timezone.localdate()
    owed = [o for o in everything_owed(plan) if o.due < today]
    task = request.POST.get("task", "")
    if task.isdigit():  # all late units of one task
        owed = [o for o in owed if int(task) in o.tasks]
    if not owed:
        messages.info(request, _("目前没有逾期未报送的单位。"))
        return redirect(f"/provinces/board/?year={plan.year}")
    sent = 0
    try:
        sent = remind_now(owed, request.user)
    except RateLimited as exc:
        messages.warning(request, str(exc))
    else:
        units = len({o.province.pk for o in owed})
        messages.success(
            request, _("已向 %(u)d 个逾期单位发送催办邮件 %(n)d 封。") % {"u": units, "n": sent}
        )
    return redirect(f"/provinces/board/?year={plan.year}")
