"""Demo plans: the real 2018 notice with its national bases (closed history once the other
demos have filled its year), and the current year's plan rolled over from it, published."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from .models import Plan
from .services import import_plan, rollover_plan

SEED_NOTICE = Path(__file__).resolve().parent / "seed" / "2018-work-plan.txt"


# The demo's national bases (the notice does not list them; HQ sets them in the import
# preview), by GB/T 2260 code: 北京 江苏 广东 四川 take key projects, 天津 辽宁 浙江 山东 湖南 重庆
# basic ones.
DEMO_BASES = {
    **dict.fromkeys(["110000", "320000", "440000", "510000"], "key"),
    **dict.fromkeys(["120000", "210000", "330000", "370000", "430000", "500000"], "basic"),
}


def demo_bases() -> dict[str, str]:
    """Province code → base level, the shape the importer takes."""
    return dict(DEMO_BASES)


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


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None or not plan.is_closed:  # closed history is never re-imported
        bases = None if plan is not None else demo_bases()  # a re-run keeps the year's bases
        result = import_plan(SEED_NOTICE.read_text(encoding="utf-8"), bases=bases)
        if result.plan.state == Plan.State.DRAFT:
            result.plan.publish(None, "演示数据")
        plan = result.plan
        log(f"《{plan.title}》：{result.tasks} 项任务，{result.assignments} 项任务承担")
    today = timezone.localdate()
    if today.year > plan.year and Plan.objects.for_year(today.year) is None:
        current = rollover_plan(plan, today.year, None)
        bring_deadlines_ahead(current, today)
        current.publish(None, "演示数据")
        log(f"《{current.title}》：由{plan.year}年度结转并发布")


def close_history(log) -> None:
    """The last demo step: 2018's year-end work is done, so it becomes closed history."""
    plan = Plan.objects.for_year(2018)
    if plan is not None and plan.state == Plan.State.PUBLISHED:
        plan.close(None, "演示数据：历史年度")
        log(f"《{plan.title}》：已结束")
