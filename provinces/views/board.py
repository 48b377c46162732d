"""HQ's board: every unit's progress on every task of the working plan."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import HQ, role_required
from planning.working import visible_plans, working_plan

from ..board import build_board, task_report_rates, unit_columns


@role_required(HQ)
def board(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        return render(request, "provinces/board.html", {"board": None})
    data = build_board(plan, request.user)
    columns = unit_columns(plan, request.user)  # the apps above: project reports owed
    return render(
        request,
        "provinces/board.html",
        {
            "board": data,
            "plan": plan,
            "years": [p.year for p in visible_plans(request)],
            "task_columns": list(zip(data.tasks, data.task_rates, strict=True)),
            "report_rates": task_report_rates(plan, request.user),
            "columns": columns,
            "rows": [
                (province, cells, rate, [c.marks.get(province.pk, []) for c in columns])
                for province, cells, rate in data.rows
            ],
        },
    )
