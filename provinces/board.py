"""The HQ board: tasks × provinces, a light per cell, completeness and on-time rates.

Computed from five queries whatever the data size (plan, tasks, provinces, assignments
with their registrations, the earliest open schedule step per assignment), and up to four
more when the plan has periodic targets (counted per period, see
``ledger.period_progress``). The same light rule tells the reminders who still owes what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from planning.models import Deadline, Plan

from .ledger import PeriodicProgress, period_progress
from .models import (
    Assignment,
    Milestone,
    Province,
    Registration,
    TaskReport,
    TaskReportDefinition,
)

WARN_DAYS = 3


SEVERITY = {"green": 0, "yellow": 1, "red": 2}


def _by_date(due: date | None, today: date) -> str:
    if due is None:
        return "green"
    if today > due:
        return "red"
    if (due - today).days <= WARN_DAYS:
        return "yellow"
    return "green"


def light_for(
    assignment: Assignment | None, due: date | None, today: date, step_due: date | None = None
) -> str:
    """grey (not assigned / not taken up), else the worse of two lights.

    The registration: green once submitted, otherwise yellow within 3 days of ``due`` and
    red after it. The schedule: ``step_due`` is the earliest schedule step not yet done;
    yellow within 3 days of it, red once it has passed, so a unit that registered on time
    but lets its work slip still turns red.
    """
    if assignment is None:
        return "grey"
    registration = getattr(assignment, "registration", None)
    state = registration.state if registration is not None else None
    return cell_light(assignment.taken_up, state, due, today, step_due)


def cell_light(
    taken_up: bool, state: str | None, due: date | None, today: date, step_due: date | None
) -> str:
    """``light_for`` from an assignment's ``taken_up`` and its registration's state (None:
    no registration yet), for a caller that read only those columns."""
    if not taken_up:
        return "grey"
    submitted = state in Registration.HANDED_IN
    lights = ["green" if submitted else _by_date(due, today), _by_date(step_due, today)]
    return max(lights, key=SEVERITY.__getitem__)


def earliest_open_steps(plan: Plan, today: date, user=None) -> dict[int, date]:
    """assignment id → the earliest schedule step not done that is due within the warning
    window or already past (one query)."""
    from django.db.models import Min

    steps = Milestone.objects.filter(
        registration__assignment__task__plan=plan,
        done_on__isnull=True,
        due_date__lte=today + timedelta(days=WARN_DAYS),
    )
    if user is not None:
        steps = steps.visible_to(user)
    return dict(
        steps.values("registration__assignment_id")
        .annotate(earliest=Min("due_date"))
        .values_list("registration__assignment_id", "earliest")
    )


def owes_registration(assignment: Assignment) -> bool:
    registration = getattr(assignment, "registration", None)
    return assignment.taken_up and (
        registration is None or registration.state not in Registration.HANDED_IN
    )


@dataclass
class Cell:
    assignment: Assignment | None
    light: str
    step_due: date | None = None  # the earliest open schedule step, if due soon or overdue
    step_late: bool = False  # that step has passed: the light is red for the work, not the form
    periodic: list[PeriodicProgress] = field(default_factory=list)  # 每季度… counted per period
    state: str | None = None  # the registration's state; None: not registered yet

    @property
    def periods_missed(self) -> int:
        return sum(p.missed for p in self.periodic)

    @property
    def periods_detail(self) -> str:
        """Each periodic target's periods, for the cell's title."""
        return "；".join(f"{p.target.description}：{p.detail}" for p in self.periodic)

    @property
    def state_label(self) -> str:
        return Registration.State(self.state).label if self.state else ""


@dataclass
class Rate:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def on_time_rate(self) -> int:
        return round(100 * self.on_time / self.submitted) if self.submitted else 0


@dataclass
class Board:
    plan: Plan
    due: date | None
    tasks: list
    rows: list[tuple[Province, list[Cell], Rate]] = field(default_factory=list)
    task_rates: list[Rate] = field(default_factory=list)
    total: Rate = field(default_factory=Rate)


def build_board(plan: Plan, user, today: date | None = None) -> Board:
    today = today or timezone.localdate()
    due = (
        Deadline.objects.filter(plan=plan, kind=Deadline.Kind.REGISTRATION)
        .values_list("due_date", flat=True)
        .first()
    )
    tasks = list(plan.tasks.order_by("number"))
    provinces = list(Province.objects.visible_to(user))
    # Only the columns the lights, the rates and the periodic counts read: the registration's
    # state and lateness as two columns, not a row object each (no track row either).
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(task__plan=plan)
        .only("province_id", "task_id", "track_id", "taken_up")
        .annotate(
            registration_state=F("registration__state"),
            registration_late=F("registration__is_late"),
        )
    )
    by_key = {(a.province_id, a.task_id): a for a in assignments}
    steps = earliest_open_steps(plan, today, user)
    periodic = period_progress([a for a in by_key.values() if a.taken_up], plan.year, today)
    board = Board(plan=plan, due=due, tasks=tasks, task_rates=[Rate() for _ in tasks])
    for province in provinces:
        cells, rate = [], Rate()
        for i, task in enumerate(tasks):
            a = by_key.get((province.pk, task.pk))
            if a is None:
                cells.append(Cell(assignment=None, light="grey"))
                continue
            step_due = steps.get(a.pk)
            state = a.registration_state
            cells.append(
                Cell(
                    assignment=a,
                    light=cell_light(a.taken_up, state, due, today, step_due),
                    step_due=step_due,
                    step_late=step_due is not None and step_due < today,
                    periodic=periodic.get(a.pk, []),
                    state=state,
                )
            )
            if not a.taken_up:
                continue
            for r in (rate, board.task_rates[i], board.total):
                r.expected += 1
            if state in Registration.HANDED_IN:
                for r in (rate, board.task_rates[i], board.total):
                    r.submitted += 1
                    if not a.registration_late:
                        r.on_time += 1
        board.rows.append((province, cells, rate))
    return board


# --- what the apps above add to a unit's row -------------------------------------------


@dataclass
class UnitMark:
    """One thing an app above provinces shows in a unit's row (a project's reports owed)."""

    label: str
    link: str
    title: str = ""
    alert: bool = False  # something is overdue: shown red


@dataclass
class UnitColumn:
    """An extra column of the board: a heading and, per unit (province id), its marks."""

    key: str
    heading: str
    note: str = ""  # what the column counts, for the legend
    marks: dict[int, list[UnitMark]] = field(default_factory=dict)


ColumnSource = Callable[[Plan, Any, date], UnitColumn]
_columns: list[ColumnSource] = []


def register_column(source: ColumnSource) -> ColumnSource:
    """An app above provinces (projects) adds a column: ``source(plan, user, today)``, one
    query whatever the data size, reading only what ``user`` may see."""
    if source not in _columns:  # a module may be imported again (autoreload)
        _columns.append(source)
    return source


def unit_columns(plan: Plan, user, today: date | None = None) -> list[UnitColumn]:
    today = today or timezone.localdate()
    return [source(plan, user, today) for source in _columns]


@dataclass
class ReportRate:
    """One task report on the board: how many of the units carrying its task handed it in."""

    definition: TaskReportDefinition
    expected: int
    handed_in: int
    confirmed: int
    overdue: bool

    @property
    def completeness(self) -> int:
        return round(100 * self.handed_in / self.expected) if self.expected else 0


def task_report_rates(plan: Plan, user, today: date | None = None) -> list[ReportRate]:
    """Each task report of the plan with its counts (one query)."""
    today = today or timezone.localdate()
    carrying = (
        Assignment.objects.filter(task_id=OuterRef("task_id"), taken_up=True)
        .values("task_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    definitions = (
        TaskReportDefinition.objects.visible_to(user)
        .filter(task__plan=plan)
        .annotate(
            expected=Coalesce(Subquery(carrying), 0),
            handed_in=Count(
                "submissions", filter=Q(submissions__state__in=TaskReport.HANDED_IN), distinct=True
            ),
            confirmed=Count(
                "submissions",
                filter=Q(submissions__state=TaskReport.State.CONFIRMED),
                distinct=True,
            ),
        )
        .select_related("task")
        .order_by("due_date", "pk")
    )
    return [
        ReportRate(
            d,
            d.expected,
            d.handed_in,
            d.confirmed,
            d.due_date < today and d.handed_in < d.expected,
        )
        for d in definitions
    ]


def owed_task_reports(plan: Plan, user) -> list[tuple[TaskReportDefinition, TaskReport | None]]:
    """A unit's task reports in the plan (of the tasks it carries), with its own report."""
    definitions = list(
        TaskReportDefinition.objects.filter(
            task__plan=plan,
            task__assignments__province_id=user.province_id,
            task__assignments__taken_up=True,
        )
        .visible_to(user)
        .select_related("task")
        .order_by("due_date", "pk")
    )
    own = {
        r.definition_id: r
        for r in TaskReport.objects.visible_to(user).filter(definition__in=definitions)
    }
    return [(d, own.get(d.pk)) for d in definitions]
