"""Demo plans: the real 2018 notice with its national bases (closed history once the other
demos have filled its year), and the current year's plan rolled over from it, published."""

from __future__ import annotations

from django.utils import timezone

from planning.demo import SEED_NOTICE, bring_deadlines_ahead, moment
from planning.models import Plan

from .plans import import_plan, rollover_plan

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


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None or not plan.is_closed:  # closed history is never re-imported
        bases = None if plan is not None else demo_bases()  # a re-run keeps the year's bases
        result = import_plan(SEED_NOTICE.read_text(encoding="utf-8"), bases=bases)
        if result.plan.state == Plan.State.DRAFT:
            result.plan.publish(None, "演示数据", now=moment(2018, 5, 20))
        plan = result.plan
        log(f"《{plan.title}》：{result.tasks} 项任务，{result.assignments} 项任务承担")
    today = timezone.localdate()
    if today.year > plan.year and Plan.objects.for_year(today.year) is None:
        current = rollover_plan(plan, today.year, None)
        bring_deadlines_ahead(current, today)
        current.publish(None, "演示数据")
        log(f"《{current.title}》：由{plan.year}年度结转并发布")
