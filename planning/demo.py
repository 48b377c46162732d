"""Demo plan: the real 2018 notice (the demo bases were marked with the units)."""

from __future__ import annotations

from pathlib import Path

from .services import import_plan

SEED_NOTICE = Path(__file__).resolve().parent / "seed" / "2018-work-plan.txt"


def seed(log) -> None:
    result = import_plan(SEED_NOTICE.read_text(encoding="utf-8"))
    log(f"《{result.plan.title}》：{result.tasks} 项任务，{result.assignments} 项任务承担")
