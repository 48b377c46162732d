"""Who owes what, by when: one notion of a deadline for every source of obligations.

A provider yields :class:`Owed` items for a plan. The reminder sweep, the HQ summary
and the board all ask the same question here. New sources (project deliverables,
year-end summaries) add a provider to ``PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext as _

from planning.models import Deadline, Plan
from provinces.models import Assignment, Milestone, Province, Registration


@dataclass
class Owed:
    key: str  # stable identity of the obligation, e.g. "registration:2018:360000"
    province: Province
    due: date
    what: str
    link: str
    recipients: list[str] = field(default_factory=list)
    offsets: tuple[int, ...] | None = None  # days before due to remind; None: the default
    extended_from: date | None = None  # the due date before an approved extension
    tasks: tuple[int, ...] = ()  # the plan's task numbers this obligation is about


def _recipients(registration, province_staff: dict[int, list[str]], province_id: int) -> list[str]:
    emails = []
    if registration is not None:
        emails = [c.email for c in registration.contacts.all() if c.email]
    if not emails:
        emails = province_staff.get(province_id, [])
    return sorted(set(emails))


class Recipients:
    """Who is mailed about a plan's obligations, read once per plan and shared by every
    source (not once per source)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    @cached_property
    def staff(self) -> dict[int, list[str]]:
        """Per unit: the e-mail addresses of its active staff logins."""
        from accounts.models import Role, User

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
        from provinces.models import Contact

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


def registrations_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """Units that have not submitted the registration (任务分解报送) of a task they carry."""
    deadline = plan.deadlines.filter(kind=Deadline.Kind.REGISTRATION).first()
    if deadline is None:
        return
    staff = (people or Recipients(plan)).staff
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


def milestones_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """Schedule steps (进度安排) not yet marked done (due by ``due_by``, if given).

    The bulkiest source (ten-year data holds hundreds of thousands of steps): it reads plain
    rows, not model instances, and builds each registration's recipients and link once.
    """
    from planning.models import chinese_numeral
    from provinces.models import Contact

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
    staff = (people or Recipients(plan)).staff
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


def _units_carrying(plan: Plan) -> list[Province]:
    return list(
        Province.objects.filter(assignments__task__plan=plan, assignments__taken_up=True)
        .distinct()
        .order_by("sort_order")
    )


def summaries_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """年度工作总结与来年工作计划 not yet submitted by a unit that carries tasks."""
    from reporting.models import AnnualSummary

    deadline = plan.deadlines.filter(kind=Deadline.Kind.SUMMARY).first()
    if deadline is None:
        return
    staff = (people or Recipients(plan)).units
    done = set(
        AnnualSummary.objects.filter(plan=plan)
        .exclude(state__in=AnnualSummary.EDITABLE)
        .values_list("province_id", flat=True)
    )
    for province in _units_carrying(plan):
        if province.pk in done:
            continue
        yield Owed(
            key=f"summary:{plan.year}:{province.code}",
            province=province,
            due=deadline.due_date,
            what=_("%(year)s 年度工作总结与来年工作计划") % {"year": plan.year},
            link=reverse("reporting:summary", args=[plan.year, province.code]),
            recipients=staff.get(province.pk, []),
            offsets=deadline.offsets,
        )


def outcomes_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """年底阶段性成果及典型案例: a unit owes at least one case submitted (or confirmed)."""
    from provinces.models import Case

    deadline = plan.deadlines.filter(kind=Deadline.Kind.OUTCOMES).first()
    if deadline is None:
        return
    staff = (people or Recipients(plan)).units
    done = set(
        Case.objects.filter(plan=plan, state__in=Case.HANDED_IN).values_list(
            "province_id", flat=True
        )
    )
    for province in _units_carrying(plan):
        if province.pk in done:
            continue
        yield Owed(
            key=f"outcomes:{plan.year}:{province.code}",
            province=province,
            due=deadline.due_date,
            what=_("%(year)s 年底阶段性成果及典型案例") % {"year": plan.year},
            link=reverse("reporting:case_list"),
            recipients=staff.get(province.pk, []),
            offsets=deadline.offsets,
        )


