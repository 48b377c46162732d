"""Demo units: the 32 executing units (the demo's bases belong to its plans: provinces.demo_plans)."""

from .data import ensure_units
from .models import Province


def seed(log) -> None:
    log(f"执行单位 {ensure_units(Province)} 个")
