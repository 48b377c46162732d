"""What the money makes units owe: a spending report at year end for each allocation that
has been paid (registered with notifications; its reminder engine and the to-do read it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, register_todo
from planning.models import Deadline, Plan
from provinces.obligations import Recipients

from .models import Allocation, SpendingReport, year_end


@register_todo
def spending_reports_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None, unit: int | None = None
) -> Iterator[Owed]:
    """经费使用情况 not yet handed in, for each allocation with payments (with ``unit``, that
    unit's only)."""
    allocations = Allocation.objects.filter(plan=plan)
    if unit is not None:
        allocations = allocations.filter(province_id=unit)
    owing = (
        allocations.filter(payments__isnull=False)
        .exclude(spending_report__state__in=SpendingReport.HANDED_IN)
        .select_related("province", "task", "project")
        .distinct()
        .order_by("province__sort_order", "task__number", "pk")
    )
    rows = list(owing)
    if not rows:
        return
    due = year_end(plan)
    deadline = plan.deadlines.filter(kind=Deadline.Kind.SUMMARY).first()
    staff = Recipients.of(plan, shared).units
    for a in rows:
        what = (
            _("%(year)s 年度经费使用情况：任务（%(task)s）%(project)s")
            % {"year": plan.year, "task": a.task.numeral, "project": a.project.applicant}
            if a.project_id
            else _("%(year)s 年度经费使用情况：任务（%(task)s）")
            % {"year": plan.year, "task": a.task.numeral}
        )
        yield Owed(
            key=f"spending:{plan.year}:{a.pk}",
            province=a.province,
            due=due,
            what=what,
            link=reverse("funding:spending", args=[a.pk]),
            recipients=staff.get(a.province_id, []),
            offsets=deadline.offsets if deadline else None,
            tasks=(a.task.number,),
        )
