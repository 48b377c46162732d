"""What the units' own records make them owe: registrations, schedule steps, outcomes, the
报送 against deadlines HQ added, and each period's count of a periodic target. Each provider
is registered with notifications when its ``obligations`` modules are discovered
(NotificationsConfig.ready), and answers for all the plans it is given at once: one query per
source, however many plans are published.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.obligations import Owed, Span, register
from planning.models import Deadline, Plan, Task, chinese_numeral

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


class Shared:
    """A read every source of one ``owed_under`` call needs, made once and shared through
    its ``shared`` dict (a provider called on its own reads its own)."""

    def __init__(self, plans: Sequence[Plan]) -> None:
        self.plans = list(plans)
        self.by_pk = {plan.pk: plan for plan in self.plans}

    @classmethod
    def of(cls, plans: Sequence[Plan], shared: dict | None):
        return cls(plans) if shared is None else shared.setdefault(cls, cls(plans))


class Recipients(Shared):
    """Who is mailed about the plans' obligations, read once and shared by every source."""

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
    def _contacts(self) -> list[tuple[int, int, int, str]]:
        """(registration, plan, unit, e-mail) of the plans' registrations' 负责人 and 联系人."""
        return list(
            Contact.objects.filter(registration__assignment__task__plan__in=self.plans)
            .exclude(email="")
            .values_list(
                "registration_id",
                "registration__assignment__task__plan_id",
                "registration__assignment__province_id",
                "email",
            )
        )

    @cached_property
    def registrations(self) -> dict[int, set[str]]:
        """Per registration: its contacts' addresses."""
        out: dict[int, set[str]] = {}
        for registration_id, _plan, _unit, email in self._contacts:
            out.setdefault(registration_id, set()).add(email)
        return out

    @cached_property
    def _units(self) -> dict[tuple[int, int], set[str]]:
        out: dict[tuple[int, int], set[str]] = {}
        for _registration, plan_id, province_id, email in self._contacts:
            out.setdefault((plan_id, province_id), set()).add(email)
        return out

    def unit(self, plan: Plan, province_id: int) -> list[str]:
        """A unit's 负责人 and 联系人 from the plan's registrations, else its staff logins."""
        return sorted(self._units.get((plan.pk, province_id)) or self.staff.get(province_id, []))

    def registration(self, registration_id: int | None, province_id: int) -> list[str]:
        """A registration's contacts, else the unit's staff logins."""
        return sorted(self.registrations.get(registration_id) or self.staff.get(province_id, []))


class Deadlines(Shared):
    """The plans' deadlines, read once: the first of a kind, or all of a kind, per plan."""

    @cached_property
    def _all(self) -> list[Deadline]:
        return list(
            Deadline.objects.filter(plan__in=self.plans)
            .select_related("task")
            .order_by("due_date", "pk")
        )

    def of_kind(self, plan: Plan, kind: str) -> list[Deadline]:
        return [d for d in self._all if d.plan_id == plan.pk and d.kind == kind]

    def first(self, plan: Plan, kind: str) -> Deadline | None:
        listed = self.of_kind(plan, kind)
        return listed[0] if listed else None


@dataclass(frozen=True, slots=True)
class Carried:
    """A taken-up assignment as the sources read it (what ``period_progress`` and the
    Owed items need of an Assignment, without building thousands of model instances)."""

    pk: int
    task: Task
    province: Province
    task_id: int
    province_id: int
    track_id: int | None
    kind: str
    registration_pk: int | None
    registration_state: str | None


class Carrying(Shared):
    """The plans' taken-up assignments (unit, task, the state of the registration), read
    once: plain enough that ten years of plans read quickly."""

    @cached_property
    def assignments(self) -> list[Carried]:
        # Plain rows, and one instance per unit and per task shared by all their assignments:
        # ten years of plans hold thousands of assignments but only 32 units.
        rows = list(
            Assignment.objects.filter(task__plan__in=self.plans, taken_up=True)
            .order_by("province__sort_order", "task__number", "pk")
            .values_list(
                "pk",
                "task_id",
                "province_id",
                "track_id",
                "kind",
                "registration__pk",
                "registration__state",
            )
        )
        if not rows:
            return []
        provinces = Province.objects.in_bulk({row[2] for row in rows})
        tasks = Task.objects.only("id", "number", "plan_id").in_bulk({row[1] for row in rows})
        for task in tasks.values():
            task.plan = self.by_pk[task.plan_id]  # the plans are at hand: no query
        return [
            Carried(pk, tasks[task], provinces[unit], task, unit, track, kind, reg, state)
            for pk, task, unit, track, kind, reg, state in rows
        ]

    @cached_property
    def _by_plan(self) -> dict[int, list[Carried]]:
        out: dict[int, list[Carried]] = {}
        for a in self.assignments:
            out.setdefault(a.task.plan_id, []).append(a)
        return out

    def of_plan(self, plan: Plan) -> list[Carried]:
        return self._by_plan.get(plan.pk, [])

    def units(self, plan: Plan) -> list[Province]:
        """The units that carry at least one task of the plan, in their order."""
        seen: dict[int, Province] = {}
        for a in self.of_plan(plan):
            seen.setdefault(a.province_id, a.province)
        return list(seen.values())

    def of_task(self, task_id: int) -> list[Province]:
        return [a.province for a in self.assignments if a.task_id == task_id]

    @cached_property
    def with_outcomes(self) -> set[int]:
        """The assignments under which a case has been handed in (submitted or confirmed)."""
        return set(
            Case.objects.filter(
                assignment__task__plan__in=self.plans, state__in=Case.HANDED_IN
            ).values_list("assignment_id", flat=True)
        )


