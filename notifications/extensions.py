"""延期申请: a unit asks for more time for one thing it owes; HQ approves or refuses."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from workflow.machine import TransitionRefused

from .inbox import notify, notify_province
from .models import ExtensionRequest
from .obligations import base_key, owed_by

MAX_EXTENSION_DAYS = 90


def request_extension(
    province, by, *, key: str, requested_due: date, reason: str, today: date | None = None
) -> ExtensionRequest:
    """Ask for a later date for one thing the unit owes, before its (effective) due date."""
    today = today or timezone.localdate()
    owed = next((o for o in owed_by(province) if base_key(o.key) == key), None)
    if owed is None:
        raise TransitionRefused(_("该事项已报送或不存在，无需延期。"))
    if today > owed.due:
        raise TransitionRefused(
            _("该事项已于 %(d)s 截止，截止后不能申请延期，请直接联系专利文献部。") % {"d": owed.due}
        )
    if requested_due <= owed.due:
        raise TransitionRefused(_("申请延至的日期应晚于现在的截止日期 %(d)s。") % {"d": owed.due})
    if requested_due > owed.due + timedelta(days=MAX_EXTENSION_DAYS):
        raise TransitionRefused(_("一次最多延期 %(n)d 天。") % {"n": MAX_EXTENSION_DAYS})
    if not reason.strip():
        raise TransitionRefused(_("请填写延期理由。"))
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                deadline_key=key,
                province=province,
                what=owed.what[:300],
                plan_year=owed.year,
                due_date=owed.due,
                requested_due=requested_due,
                reason=reason.strip(),
                requested_by=by,
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("该事项已有待审批的延期申请。")) from exc
    notify(
        User.objects.filter(role=Role.HQ_REVIEWER, is_active=True),
        "decision",
        gettext_noop("%(p)s 申请将“%(w)s”延期至 %(d)s。"),
        params={"p": province.short_name, "w": owed.what, "d": requested_due},
        link=reverse("notifications:extension_list"),
    )
    return request


def approve_extension(request: ExtensionRequest, by, reason: str = "") -> ExtensionRequest:
    request.approve(by, reason)
    notify_province(
        request.province_id,
        "decision",
        gettext_noop("延期申请已批准：“%(w)s”截止日期改为 %(d)s。"),
        params={"w": request.what, "d": request.requested_due},
        link=reverse("notifications:extension_detail", args=[request.pk]),
    )
    return request


def refuse_extension(request: ExtensionRequest, by, reason: str) -> ExtensionRequest:
    request.refuse(by, reason)
    notify_province(
        request.province_id,
        "decision",
        gettext_noop("延期申请未批准：“%(w)s”仍于 %(d)s 截止。理由：%(r)s"),
        params={"w": request.what, "d": request.due_date, "r": reason.strip()},
        link=reverse("notifications:extension_detail", args=[request.pk]),
    )
    return request
