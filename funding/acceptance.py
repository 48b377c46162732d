"""The money of a project being accepted (issue 14: spending reports are shown at acceptance):
its allocation (经费下达), what was paid (拨付) and its spending report, by category.

Registered with ``projects.acceptance`` from ``FundingConfig.ready()``; projects, below
funding, never imports it.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string

from projects.acceptance import register_panel
from projects.models import Application

from .models import Allocation, Payment, SpendingLine, SpendingReport


@register_panel
def project_money(request: HttpRequest, application: Application) -> str:
    """The project's allocations with paid and spent, and each spending report's lines."""
    allocations = list(
        Allocation.objects.visible_to(request.user)
        .filter(project=application)
        .select_related("plan")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("date", "pk")))
        .order_by("plan__year", "pk")
    )
    reports = {
        r.allocation_id: r
        for r in SpendingReport.objects.filter(allocation__in=allocations).prefetch_related(
            Prefetch("lines", queryset=SpendingLine.objects.select_related("category"))
        )
    }
    for a in allocations:
        a.report = reports.get(a.pk)
    return render_to_string(
        "funding/_project_money.html",
        {"app": application, "allocations": allocations},
        request=request,
    )
