"""What the year end makes units owe: the annual summary (registered with notifications)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, register
from planning.models import Deadline, Plan
from provinces.obligations import Recipients, units_carrying

from .models import AnnualSummary


@register
def summaries_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """年度工作总结与来年工作计划 not yet submitted by a unit that carries tasks."""
    deadline = plan.deadlines.filter(kind=Deadline.Kind.SUMMARY).first()
    if deadline is None:
        return
    staff = Recipients.of(plan, shared).units
    done = set(
        AnnualSummary.objects.filter(plan=plan)
        .exclude(state__in=AnnualSummary.EDITABLE)
        .values_list("province_id", flat=True)
    )
    for province in units_carrying(plan):
        if province.pk in done:
            continue
        yield Owed(
            key=f"summary:{plan.year}:{province.code}",
            province=province,
            due=deadline.due_date,
            what=_("%(year)s 年度工作总结与来年工作计划") % {"year": plan.year},
            link=reverse("reporting:summary", args=[plan.year, province.code]),
            recipients=staff.get(province.pk, []),
            offsets=deadline.offsets,
        )
