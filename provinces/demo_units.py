from .data import ensure_units
from .models import Province


def seed(log) -> None:
    log(f"执行单位 {ensure_units(Province)} 个")