def units_carrying(plan: Plan) -> list[Province]:
    """The units that carry at least one task of the plan (taken up)."""
    return Carrying([plan]).units(plan)


@register
def registrations_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """Units that have not submitted the registration (任务分解报送) of a task they carry."""
    deadlines = Deadlines.of(plans, shared)
    recipients = Recipients.of(plans, shared)
    for plan in plans:
        deadline = deadlines.first(plan, Deadline.Kind.REGISTRATION)
        if deadline is None or not span.needs(deadline.due_date, deadline.offsets):
            continue
        by_province: dict[int, list[Carried]] = {}
        for a in Carrying.of(plans, shared).of_plan(plan):
            if a.registration_state not in Registration.HANDED_IN:
                by_province.setdefault(a.province_id, []).append(a)
        for owing in by_province.values():
            province = owing[0].province
            emails: set[str] = set()
            for a in owing:
                emails.update(recipients.registration(a.registration_pk, province.pk))
            titles = "、".join(f"（{a.task.numeral}）" for a in owing)
            yield Owed(
                key=f"registration:{plan.year}:{province.code}",
                province=province,
                due=deadline.due_date,
                what=_("%(year)s 年度任务分解报送：任务%(tasks)s")
                % {"year": plan.year, "tasks": titles},
                link=reverse("provinces:todo"),
                recipients=sorted(emails),
                offsets=deadline.offsets,
                tasks=tuple(a.task.number for a in owing),
                year=plan.year,
            )


@register
def milestones_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """Schedule steps (进度安排) not yet marked done, as far as ``span`` needs them.

    The bulkiest source (ten-year data holds hundreds of thousands of steps): it reads plain
    rows, not model instances, cut in the database to the span (for the sweep, what fires
    today and HQ's summary's first few per unit), and builds each registration's recipients
    and link once.
    """
    open_steps = span.narrow(
        Milestone.objects.filter(
            registration__assignment__task__plan__in=plans, done_on__isnull=True
        ),
        due="due_date",
        unit="registration__assignment__province_id",
        key="milestone",
    )
    rows = list(
        open_steps.order_by("due_date", "pk").values_list(
            "pk",
            "due_date",
            "description",
            "registration_id",
            "registration__assignment_id",
            "registration__assignment__province_id",
            "registration__assignment__task__number",
            "registration__assignment__task__plan_id",
            "tally",
        )
    )
    if not rows:
        return
    recipients = Recipients.of(plans, shared)
    by_pk = {plan.pk: plan for plan in plans}
    provinces = Province.objects.in_bulk({row[5] for row in rows})
    per_registration: dict[int, tuple[list[str], str]] = {}
    for (
        pk,
        due,
        description,
        registration_id,
        assignment_id,
        province_id,
        number,
        plan_id,
        tally,
    ) in rows:
        if registration_id not in per_registration:
            per_registration[registration_id] = (
                recipients.registration(registration_id, province_id),
                reverse("provinces:registration", args=[assignment_id]),
            )
        emails, link = per_registration[registration_id]
        yield Owed(
            key=f"milestone:{pk}",
            province=provinces[province_id],
            due=due,
            what=_("进度安排：%(what)s（任务（%(task)s））")
            % {"what": description, "task": chinese_numeral(number)},
            link=link,
            recipients=list(emails),
            tasks=(number,),
            year=by_pk[plan_id].year,
            tally=tally,
        )


@register
def outcomes_owed(plans: Sequence[Plan], span: Span, shared: dict | None = None) -> Iterator[Owed]:
    """年底阶段性成果及典型案例, owed by the units whose assignment to the deadline's task asks
    for them (in 2018, task 1: the bases), until a case linked to that assignment is
    submitted (or confirmed)."""
    deadlines = Deadlines.of(plans, shared)
    asking = {plan.pk: deadlines.of_kind(plan, Deadline.Kind.OUTCOMES) for plan in plans}
    if not any(asking.values()):
        return
    recipients = Recipients.of(plans, shared)
    carrying = Carrying.of(plans, shared)
    for plan in plans:
        for deadline in asking[plan.pk]:
            if not span.needs(deadline.due_date, deadline.offsets):
                continue
            for assignment in carrying.of_plan(plan):
                if assignment.pk in carrying.with_outcomes or (
                    deadline.task_id and assignment.task_id != deadline.task_id
                ):
                    continue
                province = assignment.province
                yield Owed(
                    key=f"outcomes:{plan.year}:{assignment.task.number}:{province.code}",
                    province=province,
                    due=deadline.due_date,
                    what=_("%(year)s 年底阶段性成果及典型案例（任务（%(task)s））")
                    % {"year": plan.year, "task": assignment.task.numeral},
                    link=reverse("reporting:case_list"),
                    recipients=recipients.unit(plan, province.pk),
                    offsets=deadline.offsets,
                    tasks=(assignment.task.number,),
                    year=plan.year,
                )


