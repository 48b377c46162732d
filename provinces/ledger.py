"""Figures from the work ledgers: sums per assignment, and progress against the plan's targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Sum

from planning.models import Target

from .models import Assignment, LedgerEntry

FIGURES = ("classes_held", "trainees", "enterprises_served")


def ledger_totals(assignments: Iterable[Assignment] | None = None, qs=None) -> dict[int, dict]:
    """{assignment id: {"classes_held": n, "trainees": n, "enterprises_served": n, "entries": n}}."""
    qs = qs if qs is not None else LedgerEntry.objects.all()
    if assignments is not None:
        qs = qs.filter(assignment__in=[a.pk for a in assignments])
    rows = qs.values("assignment_id").annotate(entries=Count("pk"), **{f: Sum(f) for f in FIGURES})
    return {row.pop("assignment_id"): {k: v or 0 for k, v in row.items()} for row in rows}


@dataclass
class TargetProgress:
    target: Target
    done: int

    @property
    def percent(self) -> int:
        return (
            min(100, round(100 * self.done / self.target.minimum)) if self.target.minimum else 100
        )

    @property
    def met(self) -> bool:
        return self.done >= self.target.minimum


def target_progress(assignment: Assignment, totals: dict | None = None) -> list[TargetProgress]:
    """Progress of the task's countable targets for this unit, computed from its ledger."""
    if totals is None:
        totals = ledger_totals([assignment]).get(assignment.pk, {})
    progress = []
    for target in assignment.task.targets.all():
        if assignment.track_id and target.item_id:
            if not assignment.track.items.filter(pk=target.item_id).exists():
                continue
        done = totals.get(target.metric, 0) if target.metric in FIGURES else 0
        progress.append(TargetProgress(target=target, done=done))
    return progress
