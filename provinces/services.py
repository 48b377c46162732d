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

from accounts.models import Role, User
from notifications.inbox import notify, notify_province
from notifications.models import ReminderLog
from planning.models import Deadline, Plan
from workflow.files import attach
from workflow.machine import TransitionRefused, record_event
from workflow.review import save_draft

from .models import (
    Assignment,
    Contact,
    DeadlineReport,
    Milestone,
    Notice,
    NoticeReceipt,
    NoticeReply,
    NoticeReplyFile,
    Registration,
    TaskReport,
)
from .network import check_entities


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
def return_registration(registration: Registration, by, reason: str, now=None) -> Registration:
    registration.return_for_revision(by, reason, now=now)
    _tell_province(
        registration,
        "returned",
        gettext_noop("任务（%(task)s）分解报送被退回修改：%(reason)s"),
        reason=reason.strip(),
    )
    return registration


@transaction.atomic  # the change, its history and its notification: all or none
def confirm_registration(
    registration: Registration, by, reason: str = "", now=None
) -> Registration:
    registration.confirm(by, reason, now=now)
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


# --- 专项报送 ----------------------------------------------------------------------------


@transaction.atomic  # the values and the entities named: all or none
def save_task_report(report: TaskReport, by, values: dict, entities=None) -> TaskReport:
    """Save a unit's draft of a task report; ``values`` come from ``clean_report_values``;
    ``entities`` (None leaves them alone) are the service-network entities it concerns, of
    the same unit and plan year (``check_entities``, as for ledger entries and cases)."""
    if entities is not None:
        entities = list(entities)
        check_entities(entities, report.province_id, report.definition.task.plan_id)
    save_draft(report, by, {"values": values})
    if entities is not None:
        report.entities.set(entities)
    return report


def submit_task_report(report: TaskReport, by) -> TaskReport:
    report.submit(by)
    return report


def _tell_unit_of_report(report: TaskReport, kind: str, message: str, **params) -> None:
    notify_province(
        report.province_id,
        kind,
        message,
        params={"title": report.definition.title, **params},
        link=reverse("provinces:task_report_submission", args=[report.pk]),
    )


@transaction.atomic  # the change, its history and its notification: all or none
def return_task_report(report: TaskReport, by, reason: str, now=None) -> TaskReport:
    report.return_for_revision(by, reason, now=now)
    _tell_unit_of_report(
        report,
        "returned",
        gettext_noop("专项报送“%(title)s”被退回修改：%(reason)s"),
        reason=reason.strip(),
    )
    return report


@transaction.atomic
def confirm_task_report(report: TaskReport, by, reason: str = "", now=None) -> TaskReport:
    report.confirm(by, reason, now=now)
    _tell_unit_of_report(report, "confirmed", gettext_noop("专项报送“%(title)s”已确认。"))
    return report


# --- 另行通知 ----------------------------------------------------------------------------


@transaction.atomic  # the state, the receipts and the inbox: all or none (mail on commit)
def send_notice(notice: Notice, by, now=None) -> Notice:
    """Send a draft notice to its audience: a receipt per unit, the units' staff notified."""
    units = notice.audience_units()
    if not units:
        raise TransitionRefused(_("发送范围内没有执行单位，不能发送。"), current_state=notice.state)
    notice.send(by, now)
    NoticeReceipt.objects.bulk_create(NoticeReceipt(notice=notice, province=p) for p in units)
    staff = User.objects.filter(
        role=Role.PROVINCE_STAFF, is_active=True, province__in=[p.pk for p in units]
    )
    if notice.reply_by:
        message = gettext_noop("新通知：%(title)s（请于 %(day)s 前回复）")
    else:
        message = gettext_noop("新通知：%(title)s")
    notify(
        staff,
        "notice",
        message,
        params={"title": notice.title, "day": notice.reply_by},
        link=reverse("provinces:notice", args=[notice.pk]),
    )
    return notice


def mark_notice_read(notice: Notice, user) -> bool:
    """The first time a unit's staff opens a notice: its receipt records when, and who."""
    if not (user.is_province_staff and user.province_id):
        return False
    return bool(
        NoticeReceipt.objects.filter(
            notice=notice, province_id=user.province_id, read_at__isnull=True
        ).update(read_at=timezone.now(), read_by=user)
    )


class ChasedToday(TransitionRefused):
    """Every unread unit of this notice was reminded today already."""


def chase_unread(notice: Notice, by, today: date | None = None) -> int:
    """HQ's 催阅: remind the staff of every unit that has not read a sent notice yet.

    Once a day per unit: the day's claim is a reminder-log row per recipient, written all or
    none under the log's unique constraint (two HQ clicks at once remind a unit once). The
    reminder goes to the staff's inbox and, by their preference, by mail on commit.
    ChasedToday when every unread unit was reminded today. Returns how many units.
    """
    if notice.state != Notice.State.SENT:
        raise TransitionRefused(_("通知尚未发送。"), current_state=notice.state)
    today = today or timezone.localdate()
    unread = list(
        notice.receipts.filter(read_at__isnull=True)
        .select_related("province")
        .order_by("province__sort_order")
    )
    if not unread:
        raise TransitionRefused(_("所有单位都已阅读该通知。"), current_state=notice.state)
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.PROVINCE_STAFF, is_active=True, province__in=[r.province_id for r in unread]
    ):
        staff.setdefault(user.province_id, []).append(user)
    link = reverse("provinces:notice", args=[notice.pk])
    key, day = f"notice-read:{notice.pk}", int(today.strftime("%Y%m%d"))
    reminded = 0
    with transaction.atomic():
        for receipt in unread:
            users = staff.get(receipt.province_id, [])
            if not users:
                continue
            now = timezone.now()
            try:
                with transaction.atomic():
                    ReminderLog.objects.bulk_create(
                        ReminderLog(
                            deadline_key=key,
                            province=receipt.province,
                            recipient=u.email or f"user-{u.pk}@inbox.invalid",
                            offset=day,
                            kind=ReminderLog.Kind.MANUAL,
                            what=(_("请阅读通知：%(title)s") % {"title": notice.title})[:300],
                            due_date=timezone.localdate(notice.sent_at),
                            link=link,
                            requested_by=by,
                            state=ReminderLog.State.SENT,
                            sent_at=now,
                        )
                        for u in users
                    )
            except IntegrityError:
                continue  # reminded today already
            notify(
                users,
                "reminder",
                gettext_noop("请阅读通知：%(title)s"),
                params={"title": notice.title},
                link=link,
            )
            reminded += 1
    if not reminded:
        raise ChasedToday(_("今天已经提醒过未阅读的单位，请明天再试。"), current_state=notice.state)
    return reminded


def reply_to_notice(notice: Notice, by, text: str, files: Iterable = ()) -> NoticeReply:
    """A unit's reply (text and files) to a notice that asks for one; a later reply replaces
    the text and adds its files."""
    if notice.state != Notice.State.SENT or not notice.reply_by:
        raise TransitionRefused(_("该通知不需要回复。"), current_state=notice.state)
    if not notice.receipts.filter(province_id=by.province_id).exists():
        raise TransitionRefused(_("该通知未发送给本单位。"), current_state=notice.state)
    text = (text or "").strip()
    if not text:
        raise TransitionRefused(_("请填写回复内容。"), current_state=notice.state)
    with transaction.atomic():
        reply, _created = NoticeReply.objects.update_or_create(
            notice=notice,
            province_id=by.province_id,
            defaults={"text": text, "replied_by": by, "replied_at": timezone.now()},
        )
        attach(NoticeReplyFile, files, by, reply=reply)
    return reply
