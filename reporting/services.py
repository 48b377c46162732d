"""Verbs of year end: submit, return and confirm summaries; request a digest build."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from notifications.inbox import notify_province
from planning.models import Plan

from .models import AnnualSummary, DigestBuild
from .tasks import build_digest_task


def submit_summary(summary: AnnualSummary, by) -> AnnualSummary:
    """Submit (or resubmit) a summary; its figures are taken from the ledgers now."""
    summary.submit(by)
    return summary


def _tell_province(summary: AnnualSummary, kind: str, message: str) -> None:
    from django.urls import reverse

    link = reverse("reporting:summary", args=[summary.plan.year, summary.province.code])
    notify_province(summary.province_id, kind, message, link)


@transaction.atomic  # the change, its history and its notification: all or none
def return_summary(summary: AnnualSummary, by, reason: str) -> AnnualSummary:
    summary.return_for_revision(by, reason)
    _tell_province(
        summary,
        "returned",
        _("%(year)s 年度工作总结被退回修改：%(reason)s")
        % {"year": summary.plan.year, "reason": reason.strip()},
    )
    return summary


@transaction.atomic  # the change, its history and its notification: all or none
def confirm_summary(summary: AnnualSummary, by, reason: str = "") -> AnnualSummary:
    summary.confirm(by, reason)
    _tell_province(
        summary, "confirmed", _("%(year)s 年度工作总结已确认。") % {"year": summary.plan.year}
    )
    return summary


def request_digest(plan: Plan, by) -> DigestBuild:
    """Queue a digest build; the Celery task starts only once the row is committed."""

    build = DigestBuild.objects.create(plan=plan, requested_by=by)
    transaction.on_commit(lambda: build_digest_task.delay(build.pk))
    return build
