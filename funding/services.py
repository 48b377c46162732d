"""One function per verb on the money: allocate (one unit, or a task's grid), pay, report spending.

Pages, the API, the import and the demo all call these; none writes a row by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from planning.models import FundingMode as PlanFundingMode
from planning.models import Task
from provinces.models import Assignment
from workflow.files import attach
from workflow.review import save_draft

from .models import (
    ZERO,
    Allocation,
    Payment,
    SpendingCategory,
    SpendingEvidence,
    SpendingLine,
    SpendingReport,
    below_paid_problem,
    overspending,
    recount_money,
)


class FundingMode:
    DIRECT = PlanFundingMode.UNITS  # HQ funds the task's units (tasks 1, 2, 5, 6, 7 in 2018)
    PROJECTS = PlanFundingMode.PROJECTS  # projects chosen by review (tasks 4 and 8)
    NONE = ""


def funding_mode(task: Task) -> str:
    """How HQ funds a task: the task's own support (资金支持 and its 资金支持方式), or ""."""
    return task.funding_mode if task.funded else FundingMode.NONE


def funded_tasks(plan) -> list[Task]:
    return list(plan.tasks.filter(funded=True).exclude(funding_mode="").order_by("number"))


def allocate(
    task: Task,
    province,
    *,
    amount: Decimal,
    date: date,
    document_number: str = "",
    note: str = "",
    project=None,
    by=None,
) -> tuple[Allocation, bool]:
    """Create or change the allocation of one unit (or one project) under a task.

    Returns (allocation, created). An amount below what has been paid already is refused.
    """
    with transaction.atomic():
        lookup = {"project": project} if project is not None else {"project__isnull": True}
        existing = (
            Allocation.objects.select_for_update()
            .filter(plan_id=task.plan_id, task=task, province=province, **lookup)
            .first()
        )
        allocation = existing or Allocation(
            plan_id=task.plan_id, task=task, province=province, project=project, created_by=by
        )
        if existing is not None and (problem := below_paid_problem(existing, amount)):
            raise ValidationError(problem)  # the row is locked: no payment lands meanwhile
        allocation.amount = amount
        allocation.date = date
        allocation.document_number = document_number
        allocation.note = note
        allocation.full_clean(validate_unique=False, validate_constraints=False)
        allocation.save()
    return allocation, existing is None


@dataclass
class GridRow:
    assignment: Assignment
    allocation: Allocation | None


def task_grid(task: Task) -> list[GridRow]:
    """One row per unit carrying the task (its assignments), with its allocation if any."""
    allocations = {
        a.province_id: a
        for a in Allocation.objects.filter(task=task, project__isnull=True).select_related(
            "province"
        )
    }
    return [
        GridRow(a, allocations.get(a.province_id))
        for a in Assignment.objects.filter(task=task, taken_up=True)
        .select_related("province")
        .order_by("province__sort_order")
    ]


def allocate_task(
    task: Task,
    amounts: Mapping[int, Decimal | None],
    *,
    date: date,
    document_number: str,
    by=None,
) -> int:
    """A whole task at once (the grid): province id → amount; None leaves that unit alone.

    All rows or none: one refused row (an amount below what was paid) changes nothing.
    Returns how many allocations were written.
    """
    carrying = {
        a.province_id: a.province
        for a in Assignment.objects.filter(task=task, taken_up=True).select_related("province")
    }
    written = 0
    with transaction.atomic():
        for province_id, amount in amounts.items():
            if amount is None:
                continue
            if province_id not in carrying:
                raise ValidationError(_("该执行单位不承担此任务，不能下达经费。"))
            allocate(
                task,
                carrying[province_id],
                amount=amount,
                date=date,
                document_number=document_number,
                by=by,
            )
            written += 1
    return written


def record_payment(
    allocation: Allocation, *, amount: Decimal, date: date, note: str = "", by=None
) -> Payment:
    """Pay a tranche, or refuse: the payments of an allocation never add up to more than it.

    The allocation row is locked (``select_for_update``) while the payments are summed and
    the new one written, so two tranches recorded at the same moment cannot both pass.
    """
    if amount is None or amount <= 0:
        raise ValidationError(_("拨付金额必须大于 0。"))
    with transaction.atomic():
        locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
        paid = locked.paid
        if paid + amount > locked.amount:
            raise ValidationError(
                _(
                    "不能超额拨付：%(unit)s下达 %(allocated)s 万元，已拨付 %(paid)s 万元，"
                    "本次最多还可拨付 %(left)s 万元。"
                )
                % {
                    "unit": locked.province,
                    "allocated": locked.amount,
                    "paid": paid,
                    "left": locked.amount - paid,
                }
            )
        payment = Payment.objects.create(
            allocation=locked, amount=amount, date=date, note=note, recorded_by=by
        )
        recount_money(Allocation.objects.filter(pk=locked.pk))
    allocation.paid = paid + amount
    return payment


def save_spending(
    report: SpendingReport,
    by,
    *,
    note: str,
    amounts: Mapping[int, Decimal],
    notes: Mapping[int, str] | None = None,
) -> SpendingReport:
    """A spending report's draft: its note and one line per category (id → amount).

    Overspending (more than has been paid) is refused and nothing is written.
    """
    notes = notes or {}
    total = sum((a for a in amounts.values() if a), ZERO)
    problem = overspending(report.allocation, total)
    if problem:
        raise ValidationError(problem)
    categories = {c.pk: c for c in SpendingCategory.objects.filter(pk__in=list(amounts))}
    lines = [
        SpendingLine(category=categories[pk], amount=amount, note=notes.get(pk, ""))
        for pk, amount in amounts.items()
        if pk in categories and (amount or notes.get(pk))
    ]
    return save_draft(report, by, {"note": note}, children={"lines": lines})


def report_for(allocation: Allocation) -> SpendingReport:
    """The allocation's report, or an unsaved one (save_spending inserts it as a draft)."""
    existing = SpendingReport.objects.filter(allocation=allocation).first()
    return existing or SpendingReport(allocation=allocation)


def attach_evidence(report: SpendingReport, uploads: Iterable, by) -> list:
    report.check_eligible(by)
    report.ensure_editable()
    return attach(SpendingEvidence, uploads, by, report=report)
