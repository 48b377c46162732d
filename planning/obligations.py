"""What planning tells notifications: which plans have obligations, which plan a request
works on, and the plans' dated
deadlines for the calendar of users who are not a unit's staff (found by notifications'
autodiscovery of ``obligations`` modules)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from notifications.obligations import (
    CalendarEntry,
    register_calendar,
    register_plans,
    register_working_plan,
)

from .models import Deadline, Plan
from .working import working_plan

register_working_plan(working_plan)  # notifications' pages and lists work on the same plan


@register_plans
def plans_with_obligations() -> list[Plan]:
    """The published plans, newest first: drafts owe nothing yet, closed years are history."""
    return list(Plan.objects.published())


@register_calendar
def deadline_calendar(user) -> Iterator[CalendarEntry]:
    """Every plan's deadlines (HQ's view of the calendar)."""
    for d in Deadline.objects.select_related("plan", "task").order_by("due_date"):
        yield CalendarEntry(
            uid=f"deadline-{d.pk}",
            day=d.due_date,
            summary=_("%(year)s 年度：%(what)s") % {"year": d.plan.year, "what": d.description},
            link=d.plan.get_absolute_url(),
        )
