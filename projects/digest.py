"""Rows for the digest's project appendix: budget and acceptance result per project."""

from __future__ import annotations

from .models import Application

SHOWN = list(Application.PROJECTS)  # approved (立项) and after


def rows(plan) -> list[dict]:
    return [
        {
            "title": f"{a.call.get_project_type_display()} · {a.applicant}",
            "unit": a.undertaking_unit,
            "budget": a.budget_granted,
            "result": a.get_state_display(),
        }
        for a in Application.objects.filter(call__plan=plan, state__in=SHOWN)
        .select_related("call")
        .order_by("call", "province__sort_order")
    ]