@register
def reports_owed(plans: Sequence[Plan], span: Span, shared: dict | None = None) -> Iterator[Owed]:
    """Deadlines HQ added (其他): every unit of the task (or of the plan) owes a 报送."""
    deadlines = Deadlines.of(plans, shared)
    added = {plan.pk: deadlines.of_kind(plan, Deadline.Kind.OTHER) for plan in plans}
    if not any(added.values()):
        return
    recipients = Recipients.of(plans, shared)
    carrying = Carrying.of(plans, shared)
    reported = set(
        DeadlineReport.objects.filter(
            deadline__in=[d for listed in added.values() for d in listed]
        ).values_list("deadline_id", "province_id")
    )
    for plan in plans:
        for deadline in added[plan.pk]:
            if not span.needs(deadline.due_date, deadline.offsets):
                continue
            units = carrying.of_task(deadline.task_id) if deadline.task_id else carrying.units(plan)
            for province in sorted(units, key=lambda p: p.sort_order):
                if (deadline.pk, province.pk) in reported:
                    continue
                yield Owed(
                    key=f"deadline:{deadline.pk}",
                    province=province,
                    due=deadline.due_date,
                    what=deadline.description,
                    link=reverse("provinces:my_deadlines"),
                    recipients=recipients.unit(plan, province.pk),
                    offsets=deadline.offsets,
                    tasks=(deadline.task.number,) if deadline.task_id else (),
                    year=plan.year,
                )


@register
def periodic_targets_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """A periodic target (每季度至少…) is owed in each period of the plan year, due on the
    period's last day, by each unit of its task whose count in that period is short (counted
    as the ledger page and the board count it). Met, it is owed no more."""
    assignments = Carrying.of(plans, shared).assignments
    by_pk = {plan.pk: plan for plan in plans}
    # Each period ends within its plan's year: a year starting after the span owes nothing.
    assignments = [a for a in assignments if span.needs(date(a.task.plan.year, 1, 1))]
    progress = period_progress(assignments, None)
    if not progress:
        return
    recipients = Recipients.of(plans, shared)
    link = reverse("provinces:ledger_list")
    for a in assignments:
        plan = by_pk[a.task.plan_id]
        for p in progress.get(a.pk, []):
            for count in p.periods:
                if count.met or (span.due_by is not None and count.period.end > span.due_by):
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
                    recipients=recipients.unit(plan, a.province_id),
                    tasks=(a.task.number,),
                    year=plan.year,
                )


@register
def task_reports_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """专项报送 HQ defined: every unit carrying the task owes its report until it is handed
    in (a returned report is owed again)."""
    definitions = list(
        TaskReportDefinition.objects.filter(task__plan__in=plans).select_related("task")
    )
    if not definitions:
        return
    by_pk = {plan.pk: plan for plan in plans}
    recipients = Recipients.of(plans, shared)
    carrying = Carrying.of(plans, shared)
    handed_in = set(
        TaskReport.objects.filter(
            definition__in=definitions, state__in=TaskReport.HANDED_IN
        ).values_list("definition_id", "province_id")
    )
    for definition in definitions:
        plan = by_pk[definition.task.plan_id]
        if not span.needs(definition.due_date, definition.offsets):
            continue
        for province in carrying.of_task(definition.task_id):
            if (definition.pk, province.pk) in handed_in:
                continue
            yield Owed(
                key=f"task-report:{definition.pk}",
                province=province,
                due=definition.due_date,
                what=_("专项报送：%(title)s（任务（%(task)s））")
                % {"title": definition.title, "task": definition.task.numeral},
                link=reverse("provinces:task_report", args=[definition.pk]),
                recipients=recipients.unit(plan, province.pk),
                offsets=definition.offsets,
                tasks=(definition.task.number,),
                year=plan.year,
            )


@register
def notice_replies_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """A sent notice that asks for a reply by a date: each addressed unit owes one."""
    receipts = list(
        NoticeReceipt.objects.filter(
            notice__plan__in=plans,
            notice__state=Notice.State.SENT,
            notice__reply_by__isnull=False,
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
    by_pk = {plan.pk: plan for plan in plans}
    staff = Recipients.of(plans, shared).staff
    for receipt in receipts:
        notice = receipt.notice
        if not span.needs(notice.reply_by):
            continue
        yield Owed(
            key=f"notice-reply:{notice.pk}",
            province=receipt.province,
            due=notice.reply_by,
            what=_("回复通知：%(title)s") % {"title": notice.title},
            link=reverse("provinces:notice", args=[notice.pk]),
            recipients=staff.get(receipt.province_id, []),
            offsets=None,
            tasks=(notice.task.number,) if notice.task_id else (),
            year=by_pk[notice.plan_id].year,
        )
