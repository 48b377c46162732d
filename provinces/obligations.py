"""What the units' own records make them owe: registrations, schedule steps, outcomes, the
报送 against deadlines HQ added, and each period's count of a periodic target. Each provider
is registered with notifications when its ``obligations`` modules are discovered
(NotificationsConfig.ready).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cached_property

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.obligations import Owed, register
from planning.models import Deadline, Plan, chinese_numeral

from .ledger import period_progress
from .models import (
    Assignment,
    Case,
    Contact,
    DeadlineReport,
    Milestone,
    Notice,
    NoticeReceipt,
    NoticeReply,
    Province,
    Registration,
    TaskReport,
    TaskReportDefinition,
)


class Recipients:
    """Who is mailed about a plan's obligations, read once per plan and shared by every
    source (not once per source)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    @classmethod
    def of(cls, plan: Plan, shared: dict | None) -> Recipients:
        """The one instance the providers of one ``everything_owed`` call share (a provider
        called on its own reads its own)."""
        return cls(plan) if shared is None else shared.setdefault(cls, cls(plan))

    @cached_property
    def staff(self) -> dict[int, list[str]]:
        """Per unit: the e-mail addresses of its active staff logins."""
        out: dict[int, list[str]] = {}
        for province_id, email in (
            User.objects.filter(role=Role.PROVINCE_STAFF, is_active=True, province__isnull=False)
            .exclude(email="")
            .values_list("province_id", "email")
        ):
            out.setdefault(province_id, []).append(email)
        return out

    @cached_property
    def units(self) -> dict[int, list[str]]:
        """Per unit: its 负责人 and 联系人 from this plan's registrations, else its staff logins."""
        contacts: dict[int, set[str]] = {}
        for province_id, email in (
            Contact.objects.filter(registration__assignment__task__plan=self.plan)
            .exclude(email="")
            .values_list("registration__assignment__province_id", "email")
        ):
            contacts.setdefault(province_id, set()).add(email)
        return {
            p: sorted(contacts.get(p) or self.staff.get(p, []))
            for p in set(self.staff) | set(contacts)
        }


def units_carrying(plan: Plan) -> list[Province]:
    """The units that carry at least one task of the plan (taken up)."""
    return list(
        Province.objects.filter(assignments__task__plan=plan, assignments__taken_up=True)
        .distinct()
        .order_by("sort_order")
    )


def _recipients(registration, province_staff: dict[int, list[str]], province_id: int) -> list[str]:
    emails = []
    if registration is not None:
        emails = [c.email for c in registration.contacts.all() if c.email]
    if not emails:
        emails = province_staff.get(province_id, [])
    return sorted(set(emails))


@register
def registrations_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """Units that have not submitted the registration (任务分解报送) of a task they carry."""
    deadline = plan.deadlines.filter(kind=Deadline.Kind.REGISTRATION).first()
    if deadline is None:
        return
    staff = Recipients.of(plan, shared).staff
    assignments = (
        Assignment.objects.filter(task__plan=plan, taken_up=True)
        .select_related("province", "registration", "task")
        .prefetch_related("registration__contacts")
        .order_by("province__sort_order", "task__number")
    )
    by_province: dict[int, list[Assignment]] = {}
    for a in assignments:
        reg = getattr(a, "registration", None)
        if reg is None or reg.state not in Registration.HANDED_IN:
            by_province.setdefault(a.province_id, []).append(a)
    for owing in by_province.values():
        province = owing[0].province
        recipients: set[str] = set()
        for a in owing:
            recipients.update(_recipients(getattr(a, "registration", None), staff, province.pk))
        titles = "、".join(f"（{a.task.numeral}）" for a in owing)
        yield Owed(
            key=f"registration:{plan.year}:{province.code}",
            province=province,
            due=deadline.due_date,
            what=_("%(year)s 年度任务分解报送：任务%(tasks)s")
            % {"year": plan.year, "tasks": titles},
            link=reverse("provinces:todo"),
            recipients=sorted(recipients),
            offsets=deadline.offsets,
            tasks=tuple(a.task.number for a in owing),
        )


