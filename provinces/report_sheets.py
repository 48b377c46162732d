"""HQ's workbooks of what units handed in against a task report or a notice, written by the
one spreadsheet writer (``workflow.sheets``): numbers and dates as typed cells."""

from __future__ import annotations

from django.utils.translation import gettext as _

from workflow import sheets

from .models import Assignment, Notice, TaskReport, TaskReportDefinition


def task_report_sheet(definition: TaskReportDefinition, user) -> sheets.Sheet:
    """One row per unit carrying the definition's task (or having a report), one column per
    typed field: integers and decimals as numbers, dates as dates; only what ``user`` may
    see. A draft's values are the unit's own until handed in."""
    fields = list(definition.fields.all())
    reports = TaskReport.objects.visible_to(user).filter(definition=definition)
    by_unit = {r.province_id: r for r in reports.select_related("province")}
    units = [
        a.province
        for a in Assignment.objects.visible_to(user)
        .filter(task_id=definition.task_id, taken_up=True)
        .select_related("province")
        .order_by("province__sort_order")
    ]
    carried = {u.pk for u in units}
    units += sorted(
        (r.province for r in by_unit.values() if r.province_id not in carried),
        key=lambda p: p.sort_order,
    )
    sheet = sheets.Sheet(
        definition.title,
        [_("单位"), _("状态"), _("报送时间"), _("逾期报送"), *(f.label for f in fields)],
    )
    for unit in units:
        report = by_unit.get(unit.pk)
        shown = report is not None and report.state != TaskReport.State.DRAFT
        values = (report.values or {}) if shown else {}
        sheet.append(
            [
                unit.short_name,
                report.get_state_display() if report else _("未填报"),
                report.submitted_at if report else None,
                (_("是") if report.is_late else _("否")) if shown else "",
                *(f.typed(values.get(f.key)) for f in fields),
            ]
        )
    return sheet


def receipts_sheet(notice: Notice) -> sheets.Sheet:
    """Each addressed unit, when it first read the notice (a date-time cell) and who."""
    sheet = sheets.Sheet(_("阅读回执"), [_("单位"), _("首次阅读时间"), _("阅读人")])
    for receipt in notice.receipts.select_related("province", "read_by").order_by(
        "province__sort_order"
    ):
        sheet.append(
            [
                receipt.province.short_name,
                receipt.read_at,
                receipt.read_by.display_name() if receipt.read_by else "",
            ]
        )
    return sheet
