"""Verbs of year end: submit, return and confirm summaries; request a digest build."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.inbox import notify_province
from planning.models import Deadline, Plan
from projects.models import Application
from provinces.models import LedgerEntry
from workflow.machine import TransitionRefused

from .models import AnnualSummary, DigestBuild
from .tasks import build_digest_task


def ledger_figures(summary: AnnualSummary) -> dict:
    """The figures a summary shows, from the province's ledgers of that year."""
    agg = LedgerEntry.objects.filter(
        assignment__province=summary.province, assignment__task__plan=summary.plan
    ).aggregate(
        ledger_entries=Count("pk"),
        classes_held=Sum("classes_held"),
        trainees=Sum("trainees"),
        enterprises_served=Sum("enterprises_served"),
    )

    figures = {k: v or 0 for k, v in agg.items()}
    figures["projects_accepted"] = Application.objects.filter(
        province=summary.province, call__plan=summary.plan, state=Application.State.ACCEPTED
    ).count()
    return figures


def submit_summary(summary: AnnualSummary, by) -> AnnualSummary:
    missing = [
        str(label) for name, label in AnnualSummary.SECTIONS if not getattr(summary, name).strip()
    ]
    if missing:
        raise TransitionRefused(_("以下部分尚未填写：%(m)s。") % {"m": "、".join(missing)})
    due = (
        Deadline.objects.filter(plan=summary.plan, kind=Deadline.Kind.SUMMARY)
        .values_list("due_date", flat=True)
        .first()
    )
    late = bool(due and timezone.localdate() > due)
    summary.submit(by, figures=ledger_figures(summary), late=late)
    return summary


def _tell_province(summary: AnnualSummary, kind: str, message: str) -> None:
    from django.urls import reverse

    link = reverse("reporting:summary", args=[summary.plan.year, summary.province.code])
    notify_province(summary.province_id, kind, message, link)


def return_summary(summary: AnnualSummary, by, reason: str) -> AnnualSummary:
    summary.return_for_revision(by, reason)
    _tell_province(
        summary,
        "returned",
        _("%(year)s 年度工作总结被退回修改：%(reason)s")
        % {"year": summary.plan.year, "reason": reason.strip()},
    )
    return summary


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