@register
def milestones_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """Schedule steps (进度安排) not yet marked done (due by ``due_by``, if given).

    The bulkiest source (ten-year data holds hundreds of thousands of steps): it reads plain
    rows, not model instances, and builds each registration's recipients and link once.
    """
    open_steps = Milestone.objects.filter(
        registration__assignment__task__plan=plan, done_on__isnull=True
    )
    if due_by is not None:
        open_steps = open_steps.filter(due_date__lte=due_by)
    rows = list(
        open_steps.order_by("due_date", "pk").values_list(
            "pk",
            "due_date",
            "description",
            "registration_id",
            "registration__assignment_id",
            "registration__assignment__province_id",
            "registration__assignment__task__number",
        )
    )
    if not rows:
        return
    staff = Recipients.of(plan, shared).staff
    contacts: dict[int, set[str]] = {}
    for registration_id, email in (
        Contact.objects.filter(registration__assignment__task__plan=plan)
        .exclude(email="")
        .values_list("registration_id", "email")
    ):
        contacts.setdefault(registration_id, set()).add(email)
    provinces = Province.objects.in_bulk({row[5] for row in rows})
    per_registration: dict[int, tuple[list[str], str]] = {}
    for pk, due, description, registration_id, assignment_id, province_id, number in rows:
        if registration_id not in per_registration:
            emails = contacts.get(registration_id) or staff.get(province_id, [])
            per_registration[registration_id] = (
                sorted(set(emails)),
                reverse("provinces:registration", args=[assignment_id]),
            )
        recipients, link = per_registration[registration_id]
        yield Owed(
            key=f"milestone:{pk}",
            province=provinces[province_id],
            due=due,
            what=_("进度安排：%(what)s（任务（%(task)s））")
            % {"what": description, "task": chinese_numeral(number)},
            link=link,
            recipients=list(recipients),
            tasks=(number,),
        )


@register
def outcomes_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """年底阶段性成果及典型案例, owed by the units whose assignment to the deadline's task asks
    for them (in 2018, task 1: the bases), until a case linked to that assignment is
    submitted (or confirmed)."""
    deadlines = plan.deadlines.filter(kind=Deadline.Kind.OUTCOMES).select_related("task")
    staff = Recipients.of(plan, shared).units
    for deadline in deadlines:
        owing = Assignment.objects.filter(task__plan=plan, taken_up=True)
        if deadline.task_id:
            owing = owing.filter(task=deadline.task_id)
        owing = owing.exclude(cases__state__in=Case.HANDED_IN).select_related("province", "task")
        for assignment in owing.order_by("province__sort_order", "task__number"):
            province = assignment.province
            yield Owed(
                key=f"outcomes:{plan.year}:{assignment.task.number}:{province.code}",
                province=province,
                due=deadline.due_date,
                what=_("%(year)s 年底阶段性成果及典型案例（任务（%(task)s））")
                % {"year": plan.year, "task": assignment.task.numeral},
                link=reverse("reporting:case_list"),
                recipients=staff.get(province.pk, []),
                offsets=deadline.offsets,
                tasks=(assignment.task.number,),
            )


@register
def reports_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """Deadlines HQ added (其他): every unit of the task (or of the plan) owes a 报送."""
    added = list(plan.deadlines.filter(kind=Deadline.Kind.OTHER).select_related("task"))
    if not added:
        return
    staff = Recipients.of(plan, shared).units
    reported = set(
        DeadlineReport.objects.filter(deadline__in=added).values_list("deadline_id", "province_id")
    )
    carrying = units_carrying(plan)
    by_task: dict[int, list[Province]] = {}
    for a in Assignment.objects.filter(
        task__in=[d.task_id for d in added if d.task_id], taken_up=True
    ).select_related("province"):
        by_task.setdefault(a.task_id, []).append(a.province)
    for deadline in added:
        units = by_task.get(deadline.task_id, []) if deadline.task_id else carrying
        for province in sorted(units, key=lambda p: p.sort_order):
            if (deadline.pk, province.pk) in reported:
                continue
            yield Owed(
                key=f"deadline:{deadline.pk}",
                province=province,
                due=deadline.due_date,
                what=deadline.description,
                link=reverse("provinces:my_deadlines"),
                recipients=staff.get(province.pk, []),
                offsets=deadline.offsets,
                tasks=(deadline.task.number,) if deadline.task_id else (),
            )


