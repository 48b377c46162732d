"""Demo plan: load the real 2018 notice with its national bases, and publish it."""

from __future__ import annotations

from pathlib import Path

from provinces.models import Province

from .models import Plan
from .services import import_plan

SEED_NOTICE = Path(__file__).resolve().parent / "seed" / "2018-work-plan.txt"

# Demo bases (the notice does not list them; an administrator marks them in the admin).
DEMO_BASES = {
    "key": ["北京", "江苏", "广东", "四川"],
    "basic": ["天津", "辽宁", "浙江", "山东", "湖南", "重庆"],
}


def demo_bases(names_by_level: dict[str, list[str]] = DEMO_BASES) -> dict[str, str]:
    """{level: [short names]} as province code → level, the shape the importer takes."""
    return {
        code: level
        for level, names in names_by_level.items()
        for code in Province.objects.filter(short_name__in=names).values_list("code", flat=True)
    }


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    bases = None if plan is not None else demo_bases()  # a re-run keeps the year's own bases
    result = import_plan(SEED_NOTICE.read_text(encoding="utf-8"), bases=bases)
    if result.plan.state == Plan.State.DRAFT:
        result.plan.publish(None, "演示数据")
    log(f"《{result.plan.title}》：{result.tasks} 项任务，{result.assignments} 项任务承担")
