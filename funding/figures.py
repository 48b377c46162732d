"""Allocated → paid → spent, with the rates, per task, unit and year: read in a fixed number
of queries (one per grouping), whatever the number of allocations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum, Value

from .models import ZERO

PERCENT = Decimal("0.1")


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (one decimal), or None when nothing was allocated."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(PERCENT)


@dataclass
class MoneyRow:
    label: str
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO
    count: int = 0
    key: object = None

    @property
    def paid_rate(self) -> Decimal | None:
        return rate(self.paid, self.allocated)

    @property
    def spent_rate(self) -> Decimal | None:
        return rate(self.spent, self.allocated)

    @property
    def unspent(self) -> Decimal:
        return self.allocated - self.spent


def grouped(allocations: QuerySet, by: str, label: str) -> list[MoneyRow]:
    """One row per value of ``by`` (e.g. ``"task__number"``), labelled by ``label``."""
    rows = (
        allocations.order_by()
        .values(by, label)
        .annotate(a=Sum("amount"), p=Sum("paid"), s=Sum("spent"), n=Sum(Value(1)))
        .order_by(by)
    )
    return [
        MoneyRow(
            label=str(r[label]),
            allocated=r["a"] or ZERO,
            paid=r["p"] or ZERO,
            spent=r["s"] or ZERO,
            count=r["n"],
            key=r[by],
        )
        for r in rows
    ]


def total(rows: list[MoneyRow], label: str) -> MoneyRow:
    return MoneyRow(
        label=label,
        allocated=sum((r.allocated for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
        spent=sum((r.spent for r in rows), ZERO),
        count=sum(r.count for r in rows),
    )


def by_task(allocations: QuerySet) -> list[MoneyRow]:
    return grouped(allocations, "task__number", "task__title")


def by_unit(allocations: QuerySet) -> list[MoneyRow]:
    return grouped(allocations, "province__sort_order", "province__short_name")


def by_year(allocations: QuerySet) -> list[MoneyRow]:
    return grouped(allocations, "plan__year", "plan__year")
