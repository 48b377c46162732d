"""Who owes what, by when: one notion of a deadline for every source of obligations.

A provider yields :class:`Owed` items for a plan. The reminder sweep, the HQ summary
and the board all ask the same question here. New sources (project deliverables,
year-end summaries) add a provider to ``PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from planning.models import Deadline, Plan
from provinces.board import SUBMITTED_STATES
from provinces.models import Assignment, Milestone, Province


@dataclass
class Owed:
    key: str  # stable identity of the obligation, e.g. "registration:2018:360000"
    province: Province
    due: date
    what: str
    link: str
    recipients: list[str] = field(default_factory=list)


def _recipients(registration, province_staff: dict[int, list[str]], province_id: int) -> list[str]:
    emails = []
    if registration is not None:
        emails = [c.email for c in registration.contacts.all() if c.email]
    if not emails:
        emails = province_staff.get(province_id, [])
    return sorted(set(emails))


def _staff_emails() -> dict[int, list[str]]:
    from accounts.models import Role, User

    out: dict[int, list[str]] = {}
    for province_id, email in (
        User.objects.filter(role=Role.PROVINCE_STAFF, is_active=True, province__isnull=False)
        .exclude(email="")
        .values_list("province_id", "email")
    ):
        out.setdefault(province_id, []).append(email)
    return out


def registrations_owed(plan: Plan) -> Iterator[Owed]:
    """Units that have not submitted the registration (任务分解报送) of a task they carry."""
    deadline = plan.deadlines.filter(kind=Deadline.Kind.REGISTRATION).first()
    if deadline is None:
        return
    staff = _staff_emails()
    assignments = (
        Assignment.objects.filter(task__plan=plan, taken_up=True)
        .select_related("province", "registration", "task")
        .prefetch_related("registration__contacts")
        .order_by("province__sort_order", "task__number")
    )
    by_province: dict[int, list[Assignment]] = {}
    for a in assignments:
        reg = getattr(a, "registration", None)
        if reg is None or reg.state not in SUBMITTED_STATES:
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
        )


def milestones_owed(plan: Plan) -> Iterator[Owed]:
    """Schedule steps (进度安排) not yet marked done."""
    staff = _staff_emails()
    milestones = (
        Milestone.objects.filter(registration__assignment__task__plan=plan, done_on__isnull=True)
        .select_related("registration__assignment__province", "registration__assignment__task")
        .prefetch_related("registration__contacts")
    )
    for m in milestones:
        a = m.registration.assignment
        yield Owed(
            key=f"milestone:{m.pk}",
            province=a.province,
            due=m.due_date,
            what=_("进度安排：%(what)s（任务（%(task)s））")
            % {"what": m.description, "task": a.task.numeral},
            link=reverse("provinces:registration", args=[a.pk]),
            recipients=_recipients(m.registration, staff, a.province_id),
        )


PROVIDERS: list[Callable[[Plan], Iterator[Owed]]] = [registrations_owed, milestones_owed]


def everything_owed(plan: Plan) -> list[Owed]:
    return [owed for provider in PROVIDERS for owed in provider(plan)]
