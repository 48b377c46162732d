"""The reminder sweep over many open deadline-unit pairs, next to a plain read of the same rows."""

from __future__ import annotations

import time
from datetime import date, timedelta

from workflow.bench import BenchContext, Row, count_queries

PAIRS_PER_SCALE = 10_000  # 10× = the 100,000 open pairs


def bench_sweep(ctx: BenchContext) -> list[Row]:
    """One sweep on a day nothing is due (the scan itself), and the plain query reference."""
    from django.db import connection

    from notifications.services import sweep
    from planning.models import Plan
    from provinces.benchmarks import _setup
    from provinces.models import Assignment, Milestone, Registration

    _setup(ctx)  # the plans and units the other benchmarks use
    plan = Plan.objects.get(year=2018)
    want = PAIRS_PER_SCALE * ctx.scale
    have = Milestone.objects.filter(done_on__isnull=True).count()
    if have < want:
        regs = []
        for a in Assignment.objects.filter(task__plan=plan, registration__isnull=True):
            regs.append(Registration(assignment=a))
        Registration.objects.bulk_create(regs)
        reg_ids = list(
            Registration.objects.filter(assignment__task__plan=plan).values_list("pk", flat=True)
        )
        batch = [
            Milestone(
                registration_id=reg_ids[i % len(reg_ids)],
                due_date=date(2018, 9, 30) + timedelta(days=i % 60),
                description=f"进度 {i}",
            )
            for i in range(want - have)
        ]
        Milestone.objects.bulk_create(batch, batch_size=10_000)
    today = date(2018, 9, 1) - timedelta(days=20)  # nothing within 7 days: measures the scan
    start = time.perf_counter()
    queries = count_queries(lambda: sweep(today))
    sweep_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.id, m.due_date, a.province_id FROM provinces_milestone m "
            "JOIN provinces_registration r ON r.id = m.registration_id "
            "JOIN provinces_assignment a ON a.id = r.assignment_id WHERE m.done_on IS NULL"
        )
        rows = len(cursor.fetchall())
    plain_ms = (time.perf_counter() - start) * 1000
    return [
        Row(
            name="reminder sweep (scan, nothing due)",
            scale=ctx.scale,
            size=f"{rows:,} open milestone-unit pairs + registrations",
            median_ms=sweep_ms,
            queries=queries,
            reference=f"plain SQL read of the same rows {plain_ms:.0f} ms",
        )
    ]


BENCHMARKS = [bench_sweep]
