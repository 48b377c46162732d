"""What the money makes units owe: a spending report at year end for each allocation that
has been paid (registered with notifications; its reminder engine and the to-do read it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, Span, register_todo
from planning.models import Deadline, Plan
from provinces.obligations import Deadlines, Recipients

from .models import Allocation, SpendingReport, year_end


@register_todo
def spending_reports_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """经费使用情况 not yet handed in, for each allocation with payments (in a unit's span,
    that unit's only)."""
    allocations = Allocation.objects.filter(plan__in=plans, paid__gt=0)  # kept: no join
    if span.unit is not None:
        allocations = allocations.filter(province_id=span.unit)
    owing = (
        allocations.exclude(spending_report__state__in=SpendingReport.HANDED_IN)
        .select_related("province", "task", "project")
        .order_by("province__sort_order", "task__number", "pk")
    )
    rows = list(owing)
    if not rows:
        return
    by_pk = {plan.pk: plan for plan in plans}
    deadlines = Deadlines.of(plans, shared)
    recipients = Recipients.of(plans, shared)
    for a in rows:
        plan = by_pk[a.plan_id]
        deadline = deadlines.first(plan, Deadline.Kind.SUMMARY)
        due = year_end(plan, deadline)
        if not span.needs(due, deadline.offsets if deadline else None):
            continue
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
            recipients=recipients.unit(plan, a.province_id),
            offsets=deadline.offsets if deadline else None,
            tasks=(a.task.number,),
            year=plan.year,
        )
