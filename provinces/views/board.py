"""HQ's board: every unit's progress on every task of the working plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required
from planning.working import visible_plans, working_plan

from ..board import Cell, Rate, UnitMark, build_board, task_report_rates, unit_columns
from ..models import Province, Registration

_MARKER = "2147483647"  # a value every URL converter of these routes accepts


def url_maker(name: str) -> Callable[[object], str]:
    """``name``'s URL for any one argument that needs no quoting (a pk, a unit's code),
    reversed once rather than once per cell of the grid."""
    head, tail = reverse(name, args=[_MARKER]).split(_MARKER)
    return lambda arg: f"{head}{arg}{tail}"


class CellWriter:
    """The HTML of the grid's cells, written in Python: 320 cells through the template
    language (or through ``format_html``, which checks every argument for a lazy string)
    cost most of the page. The words are translated once per page, every text is escaped
    with ``html.escape`` (what Django's ``escape`` calls) and each row marked safe once."""

    def __init__(self) -> None:
        self.registration_url = url_maker("provinces:registration")
        self.labels = {value: escape(str(label)) for value, label in Registration.State.choices}
        self.not_started = escape(_("未填报"))
        self.schedule = escape(_("进度安排"))
        self.step_late = f' <span class="small step-late">{escape(_("进度逾期"))}</span>'

    def row(self, cells: list[Cell]) -> SafeString:
        return mark_safe("".join(self.cell(c) for c in cells))  # each text escaped above

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


@dataclass
class Row:
    province: Province
    link: str
    cells: SafeString
    rate: Rate
    marks: list[list[UnitMark]]
    remind: str  # 催办 this unit, when it has something not handed in


@role_required(HQ)
def board(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        return render(request, "provinces/board.html", {"board": None})
    data = build_board(plan, request.user)
    columns = unit_columns(plan, request.user)  # the apps above: project reports owed
    writer = CellWriter()
    unit_url, remind_url = (
        url_maker("provinces:province_detail"),
        url_maker("notifications:remind_unit"),
    )
    year = f"?year={plan.year}"
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
                Row(
                    province=province,
                    link=unit_url(province.code) + year,
                    cells=writer.row(cells),
                    rate=rate,
                    marks=[c.marks.get(province.pk, []) for c in columns],
                    remind=remind_url(province.code) + year
                    if rate.submitted < rate.expected
                    else "",
                )
                for province, cells, rate in data.rows
            ],
        },
    )
