"""The digest's funding chapter: allocated → paid → spent per task and per unit, with a chart."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import figures
from .charts import money_chart
from .models import Allocation


def chapter(plan) -> dict:
    """Rows per task and per unit, their totals (each the sum of its rows), and the chart."""
    allocations = Allocation.objects.filter(plan=plan)
    tasks = figures.by_task(allocations)
    units = figures.by_unit(allocations)
    return {
        "tasks": tasks,
        "units": units,
        "tasks_total": figures.total(tasks, _("合计")),
        "units_total": figures.total(units, _("合计")),
        "chart": money_chart(units),
    }
