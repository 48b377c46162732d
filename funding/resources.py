"""The allocation sheet: one writer for the template and the export, one importer reading it back.

Its columns are ALLOCATION_HEADERS (the export adds paid and spent after them, which the
import ignores), so an exported sheet imports again: unchanged rows are duplicates.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import HQ
from planning.models import Plan, Task
from projects.models import Application
from provinces.models import Assignment, Province
from workflow import sheets
from workflow.imports import Importer, ImportOutcome, RowProblem, RowTicker, register

from . import services
from .models import (
    Allocation,
    below_paid_problem,
    project_allocation_problem,
    task_funding_problem,
)

ALLOCATION_HEADERS = [
    "年度",
    "任务序号",
    "省份",
    "项目编号",
    "下达经费（万元）",
    "下达文号",
    "下达日期",
    "备注",
]
REQUIRED = ["年度", "任务序号", "省份", "下达经费（万元）", "下达日期"]
CENT = Decimal("0.01")


def allocation_sheet(allocations) -> sheets.Sheet:
    """The allocations as the import reads them, with paid and spent after (read-only)."""
    sheet = sheets.Sheet(
        _("经费下达"), [*ALLOCATION_HEADERS, _("已拨付（万元）"), _("已使用（万元）")]
    )
    for a in allocations.select_related("plan", "task", "province").order_by(
        "plan__year", "task__number", "province__sort_order", "pk"
    ):
        sheet.append(
            [
                a.plan.year,
                a.task.number,
                a.province.short_name,
                a.project_id,
                a.amount,
                a.document_number,
                a.date,
                a.note,
                a.paid,
                a.spent,
            ]
        )
    return sheet


def allocation_template_sheet(user) -> sheets.Sheet:
    plan = Plan.objects.visible_to(user).current()
    year = plan.year if plan else 2018
    sheet = sheets.Sheet(_("经费下达"), ALLOCATION_HEADERS)
    sheet.append(
        [year, 2, "江西", None, Decimal("20.00"), "国知办函〔2018〕1号", date(year, 5, 1), ""]
    )
    return sheet


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(CENT)


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


class AllocationsImport(Importer):
    """经费下达 from a sheet: every row or none; the same allocation twice is a duplicate."""

    kind = "allocations"
    title = gettext_lazy("从 Excel 导入经费下达")
    roles = HQ
    done_url = "funding:allocation_list"
    template_url = "funding:allocation_template"
    upload_url = "funding:allocation_import"

    def missing_headers(self, headers, user):
        return [h for h in REQUIRED if h not in headers]

    def check(self, dataset, user, rows: RowTicker) -> ImportOutcome:
        return self._plan(dataset, user, rows)[0]

    def write(self, dataset, user) -> ImportOutcome:
        # Lock the allocations the rows may change, then check again: a payment recorded
        # since the preview can make an amount too low, and then nothing is written.
        years = {_int(r.get("年度")) for r in dataset.dict}
        list(Allocation.objects.select_for_update().filter(plan__year__in=years - {None}))
        outcome, planned = self._plan(dataset, user, lambda done, total: None)
        if outcome.ok:
            for values in planned:
                services.allocate(by=user, **values)
        return outcome

    def _plan(self, dataset, user, rows: RowTicker):
        outcome = ImportOutcome(total=len(dataset))
        planned: list[dict] = []
        years = {_int(r.get("年度")) for r in dataset.dict} - {None}
        plans = {p.year: p for p in Plan.objects.visible_to(user).filter(year__in=years)}
        tasks = {
            (t.plan.year, t.number): t
            for t in Task.objects.filter(plan__in=plans.values()).select_related("plan")
        }
        provinces = {p.short_name: p for p in Province.objects.all()}
        provinces.update({p.name: p for p in provinces.values()})
        carrying = set(
            Assignment.objects.filter(task__plan__in=plans.values(), taken_up=True).values_list(
                "task_id", "province_id"
            )
        )
        existing = {
            (a.task_id, a.province_id, a.project_id): a
            for a in Allocation.objects.filter(plan__in=plans.values()).select_related("province")
        }
        seen: dict[tuple, int] = {}
        for number, cells in enumerate(dataset.dict, start=2):
            rows(number - 1, len(dataset))
            problems = []
            year, task_no = _int(cells.get("年度")), _int(cells.get("任务序号"))
            province = provinces.get(str(cells.get("省份") or "").strip())
            amount = _money(cells.get("下达经费（万元）"))
            when = _date(cells.get("下达日期"))
            project_id = (
                _int(cells.get("项目编号")) if cells.get("项目编号") not in (None, "") else None
            )
            document = str(cells.get("下达文号") or "").strip()[:100]
            note = str(cells.get("备注") or "").strip()[:300]
            task = tasks.get((year, task_no))
            if year not in plans:
                problems.append(
                    _("年度“%(year)s”不是可以导入的年度计划") % {"year": cells.get("年度")}
                )
            elif task is None:
                problems.append(_("找不到任务序号“%(n)s”") % {"n": cells.get("任务序号")})
            elif problem := task_funding_problem(task):
                problems.append(problem)
            if province is None:
                problems.append(_("找不到省份“%(p)s”") % {"p": cells.get("省份") or ""})
            if amount is None or amount < 0:
                problems.append(_("下达经费应为不小于 0 的金额（万元）"))
            elif amount >= Decimal("1e10"):
                problems.append(_("下达经费超出上限"))
            if when is None:
                problems.append(_("下达日期应为日期，例如 2018-05-01"))
            project = None
            if not problems and project_id is not None:
                project = (
                    Application.objects.filter(pk=project_id, call__task=task, province=province)
                    .select_related("agreement")
                    .first()
                )
                if project is None:
                    problems.append(
                        _("项目编号“%(n)s”不是该任务、该省份的项目") % {"n": project_id}
                    )
                elif problem := project_allocation_problem(project, amount):
                    problems.append(problem)
            elif not problems and (task.pk, province.pk) not in carrying:
                problems.append(
                    _("%(p)s不承担任务（%(n)s），不能下达经费") % {"p": province, "n": task.numeral}
                )
            if problems:
                outcome.problems.append(RowProblem(number, problems))
                continue
            key = (task.pk, province.pk, project_id)
            if key in seen:
                outcome.problems.append(
                    RowProblem(
                        number,
                        [_("与第 %(n)d 行是同一笔经费下达，请只保留一行。") % {"n": seen[key]}],
                    )
                )
                continue
            seen[key] = number
            current = existing.get(key)
            if current is not None:
                if problem := below_paid_problem(current, amount):
                    outcome.problems.append(RowProblem(number, [problem]))
                    continue
                same = (current.amount, current.document_number, current.date, current.note) == (
                    amount,
                    document,
                    when,
                    note,
                )
                if same:
                    outcome.duplicates.append(
                        RowProblem(number, [_("已有相同的经费下达，不再导入。")])
                    )
                    continue
                outcome.updated += 1
            else:
                outcome.created += 1
            planned.append(
                {
                    "task": task,
                    "province": province,
                    "project": project,
                    "amount": amount,
                    "date": when,
                    "document_number": document,
                    "note": note,
                }
            )
        return outcome, planned


ALLOCATIONS_IMPORT = register(AllocationsImport())
import_allocations = ALLOCATIONS_IMPORT.import_file
