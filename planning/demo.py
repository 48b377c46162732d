"""Demo plan: mark national bases, then load the real 2018 notice."""

from __future__ import annotations

from pathlib import Path

from provinces.models import Province

from .services import import_plan

SEED_NOTICE = Path(__file__).resolve().parent / "seed" / "2018-work-plan.txt"

# Demo bases (the notice does not list them; an administrator marks them in the admin).
DEMO_BASES = {
    "key": ["北京", "江苏", "广东", "四川"],
    "basic": ["天津", "辽宁", "浙江", "山东", "湖南", "重庆"],
}


def seed(log) -> None:
    if not Province.objects.exclude(base_level="").exists():
        for level, names in DEMO_BASES.items():
            Province.objects.filter(short_name__in=names).update(base_level=level)
    result = import_plan(SEED_NOTICE.read_text(encoding="utf-8"))
    log(f"《{result.plan.title}》：{result.tasks} 项任务，{result.assignments} 项任务承担")
