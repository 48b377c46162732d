"""The funding overview and the allocations API over ten years of money, with their queries.

Every funded task's units are allocated in every plan, each allocation paid in two tranches
and reported on; the page and the API read one plan, in a fixed number of queries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bench.harness import BenchContext, Row, analyze
from bench.provinces import _page, _setup
from funding import services
from funding.models import (
    Allocation,
    Payment,
    SpendingCategory,
    SpendingLine,
    SpendingReport,
    recount_money,
)
from planning.models import Plan
from provinces.models import Assignment, Province


def _money(ctx: BenchContext) -> dict:
    data = _setup(ctx)  # the plans (ten years from 10× on) and the users
    bare = Plan.objects.exclude(pk__in=Allocation.objects.values("plan")).order_by("year")
    if bare.exists():  # each plan once (a 1× then 10× run adds the nine new years' money)
        allocations = []
        for plan in bare:
            funded = {t.pk for t in services.funded_tasks(plan)}
            for a in Assignment.objects.filter(task__plan=plan, task_id__in=funded):
                allocations.append(
                    Allocation(
                        plan=plan,
                        task_id=a.task_id,
                        province_id=a.province_id,
                        amount=Decimal("20"),
                        date=date(plan.year, 5, 1),
                        document_number=f"基准〔{plan.year}〕1号",
                    )
                )
        Allocation.objects.bulk_create(allocations, batch_size=5000)
        allocations = list(Allocation.objects.filter(payments__isnull=True).select_related("plan"))
        Payment.objects.bulk_create(
            [
                Payment(allocation=a, amount=Decimal("10"), date=date(a.plan.year, month, 1))
                for a in allocations
                for month in (6, 11)
            ],
            batch_size=5000,
        )
        SpendingReport.objects.bulk_create(
            [SpendingReport(allocation=a, state="confirmed") for a in allocations],
            batch_size=5000,
        )
        categories = list(SpendingCategory.objects.values_list("pk", flat=True))[:3]
        SpendingLine.objects.bulk_create(
            [
                SpendingLine(report=r, category_id=c, amount=Decimal("5"))
                for r in SpendingReport.objects.filter(lines__isnull=True)
                for c in categories
            ],
            batch_size=5000,
        )
        recount_money()  # bulk_create writes no kept figures
        analyze()
    return {
        **data,
        "allocations": Allocation.objects.count(),
        "units": Province.objects.count(),
    }


def bench_funding(ctx: BenchContext) -> list[Row]:
    """The funding overview (HQ and a unit), its export and the allocations API and summary."""
    data = _money(ctx)
    size = f"{data['years']} plans, {data['allocations']:,} allocations, 2 payments each"
    hq, staff = data["hq"], data["staff"]
    return [
        _page(ctx, "funding overview, HQ", "/funding/?year=2018", hq, size),
        _page(ctx, "funding overview, 江西 staff", "/funding/?year=2018", staff, size),
        _page(ctx, "allocations page, HQ", "/funding/allocations/?year=2018", hq, size),
        _page(ctx, "allocations API, HQ", "/api/v1/allocations/?year=2018", hq, size),
        _page(
            ctx, "allocations summary API, HQ", "/api/v1/allocations/summary/?year=2018", hq, size
        ),
    ]


BENCHMARKS = [bench_funding]
