"""Figures from the work ledgers: sums per assignment, and progress against the plan's targets
(yearly targets over the year, periodic ones in each period of the plan year)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from planning.models import Target, Track
from planning.periods import Period, periods_of

from .models import Assignment, Case, LedgerEntry, LedgerSummary, TrainingClass

FIGURES = LedgerEntry.FIGURES
TRAINING_FIGURES = ("classes_held", "trainees")  # counted from training classes, not typed
PERIODIC = ("half", "quarter", "month")


def ledger_totals(assignments: Iterable[Assignment] | None = None, qs=None) -> dict[int, dict]:
    """{assignment id: {"classes_held": n, "trainees": n, "enterprises_served": n, "entries": n}}
    for the assignments with entries.

    Without ``qs`` every entry counts, so the totals are read from the kept summaries
    (``LedgerSummary``, one row per assignment); ``qs`` (entries a filter narrowed, by
    date, kind…) is counted from the entries themselves."""
    if qs is None:
        rows = LedgerSummary.objects.filter(entries__gt=0)
        if assignments is not None:
            rows = rows.filter(assignment__in=[a.pk for a in assignments])
        return {
            a: dict(zip(("entries", *FIGURES), values, strict=True))
            for a, *values in rows.values_list("assignment_id", "entries", *FIGURES)
        }
    if assignments is not None:
        qs = qs.filter(assignment__in=[a.pk for a in assignments])
    rows = qs.values("assignment_id").annotate(entries=Count("pk"), **{f: Sum(f) for f in FIGURES})
    return {row.pop("assignment_id"): {k: v or 0 for k, v in row.items()} for row in rows}


def training_figures(classes=None) -> dict[tuple[int, int, int], dict[str, int]]:
    """The one count of training classes: {(plan id, task id, province id): {"classes_held":
    n, "trainees": n}} from the units' ``TrainingClass`` records (HQ's own classes left
    out), a class counted once and its attendees as its ``attendee_count``; the typed
    ``classes_held``/``trainees`` of ledger lines are not counted. ``classes`` narrows (and
    scopes) the records, e.g. ``TrainingClass.objects.visible_to(user).filter(plan=plan)``.
    The year-end summary, the digest and the trends all read it (one query)."""
    qs = TrainingClass.objects.all() if classes is None else classes
    rows = (
        qs.filter(province__isnull=False)
        .values("plan_id", "task_id", "province_id")
        .annotate(n=Count("pk"), attendees=Sum("attendee_count"))
        .values_list("plan_id", "task_id", "province_id", "n", "attendees")
        .order_by()
    )
    return {
        (plan_id, task_id, province_id): {"classes_held": n, "trainees": attendees or 0}
        for plan_id, task_id, province_id, n, attendees in rows
    }


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


def classes_held(assignment: Assignment) -> int:
    """The training classes the unit recorded under this task (培训班 rows, not a number
    typed into a ledger line)."""
    return TrainingClass.objects.filter(
        province_id=assignment.province_id, task_id=assignment.task_id
    ).count()


def target_progress(assignment: Assignment, totals: dict | None = None) -> list[TargetProgress]:
    """Progress of the task's countable targets for this unit: a training-class target
    counts the unit's training classes of the task; the other figures come from its ledger."""
    if totals is None:
        totals = ledger_totals([assignment]).get(assignment.pk, {})
    progress = []
    classes = None
    for target in assignment.task.targets.all():
        if assignment.track_id and target.item_id:
            if not assignment.track.items.filter(pk=target.item_id).exists():
                continue
        if target.metric == Target.Metric.CLASSES_HELD:
            classes = classes_held(assignment) if classes is None else classes
            done = classes
        else:
            done = totals.get(target.metric, 0) if target.metric in FIGURES else 0
        progress.append(TargetProgress(target=target, done=done))
    return progress


# --- periodic targets (每季度, 每半年, 每月): counted per period of the plan year ---------


