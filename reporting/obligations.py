"""What the year end makes units owe: the annual summary (registered with notifications)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, Span, register
from planning.models import Deadline, Plan
from provinces.obligations import Carrying, Deadlines, Recipients

from .models import AnnualSummary


@register
def summaries_owed(plans: Sequence[Plan], span: Span, shared: dict | None = None) -> Iterator[Owed]:
    """年度工作总结与来年工作计划 not yet submitted by a unit that carries tasks."""
    deadlines = Deadlines.of(plans, shared)
    due = {plan.pk: deadlines.first(plan, Deadline.Kind.SUMMARY) for plan in plans}
    if not any(due.values()):
        return
    recipients = Recipients.of(plans, shared)
    carrying = Carrying.of(plans, shared)
    done = set(
        AnnualSummary.objects.filter(plan__in=[pk for pk, d in due.items() if d])
        .exclude(state__in=AnnualSummary.EDITABLE)
        .values_list("plan_id", "province_id")
    )
    for plan in plans:
        deadline = due[plan.pk]
        if deadline is None or not span.needs(deadline.due_date, deadline.offsets):
            continue
        for province in carrying.units(plan):
            if (plan.pk, province.pk) in done:
                continue
            yield Owed(
                key=f"summary:{plan.year}:{province.code}",
                province=province,
                due=deadline.due_date,
                what=_("%(year)s 年度工作总结与来年工作计划") % {"year": plan.year},
                link=reverse("reporting:summary", args=[plan.year, province.code]),
                recipients=recipients.unit(plan, province.pk),
                offsets=deadline.offsets,
                year=plan.year,
            )