@register
def periodic_targets_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """A periodic target (每季度至少…) is owed in each period of the plan year, due on the
    period's last day, by each unit of its task whose count in that period is short (counted
    as the ledger page and the board count it). Met, it is owed no more."""
    assignments = list(
        Assignment.objects.filter(task__plan=plan, taken_up=True)
        .select_related("province", "task")
        .order_by("province__sort_order", "task__number")
    )
    progress = period_progress(assignments, plan.year)
    if not progress:
        return
    staff = Recipients.of(plan, shared).units
    link = reverse("provinces:ledger_list")
    for a in assignments:
        for p in progress.get(a.pk, []):
            for count in p.periods:
                if count.met or (due_by is not None and count.period.end > due_by):
                    continue
                yield Owed(
                    key=f"target:{p.target.pk}:{count.period.key}",
                    province=a.province,
                    due=count.period.end,
                    what=_(
                        "%(year)s 年%(period)s量化指标：%(what)s（任务（%(task)s），已完成 %(done)d / %(n)d %(unit)s）"
                    )
                    % {
                        "year": plan.year,
                        "period": count.period.label,
                        "what": p.target.description,
                        "task": a.task.numeral,
                        "done": count.done,
                        "n": count.minimum,
                        "unit": p.target.unit,
                    },
                    link=link,
                    recipients=staff.get(a.province_id, []),
                    tasks=(a.task.number,),
                )


@register
def task_reports_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """专项报送 HQ defined: every unit carrying the task owes its report until it is handed
    in (a returned report is owed again)."""
    definitions = list(TaskReportDefinition.objects.filter(task__plan=plan).select_related("task"))
    if not definitions:
        return
    staff = Recipients.of(plan, shared).units
    handed_in = set(
        TaskReport.objects.filter(
            definition__in=definitions, state__in=TaskReport.HANDED_IN
        ).values_list("definition_id", "province_id")
    )
    carrying: dict[int, list[Province]] = {}
    for a in (
        Assignment.objects.filter(task__in=[d.task_id for d in definitions], taken_up=True)
        .select_related("province")
        .order_by("province__sort_order")
    ):
        carrying.setdefault(a.task_id, []).append(a.province)
    for definition in definitions:
        for province in carrying.get(definition.task_id, []):
            if (definition.pk, province.pk) in handed_in:
                continue
            yield Owed(
                key=f"task-report:{definition.pk}",
                province=province,
                due=definition.due_date,
                what=_("专项报送：%(title)s（任务（%(task)s））")
                % {"title": definition.title, "task": definition.task.numeral},
                link=reverse("provinces:task_report", args=[definition.pk]),
                recipients=staff.get(province.pk, []),
                offsets=definition.offsets,
                tasks=(definition.task.number,),
            )


@register
def notice_replies_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """A sent notice that asks for a reply by a date: each addressed unit owes one."""
    receipts = list(
        NoticeReceipt.objects.filter(
            notice__plan=plan, notice__state=Notice.State.SENT, notice__reply_by__isnull=False
        )
        .exclude(
            Exists(
                NoticeReply.objects.filter(
                    notice_id=OuterRef("notice_id"), province_id=OuterRef("province_id")
                )
            )
        )
        .select_related("notice__task", "province")
        .order_by("notice__reply_by", "province__sort_order")
    )
    if not receipts:
        return
    staff = Recipients.of(plan, shared).staff
    for receipt in receipts:
        notice = receipt.notice
        yield Owed(
            key=f"notice-reply:{notice.pk}",
            province=receipt.province,
            due=notice.reply_by,
            what=_("回复通知：%(title)s") % {"title": notice.title},
            link=reverse("provinces:notice", args=[notice.pk]),
            recipients=staff.get(receipt.province_id, []),
            offsets=None,
            tasks=(notice.task.number,) if notice.task_id else (),
        )
