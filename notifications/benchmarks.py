"""The reminder sweep over many open deadline-unit pairs, next to a plain read of the same rows."""

from __future__ import annotations

import time
from datetime import date, timedelta

from workflow.bench import BenchContext, Row, count_queries

PAIRS_PER_SCALE = 10_000  # 10× = the 100,000 open pairs


def bench_sweep(ctx: BenchContext) -> list[Row]:
    """The sweep on a quiet day and with every pair read, next to a plain read of the rows."""
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
    from django.test import override_settings

    def timed_sweep(today: date) -> tuple[float, int]:
        start = time.perf_counter()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            queries = count_queries(lambda: sweep(today))
        return (time.perf_counter() - start) * 1000, queries

    # The daily case: nothing due within a week, so the bulky sources filter in SQL.
    quiet_ms, quiet_queries = timed_sweep(date(2018, 9, 1) - timedelta(days=20))
    # The worst case: every open pair is past due (beyond the chasing period, so nothing is
    # mailed but HQ's summary) and every one is read, checked and listed.
    full_ms, full_queries = timed_sweep(date(2019, 3, 2))  # 61 days: no chasers
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.id, m.due_date, a.province_id FROM provinces_milestone m "
            "JOIN provinces_registration r ON r.id = m.registration_id "
            "JOIN provinces_assignment a ON a.id = r.assignment_id WHERE m.done_on IS NULL"
        )
        rows = len(cursor.fetchall())
    plain_ms = (time.perf_counter() - start) * 1000
    size = f"{rows:,} open milestone-unit pairs + registrations"
    reference = f"plain SQL read of the same rows {plain_ms:.0f} ms"
    return [
        Row(
            name="reminder sweep (daily: nothing due within a week)",
            scale=ctx.scale,
            size=size,
            median_ms=quiet_ms,
            queries=quiet_queries,
            reference=reference,
        ),
        Row(
            name="reminder sweep (every pair past due and read)",
            scale=ctx.scale,
            size=size,
            median_ms=full_ms,
            queries=full_queries,
            reference=reference,
        ),
    ]


BENCHMARKS = [bench_sweep]
