"""Demo units: the 32 executing units, and the national bases the demo plan assigns."""

from .data import ensure_units
from .models import Province

# Demo bases (the notice does not list them; an administrator marks them in the admin).
DEMO_BASES = {
    "key": ["北京", "江苏", "广东", "四川"],
    "basic": ["天津", "辽宁", "浙江", "山东", "湖南", "重庆"],
}


def seed(log) -> None:
    log(f"执行单位 {ensure_units(Province)} 个")
    if not Province.objects.exclude(base_level="").exists():
        for level, names in DEMO_BASES.items():
            Province.objects.filter(short_name__in=names).update(base_level=level)
