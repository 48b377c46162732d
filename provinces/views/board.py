"""HQ's board: every unit's progress on every task of the working plan."""

from __future__ import annotations

from html import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required
from planning.working import visible_plans, working_plan
from workflow.pagecache import cached_page
from workflow.pages import url_maker

from ..board import (
    Cell,
    Rate,
    UnitColumn,
    UnitMark,
    build_board,
    task_report_rates,
    unit_columns,
)
from ..models import Province, Registration


class GridWriter:
    """The HTML of the grid's rows, written in Python: 32 units × 10 tasks through the
    template language (or through ``format_html``, which checks every argument for a lazy
    string) cost most of the page. URLs are reversed once and the words translated once per
    page; every text is escaped with ``html.escape`` (what Django's ``escape`` calls) and
    the rows marked safe once."""

    def __init__(self, year: int, columns: list[UnitColumn]) -> None:
        self.year = f"?year={year}"
        self.columns = columns
        self.registration_url = url_maker("provinces:registration")
        self.unit_url = url_maker("provinces:province_detail")
        self.remind_url = url_maker("notifications:remind_unit")
        self.labels = {value: escape(str(label)) for value, label in Registration.State.choices}
        self.not_started = escape(_("未填报"))
        self.schedule = escape(_("进度安排"))
        self.step_late = f' <span class="small step-late">{escape(_("进度逾期"))}</span>'
        self.remind = escape(_("催办"))

    def rows(self, rows: list[tuple[Province, list[Cell], Rate]]) -> SafeString:
        return mark_safe("\n".join(self.row(*r) for r in rows))  # each text escaped below

    def row(self, province: Province, cells: list[Cell], rate: Rate) -> str:
        code = escape(province.code)  # digits (GB/T 2260): nothing to quote in a URL
        remind = (
            f'<a href="{self.remind_url(code)}{self.year}">{self.remind}</a>'
            if rate.submitted < rate.expected
            else ""
        )
        return (
            f'<tr><th scope="row" class="unit"><a href="{self.unit_url(code)}{self.year}">'
            f"{escape(province.short_name)}</a></th>\n"
            f"{''.join(self.cell(c) for c in cells)}\n"
            f"{''.join(self.marks(c.marks.get(province.pk, [])) for c in self.columns)}\n"
            f"<td>{rate.completeness}%</td><td>{rate.on_time_rate}%</td>\n"
            f'<td class="nowrap">{remind}</td></tr>'
        )

    @staticmethod
    def marks(marks: list[UnitMark]) -> str:
        """What an app above provinces shows in this unit's row (its column's marks)."""
        alert = ' class="error"'
        links = "<br>".join(
            f'<a href="{escape(m.link)}" title="{escape(m.title)}"'
            f"{alert if m.alert else ''}>{escape(m.label)}</a>"
            for m in marks
        )
        return f'<td class="small unit-marks">{links or "—"}</td>'

    def cell(self, cell: Cell) -> str:
        light = cell.light  # one of the fixed light names
        if cell.assignment is None:
            return (
                f'<td class="cell cell-{light}" data-light="{light}">'
                '<span class="light light-grey"></span></td>'
            )
        label = self.labels.get(cell.state, "") if cell.state else ""
        title = label or self.not_started
        if cell.step_due:
            title = f"{title} · {self.schedule} {cell.step_due:%Y-%m-%d}"
        return (
            f'<td class="cell cell-{light}" data-light="{light}">'
            f'<a href="{self.registration_url(cell.assignment.pk)}" title="{title}">'
            f'<span class="light light-{light}"></span> <span class="small">{label or "—"}</span>'
            f"{self.step_late if cell.step_late else ''}"
            f"{self.periodic(cell) if cell.periodic else ''}</a></td>"
        )

    @staticmethod
    def periodic(cell: Cell) -> str:
        """This period's count of each periodic target, the periods missed, and each period
        in the title (and for screen readers)."""
        counts = "".join(
            f"{' ' if i else ''}{p.current.done}/{p.current.minimum}"
            for i, p in enumerate(cell.periodic)
            if p.current
        )
        missed = cell.periods_missed
        short = " " + escape(_("缺 %(n)s 期") % {"n": missed}) if missed else ""
        detail = escape(cell.periods_detail)
        return (
            f' <span class="small period-mark{" period-short" if missed else ""}"'
            f' title="{detail}">{counts}{short}<span class="sr-only">{detail}</span></span>'
        )


@cached_page
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
            "rows": GridWriter(plan.year, columns).rows(data.rows),
        },
    )
