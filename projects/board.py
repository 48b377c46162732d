"""The project reports each unit owes, on HQ's board (issue 20: each due report appears on
the unit's to-do, the HQ contact's inbox and the board).

Registered with ``provinces.board`` from ``ProjectsConfig.ready()``: a column with, per unit,
each running project's reports due within the reminder window or overdue, linked to the
project's reports. One query whatever the data size.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import offsets
from planning.models import Plan
from provinces.board import UnitColumn, UnitMark, register_column

from .models import Application, ProjectReport, ProjectReportDue
from .obligations import running_projects


@register_column
def project_reports_column(plan: Plan, user, today: date) -> UnitColumn:
    """Per unit, each running project with reports not handed in that are due within the
    reminder window (the first reminder's days before) or already past."""
    days = max(offsets(), default=0)
    window = today + timedelta(days=days)
    rows = (
        ProjectReportDue.objects.filter(
            # one WHERE, not a nested "pk IN (visible)" (its planning cost more than its run)
            application__in=running_projects(plan) & Application.objects.visible_to(user),
            due_date__lte=window,
        )
        .exclude(report__state__in=ProjectReport.HANDED_IN)
        .values("application_id", "application__province_id", "application__applicant")
        .annotate(owed=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by("application__province_id", "application_id")
    )
    column = UnitColumn(
        key="project-reports",
        heading=_("项目报告"),
        note=_(
            "运行中项目 %(d)d 天内到期或已逾期而未报送的项目报告，红色为已逾期；点击查看该项目的报告"
        )
        % {"d": days},
    )
    for row in rows:
        owed, overdue = row["owed"], row["overdue"]
        column.marks.setdefault(row["application__province_id"], []).append(
            UnitMark(
                label=_("%(a)s：%(n)d 份未报，%(late)d 份逾期")
                % {"a": row["application__applicant"], "n": owed, "late": overdue}
                if overdue
                else _("%(a)s：%(n)d 份即将到期") % {"a": row["application__applicant"], "n": owed},
                link=reverse("projects:project_reporting", args=[row["application_id"]]),
                title=_("查看项目报告"),
                alert=bool(overdue),
            )
        )
    return column