def projects_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """Project deliverables not done, rectification dates, and acceptance of running projects."""
    from projects.models import Application, Deliverable

    staff = (people or Recipients(plan)).units
    running = (Application.State.IN_PROGRESS, Application.State.RECTIFICATION)
    deliverables = Deliverable.objects.filter(
        application__call__plan=plan, application__state__in=running, done_on__isnull=True
    )
    if due_by is not None:
        deliverables = deliverables.filter(due_date__lte=due_by)
    for d in deliverables.select_related("application__province", "application__call__task"):
        app = d.application
        yield Owed(
            key=f"deliverable:{d.pk}",
            province=app.province,
            due=d.due_date,
            what=_("项目交付成果：%(t)s（%(a)s）") % {"t": d.title, "a": app.applicant},
            link=app.get_absolute_url(),
            recipients=staff.get(app.province_id, []),
            tasks=(app.call.task.number,),
        )
    for app in Application.objects.filter(
        call__plan=plan, state=Application.State.RECTIFICATION, rectification_due__isnull=False
    ).select_related("province", "call__task"):
        yield Owed(
            key=f"rectification:{app.pk}:{app.rectification_due:%Y%m%d}",
            province=app.province,
            due=app.rectification_due,
            what=_("项目整改后申请验收：%(a)s") % {"a": app.applicant},
            link=app.get_absolute_url(),
            recipients=staff.get(app.province_id, []),
            tasks=(app.call.task.number,),
        )
    deadline = plan.deadlines.filter(kind=Deadline.Kind.ACCEPTANCE).first()
    if deadline is not None:
        for app in Application.objects.filter(
            call__plan=plan, state=Application.State.IN_PROGRESS
        ).select_related("province", "call__task"):
            yield Owed(
                key=f"acceptance:{app.pk}",
                province=app.province,
                due=deadline.due_date,
                what=_("项目验收申请：%(a)s") % {"a": app.applicant},
                link=app.get_absolute_url(),
                recipients=staff.get(app.province_id, []),
                offsets=deadline.offsets,
                tasks=(app.call.task.number,),
            )


def reports_owed(
    plan: Plan, due_by: date | None = None, people: Recipients | None = None
) -> Iterator[Owed]:
    """Deadlines HQ added (其他): every unit of the task (or of the plan) owes a 报送."""
    from .models import DeadlineReport

    added = list(plan.deadlines.filter(kind=Deadline.Kind.OTHER).select_related("task"))
    if not added:
        return
    staff = (people or Recipients(plan)).units
    reported = set(
        DeadlineReport.objects.filter(deadline__in=added).values_list("deadline_id", "province_id")
    )
    carrying = _units_carrying(plan)
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
                link=reverse("notifications:my_deadlines"),
                recipients=staff.get(province.pk, []),
                offsets=deadline.offsets,
                tasks=(deadline.task.number,) if deadline.task_id else (),
            )


PROVIDERS: list[Callable[[Plan, date | None, Recipients | None], Iterator[Owed]]] = [
    registrations_owed,
    milestones_owed,
    summaries_owed,
    outcomes_owed,
    projects_owed,
    reports_owed,
]


def apply_extensions(owed: list[Owed]) -> list[Owed]:
    """Approved 延期申请 move a unit's due date; the key changes so reminders start afresh."""
    from .models import ExtensionRequest

    if not owed:
        return owed
    approved: dict[tuple[str, int], date] = {}
    keys = {o.key for o in owed}
    # Approvals are few (each one is a person's decision); matching them here keeps the query
    # small however many items are owed.
    for key, province_id, new_due in (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.APPROVED)
        .order_by("decided_at")
        .values_list("deadline_key", "province_id", "requested_due")
    ):
        if key in keys:
            approved[(key, province_id)] = new_due  # the latest approval wins
    if not approved:
        return owed
    out = []
    for o in owed:
        new_due = approved.get((o.key, o.province.pk))
        if new_due is not None and new_due > o.due:
            o = replace(o, key=f"{o.key}~{new_due:%Y%m%d}", due=new_due, extended_from=o.due)
        out.append(o)
    return out


def base_key(key: str) -> str:
    """The obligation behind a key, before any extension suffix."""
    return key.split("~", 1)[0]


def everything_owed(plan: Plan, due_by: date | None = None) -> list[Owed]:
    """All of a plan's obligations; with ``due_by``, at least those due by then.

    ``due_by`` lets the bulky per-item sources (milestones, deliverables) filter in the
    database; per-unit sources are few and always listed in full. An approved extension
    only ever moves a date later, so an item due by ``due_by`` after its extension was
    due by then before it too, and is never filtered out wrongly.
    """
    people = Recipients(plan)
    return apply_extensions(
        [owed for provider in PROVIDERS for owed in provider(plan, due_by, people)]
    )
