"""Demo plans' helpers: the real 2018 notice, the window the current year's demo dates go
to, and the last step that closes 2018. (Importing and rolling the plans over with their
bases is provinces.demo_plans.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from .models import Plan

SEED_NOTICE = Path(__file__).resolve().parent / "seed" / "2018-work-plan.txt"


def moment(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment of a demo year's history (its submissions and decisions are dated then)."""
    return timezone.make_aware(datetime(year, month, day, hour))


def live_window(today: date) -> tuple[date, date]:
    """Where the current year's demo dates that matter go: from a week ahead to the year's
    end, and at least a month long (so a demo started on 31 December still has a future)."""
    start = today + timedelta(days=7)
    return start, max(date(today.year, 12, 31), start + timedelta(days=30))


def bring_deadlines_ahead(plan: Plan, today: date) -> None:
    """A demo plan's deadlines, when the earliest already passed: stretched in order onto
    :func:`live_window`, so a newcomer meets deadlines ahead and can ask for extensions."""
    deadlines = list(plan.deadlines.order_by("due_date", "pk"))
    if not deadlines or deadlines[0].due_date >= today:
        return
    first, last = deadlines[0].due_date, deadlines[-1].due_date
    start, end = live_window(today)
    span = max((last - first).days, 1)
    for deadline in deadlines:
        offset = (deadline.due_date - first).days * (end - start).days // span
        deadline.due_date = start + timedelta(days=offset)
    type(deadlines[0]).objects.bulk_update(deadlines, ["due_date"])


def close_history(log) -> None:
    """The last demo step: 2018's year-end work is done, so it becomes closed history."""
    plan = Plan.objects.for_year(2018)
    if plan is not None and plan.state == Plan.State.PUBLISHED:
        plan.close(None, "演示数据：历史年度", now=moment(2018, 12, 31, 17))
        log(f"《{plan.title}》：已结束")
