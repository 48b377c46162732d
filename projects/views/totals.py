"""Totals of the working plan's applications, on the page and as a workbook."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import HQ, STAFF, role_required
from planning.working import working_plan
from workflow import sheets

from .. import services


@role_required(STAFF | HQ)
def totals(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    return render(
        request,
        "projects/totals.html",
        {"plan": plan, **services.project_totals(request.user, plan)},
    )


@role_required(STAFF | HQ)
def totals_export(request: HttpRequest) -> HttpResponse:
    data = services.project_totals(request.user, working_plan(request))
    heads = [_("申报数"), _("立项数"), _("申请经费（万元）"), _("资助经费（万元）")]

    def money(row):
        return [
            row["n"],
            row["approved"],
            row["asked"] or 0,
            row["granted"] or 0,
        ]

    by_task = sheets.Sheet(_("按任务和类型"), [_("任务"), _("项目类型"), *heads])
    for row in data["by_task"]:
        by_task.append([row["call__task__number"], row["type_label"], *money(row)])
    by_province = sheets.Sheet(_("按省份"), [_("省份"), *heads])
    for row in data["by_province"]:
        by_province.append([row["province__name"], *money(row)])
    by_state = sheets.Sheet(_("按状态"), [_("状态"), *heads])
    for row in data["by_state"]:
        by_state.append([row["label"], *money(row)])
    return sheets.download("project-totals.xlsx", by_task, by_province, by_state)
