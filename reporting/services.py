"""Verbs of year end: submit, return and confirm summaries; request a digest build."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.inbox import notify_province
from planning.models import Plan, Task
from provinces.models import Assignment, Registration
from workflow.machine import record_event
from workflow.review import save_draft

from .models import AnnualSummary, DigestBuild, NextYearTaskPlan
from .tasks import build_digest_task


def submit_summary(summary: AnnualSummary, by) -> AnnualSummary:
    """Submit (or resubmit) a summary; its figures are taken from the ledgers now."""
    summary.submit(by)
    return summary


def _tell_province(summary: AnnualSummary, kind: str, message: str, **params) -> None:
    link = reverse("reporting:summary", args=[summary.plan.year, summary.province.code])
    notify_province(
        summary.province_id,
        kind,
        message,
        params={"year": summary.plan.year, **params},
        link=link,
    )


@transaction.atomic  # the change, its history and its notification: all or none
def return_summary(summary: AnnualSummary, by, reason: str, now=None) -> AnnualSummary:
    summary.return_for_revision(by, reason, now=now)
    _tell_province(
        summary,
        "returned",
        gettext_noop("%(year)s 年度工作总结被退回修改：%(reason)s"),
        reason=reason.strip(),
    )
    return summary


@transaction.atomic  # the change, its history and its notification: all or none
def confirm_summary(summary: AnnualSummary, by, reason: str = "", now=None) -> AnnualSummary:
    summary.confirm(by, reason, now=now)
    _tell_province(summary, "confirmed", gettext_noop("%(year)s 年度工作总结已确认。"))
    return summary


def request_digest(plan: Plan, by) -> DigestBuild:
    """Queue a digest build; the Celery task starts only once the row is committed."""

    build = DigestBuild.objects.create(plan=plan, requested_by=by)
    transaction.on_commit(lambda: build_digest_task.delay(build.pk))
    return build


# --- next year's plan → next year's registrations ---------------------------------------


def matching_task(row: NextYearTaskPlan, tasks: Iterable[Task]) -> Task | None:
    """The task of the new plan a per-task plan is about: the task it names, else the task
    of the same title (a task renumbered by the new notice), else of the same number (a
    rolled-over plan keeps the numbers)."""
    tasks = list(tasks)
    for same in (
        lambda t: t.pk == row.task_id,
        lambda t: t.title.strip() == row.task_title.strip(),
        lambda t: t.number == row.task_number,
    ):
        found = next((t for t in tasks if same(t)), None)
        if found is not None:
            return found
    return None


@dataclass
class PrefillResult:
    filled: list[Registration]
    kept: list[Registration]  # already written by the unit: never overwritten


def _untouched(registration: Registration | None) -> bool:
    return registration is None or (
        registration.state == Registration.State.DRAFT
        and not registration.work_content.strip()
        and not registration.expected_results.strip()
    )


@transaction.atomic
def prefill_registrations(plan: Plan) -> PrefillResult:
    """Fill each unit's registrations in ``plan`` from the per-task plans of its summary of
    the year before (handed in: submitted, resubmitted or confirmed).

    Only a registration the unit has not written yet (none, or an empty draft) is filled,
    through ``save_draft`` as the system, and the fill is recorded in its history; anything
    the unit wrote is kept. A voluntary task not taken up is left alone (the unit takes it up
    first). Idempotent: a second run finds nothing empty to fill.
    """
    result = PrefillResult(filled=[], kept=[])
    previous = Plan.objects.preceding(plan.year)
    if previous is None:
        return result
    rows = (
        NextYearTaskPlan.objects.filter(
            summary__plan=previous, summary__state__in=AnnualSummary.HANDED_IN
        )
        .select_related("summary")
        .order_by("summary__province_id", "task_number", "pk")
    )
    tasks = list(plan.tasks.all())
    assignments = {
        (a.province_id, a.task_id): a
        for a in Assignment.objects.filter(task__plan=plan).select_related(
            "task__plan", "registration"
        )
    }
    for row in rows:
        task = matching_task(row, tasks)
        assignment = assignments.get((row.summary.province_id, task.pk)) if task else None
        if assignment is None or not assignment.taken_up:
            continue
        registration = getattr(assignment, "registration", None)
        if not _untouched(registration):
            result.kept.append(registration)
            continue
        registration = save_draft(
            registration or Registration(assignment=assignment),
            None,
            {"work_content": row.work_content, "expected_results": row.expected_results},
        )
        assignment.registration = registration
        record_event(
            registration,
            name="prefill",
            reason=_("由%(year)d年度工作总结中的下一年度计划预填") % {"year": previous.year},
        )
        result.filled.append(registration)
    return result