def dated_amounts(
    assignments: Iterable[Assignment], metrics: Iterable[str]
) -> dict[tuple[int, str], list[tuple[date, int]]]:
    """What counts for a target, day by day: {(assignment id, metric): [(day, amount)]}.

    The one place that says which records count towards which metric, one query per source:

    - a ledger figure (培训班, 人次, 企业) sums that figure of the unit's ledger entries by
      the entry's date;
    - 典型案例 counts the unit's cases handed in under the assignment, by the day (Asia/Shanghai)
      they were submitted;
    - 培训班 counts the unit's training classes of the task (``TrainingClass`` rows, not
      the number typed into a ledger line), by the day each class starts;
    - any other metric (e.g. "每季度至少报送1次工作进展") counts the ledger entries themselves.
    """
    assignments = list(assignments)
    ids = [a.pk for a in assignments]
    metrics = set(metrics)
    out: dict[tuple[int, str], list[tuple[date, int]]] = {}
    from_ledger = metrics - {Target.Metric.CASES, Target.Metric.CLASSES_HELD}
    if Target.Metric.CLASSES_HELD in metrics:
        by_unit_task = {(a.province_id, a.task_id): a.pk for a in assignments}
        for province_id, task_id, day, n in (
            TrainingClass.objects.filter(
                province__in={a.province_id for a in assignments},
                task__in={a.task_id for a in assignments},
            )
            .values("province_id", "task_id", "start_date")
            .annotate(n=Count("pk"))
            .values_list("province_id", "task_id", "start_date", "n")
            .order_by()
        ):
            assignment_id = by_unit_task.get((province_id, task_id))
            if assignment_id is not None:
                out.setdefault((assignment_id, Target.Metric.CLASSES_HELD), []).append((day, n))
    if from_ledger:
        for row in (
            LedgerEntry.objects.filter(assignment__in=ids)
            .values("assignment_id", "date")
            .annotate(entries=Count("pk"), **{f: Sum(f) for f in FIGURES})
            .order_by()
        ):
            for metric in from_ledger:
                amount = row[metric] if metric in FIGURES else row["entries"]
                if amount:
                    out.setdefault((row["assignment_id"], metric), []).append((row["date"], amount))
    if Target.Metric.CASES in metrics:
        for assignment_id, day, n in (
            Case.objects.filter(assignment__in=ids, state__in=Case.HANDED_IN)
            .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
            .values("assignment_id", "day")
            .annotate(n=Count("pk"))
            .values_list("assignment_id", "day", "n")
            .order_by()
        ):
            out.setdefault((assignment_id, Target.Metric.CASES), []).append((day, n))
    return out


@dataclass
class PeriodCount:
    period: Period
    done: int
    minimum: int
    today: date

    @property
    def met(self) -> bool:
        return self.done >= self.minimum

    @property
    def current(self) -> bool:
        return self.today in self.period

    @property
    def missed(self) -> bool:
        """Past, and short of the minimum."""
        return self.period.end < self.today and not self.met

    @property
    def ahead(self) -> bool:
        return self.period.start > self.today

    @property
    def state(self) -> str:
        """met / missed / current / ahead (for the page's marks)."""
        if self.met:
            return "met"
        if self.missed:
            return "missed"
        return "current" if self.current else "ahead"

    def __str__(self) -> str:
        mark = " ✓" if self.met else (_("（未达到）") if self.missed else "")
        return f"{self.period.label} {self.done}/{self.minimum}{mark}"


@dataclass
class PeriodicProgress:
    """One periodic target of one assignment, counted in each period of the plan year."""

    target: Target
    assignment: Assignment
    periods: list[PeriodCount]

    @property
    def current(self) -> PeriodCount | None:
        return next((p for p in self.periods if p.current), None)

    @property
    def missed(self) -> int:
        return sum(p.missed for p in self.periods)

    @property
    def short(self) -> list[PeriodCount]:
        """The periods whose count is not met yet (past or to come)."""
        return [p for p in self.periods if not p.met]

    @property
    def detail(self) -> str:
        """第一季度 1/1 ✓，第二季度 0/1 … (for a title or a line of the ledger page)."""
        return "，".join(str(p) for p in self.periods)


def applies_to(target: Target, assignment: Assignment, track_items: dict[int, set[int]]) -> bool:
    """A target of one item counts only for the units whose track does that item."""
    if assignment.track_id and target.item_id:
        return target.item_id in track_items.get(assignment.track_id, set())
    return True


def period_progress(
    assignments: Iterable[Assignment], year: int | None, today: date | None = None
) -> dict[int, list[PeriodicProgress]]:
    """{assignment id: [PeriodicProgress]} for the periodic targets of the assignments'
    tasks (assignments of one plan, of ``year``; with ``year`` None, of any plans, each
    counted in its own plan's year, read from ``assignment.task.plan``). At most four queries
    whatever their number (the targets, the tracks' items, the ledger, the cases), one when
    no task has a periodic target.
    """
    today = today or timezone.localdate()
    assignments = list(assignments)
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(
        task__in={a.task_id for a in assignments}, period__in=PERIODIC
    ).order_by("task", "pk"):
        targets.setdefault(target.task_id, []).append(target)
    if not targets:
        return {}
    concerned = [a for a in assignments if a.task_id in targets]
    track_items: dict[int, set[int]] = {}
    for track_id, item_id in Track.items.through.objects.filter(
        track__in={a.track_id for a in concerned if a.track_id}
    ).values_list("track_id", "taskitem_id"):
        track_items.setdefault(track_id, set()).add(item_id)
    amounts = dated_amounts(concerned, {t.metric for ts in targets.values() for t in ts})
    out: dict[int, list[PeriodicProgress]] = {}
    for a in concerned:
        for target in targets[a.task_id]:
            if not applies_to(target, a, track_items):
                continue
            days = amounts.get((a.pk, target.metric), [])
            out.setdefault(a.pk, []).append(
                PeriodicProgress(
                    target=target,
                    assignment=a,
                    periods=[
                        PeriodCount(
                            period=period,
                            done=sum(n for day, n in days if day in period),
                            minimum=target.minimum,
                            today=today,
                        )
                        for period in periods_of(
                            year if year is not None else a.task.plan.year, target.period
                        )
                    ],
                )
            )
    return out
