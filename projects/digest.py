"""Rows for the digest's project appendix: budget and acceptance result per project, and
the project reports HQ selected (their results and 有效经验)."""

from __future__ import annotations

from .models import Application, ProjectReport

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


def report_rows(plan) -> list[dict]:
    """Confirmed project reports HQ selected for the digest, by province and date."""
    return [
        {
            "title": f"{r.application.call.get_project_type_display()} · {r.application.applicant}",
            "unit": r.application.undertaking_unit or r.application.province.short_name,
            "period": r.due.label if r.due_id else "",
            "results": r.results,
            "experience": r.experience,
        }
        for r in ProjectReport.objects.filter(
            application__call__plan=plan,
            selected_for_digest=True,
            state=ProjectReport.State.CONFIRMED,
        )
        .select_related("application__call", "application__province", "due")
        .order_by("application__province__sort_order", "application_id", "due__due_date", "pk")
    ]
