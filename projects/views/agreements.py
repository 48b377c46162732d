"""Agreements: HQ signs one (from the application's actions), the undertaking province
reports progress on its deliverables."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, role_required
from workflow.machine import TransitionRefused

from .. import services
from ..forms import posted_date, posted_money
from ..models import Application, Deliverable


def sign(app: Application, user, post) -> None:
    missing = _("请填写实施期的开始和结束日期。")
    invalid = _("实施期的开始和结束日期应为有效日期，例如 2018-12-31。")
    starts_on = posted_date(post.get("starts_on", ""), missing=missing, invalid=invalid)
    ends_on = posted_date(post.get("ends_on", ""), missing=missing, invalid=invalid)
    services.sign_agreement(
        app,
        user,
        number=post.get("number", ""),
        budget=posted_money(
            post.get("budget", ""), _("协议经费应为金额（万元），最多两位小数，例如 12.50。")
        ),
        starts_on=starts_on,
        ends_on=ends_on,
        deliverables=services.parse_deliverables(post.get("deliverables", "")),
        terms=post.get("terms", ""),
        report_frequency=post.get("report_frequency", ""),
    )


@role_required(STAFF)
@require_POST
def deliverable_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The undertaking province reports progress on one deliverable of its agreement."""
    deliverable = get_object_or_404(
        Deliverable.objects.filter(
            application__in=Application.objects.visible_to(request.user)
        ).select_related("application"),
        pk=pk,
    )
    post = request.POST
    try:
        try:
            percent = int(post.get("percent", ""))
        except ValueError as exc:
            raise TransitionRefused(_("完成进度应为 0 到 100 的整数。")) from exc
        raw_done = post.get("done_on", "") or ""
        done_on = parse_date(raw_done) if raw_done else None
        if raw_done and done_on is None:
            raise TransitionRefused(_("完成日期格式应为 YYYY-MM-DD。"))
        services.report_progress(
            deliverable, request.user, percent=percent, note=post.get("note", ""), done_on=done_on
        )
    except (TransitionRefused, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("日期无效。")))
    else:
        messages.success(request, _("进展已报告。"))
    return redirect(deliverable.application)
