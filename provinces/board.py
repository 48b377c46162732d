"""The HQ board: tasks × provinces, a light per cell, completeness and on-time rates.

Computed from four queries whatever the data size (plan, tasks, provinces, assignments
with their registrations). The same light rule tells the reminders who still owes what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from planning.models import Deadline, Plan

from .models import Assignment, Province, Registration

SUBMITTED_STATES = {
    Registration.State.SUBMITTED,
    Registration.State.RESUBMITTED,
    Registration.State.CONFIRMED,
}
WARN_DAYS = 3


def light_for(assignment: Assignment | None, due: date | None, today: date) -> str:
    """green (on track), yellow (due within 3 days, nothing submitted), red (overdue), grey."""
    if assignment is None or not assignment.taken_up:
        return "grey"
    registration = getattr(assignment, "registration", None)
    state = registration.state if registration else None
    if state in SUBMITTED_STATES:
        return "green"
    if due is None:
        return "green"
    if today > due:
        return "red"
    if (due - today).days <= WARN_DAYS:
        return "yellow"
    return "green"


def owes_registration(assignment: Assignment) -> bool:
    registration = getattr(assignment, "registration", None)
    return assignment.taken_up and (
        registration is None or registration.state not in SUBMITTED_STATES
    )


@dataclass
class Cell:
    assignment: Assignment | None
    light: str

    @property
    def state(self) -> str | None:
        reg = getattr(self.assignment, "registration", None) if self.assignment else None
        return reg.state if reg else None

    @property
    def state_label(self) -> str:
        reg = getattr(self.assignment, "registration", None) if self.assignment else None
        return reg.get_state_display() if reg else ""


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
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(task__plan=plan)
        .select_related("registration", "track")
    )
    by_key = {(a.province_id, a.task_id): a for a in assignments}
    board = Board(plan=plan, due=due, tasks=tasks, task_rates=[Rate() for _ in tasks])
    for province in provinces:
        cells, rate = [], Rate()
        for i, task in enumerate(tasks):
            a = by_key.get((province.pk, task.pk))
            cells.append(Cell(assignment=a, light=light_for(a, due, today)))
            if a is None or not a.taken_up:
                continue
            for r in (rate, board.task_rates[i], board.total):
                r.expected += 1
            reg = getattr(a, "registration", None)
            if reg and reg.state in SUBMITTED_STATES:
                for r in (rate, board.task_rates[i], board.total):
                    r.submitted += 1
                    if not reg.is_late:
                        r.on_time += 1
        board.rows.append((province, cells, rate))
    return board
