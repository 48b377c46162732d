"""Verbs of the provincial reporting loop. Views, API, admin and tasks all call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.inbox import notify_province
from planning.models import Deadline, Plan
from workflow.machine import TransitionRefused, record_event

from .models import Assignment, Contact, DeadlineReport, Milestone, Registration


def submit_registration(registration: Registration, by) -> Registration:
    """Submit (or resubmit) a registration; late submission is allowed and recorded."""
    registration.submit(by)
    return registration


def _tell_province(registration: Registration, kind: str, message: str, **params) -> None:
    a = registration.assignment
    notify_province(
        a.province_id,
        kind,
        message,
        params={"task": a.task.numeral, **params},
        link=reverse("provinces:registration", args=[a.pk]),
    )


@transaction.atomic  # the change, its history and its notification: all or none
def return_registration(registration: Registration, by, reason: str) -> Registration:
    registration.return_for_revision(by, reason)
    _tell_province(
        registration,
        "returned",
        gettext_noop("任务（%(task)s）分解报送被退回修改：%(reason)s"),
        reason=reason.strip(),
    )
    return registration


@transaction.atomic  # the change, its history and its notification: all or none
def confirm_registration(registration: Registration, by, reason: str = "") -> Registration:
    registration.confirm(by, reason)
    _tell_province(
        registration,
        "confirmed",
        gettext_noop("任务（%(task)s）分解报送已确认。"),
    )
    return registration


def reopen_registration(registration: Registration, by, reason: str) -> Registration:
    registration.reopen(by, reason)
    return registration


def complete_milestone(milestone: Milestone, by, done_on: date | None = None) -> Milestone:
    """Mark a schedule step done (any time after registration: the work happens after 06-20).

    Recorded in the registration's history. The date is checked by the step's own rule
    (``Milestone.check_done_on``: ValidationError); a step already done is refused, and only
    one of two people marking the same step at once succeeds.
    """
    done_on = done_on or timezone.localdate()
    milestone.check_done_on(done_on)
    registration = milestone.registration
    with transaction.atomic():
        changed = Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(
            done_on=done_on
        )
        if not changed:
            raise TransitionRefused(_("该进度已标记完成。"), current_state=registration.state)
        record_event(
            registration,
            name="complete_milestone",
            actor=by,
            reason=_("%(what)s：%(day)s 完成")
            % {"what": milestone.description, "day": f"{done_on:%Y-%m-%d}"},
        )
    milestone.done_on = done_on
    return milestone


def last_years_contacts(assignment: Assignment) -> list[Contact]:
    """The same unit's 负责人 and 联系人 on this task in the plan before: the rolled-over task
    (the same title), else the task of the same number. Offered on the registration page,
    never copied unasked."""
    plan = assignment.task.plan
    previous = Plan.objects.preceding(plan.year)
    if previous is None:
        return []
    earlier = list(
        Contact.objects.filter(
            registration__assignment__province_id=assignment.province_id,
            registration__assignment__task__plan=previous,
        )
        .filter(
            models.Q(registration__assignment__task__title=assignment.task.title)
            | models.Q(registration__assignment__task__number=assignment.task.number)
        )
        .select_related("registration__assignment__task")
        .order_by("role")
    )
    same_title = [
        c for c in earlier if c.registration.assignment.task.title == assignment.task.title
    ]
    return same_title or earlier


def take_up_assignment(assignment: Assignment, by) -> Assignment:
    """A province takes up a voluntary task (其他省（区、市）根据实际情况开展)."""
    if assignment.kind != Assignment.Kind.VOLUNTARY:
        raise TransitionRefused(_("该任务为必须承担的任务，无需确认开展。"))
    if assignment.taken_up:
        raise TransitionRefused(_("已确认开展该任务。"))
    Assignment.objects.filter(pk=assignment.pk).update(taken_up=True)
    assignment.taken_up = True
    return assignment


@dataclass
class BatchResult:
    done: list[Registration]
    refused: list[tuple[Registration, str]]


def review_many(
    registrations: Iterable[Registration], by, action: str, reason: str = ""
) -> BatchResult:
    """Confirm or return several registrations; each refusal is reported, the rest proceed."""
    result = BatchResult(done=[], refused=[])
    for registration in registrations:
        try:
            with transaction.atomic():
                if action == "confirm":
                    confirm_registration(registration, by, reason)
                elif action == "return":
                    return_registration(registration, by, reason)
                else:
                    raise TransitionRefused(_("未知操作。"))
        except TransitionRefused as exc:
            result.refused.append((registration, exc.message))
        else:
            result.done.append(registration)
    return result


def report_on_deadline(deadline: Deadline, province, by, note: str) -> DeadlineReport:
    """A unit's 报送 against a deadline HQ added."""
    if deadline.kind != deadline.Kind.OTHER:
        raise TransitionRefused(_("该时间节点通过相应页面报送。"))
    if not note.strip():
        raise TransitionRefused(_("请填写报送说明。"))
    if (
        deadline.task_id
        and not deadline.task.assignments.filter(province=province, taken_up=True).exists()
    ):
        raise TransitionRefused(_("本单位不承担该任务，无需报送。"))
    try:
        with transaction.atomic():
            return DeadlineReport.objects.create(
                deadline=deadline, province=province, note=note.strip(), submitted_by=by
            )
    except IntegrityError as exc:
        raise TransitionRefused(_("已经报送过了。")) from exc
