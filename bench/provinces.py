"""Benchmarks of the provincial loop: the board, the ledger page, the ledger import, and
the reminder sweep over many open schedule steps."""

from __future__ import annotations

import io
import random
import re
import statistics
import time
from datetime import date, timedelta

import openpyxl
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from bench.harness import BenchContext, Row, analyze, count_queries, profile_page
from notifications.services import sweep
from planning.demo import SEED_NOTICE
from planning.models import Plan
from provinces.models import Assignment, LedgerEntry, Milestone, Province, Registration
from provinces.plans import import_plan
from provinces.resources import LEDGER_HEADERS, import_ledger

ENTRIES_PER_SCALE = 20_000  # 10× = 200,000 ledger entries: the ten-years figure
PAIRS_PER_SCALE = 10_000  # 10× = the 100,000 open deadline-unit pairs


def _setup(ctx: BenchContext) -> dict:
    state = ctx.cache.setdefault("provinces", {})
    years = 1 if ctx.scale < 10 else 10
    # Ten years of history end this year (2018 among them): no year ahead full of work.
    first = 2018 if years == 1 else min(2018, timezone.localdate().year - years + 1)
    text = SEED_NOTICE.read_text(encoding="utf-8")
    bases = {
        code: level
        for level, names in (("key", ["北京", "江苏"]), ("basic", ["天津", "浙江"]))
        for code in Province.objects.filter(short_name__in=names).values_list("code", flat=True)
    }
    for year in range(first, first + years):
        if not Plan.objects.filter(year=year).exists():
            # 2018 → year and 2019 → year + 1 in one pass (two replaces would shift twice)
            shifted = re.sub(r"201[89]", lambda m, y=year: str(y + int(m.group()) - 2018), text)
            plan = import_plan(shifted, bases=bases).plan
            plan.publish(None)
    want = ENTRIES_PER_SCALE * ctx.scale
    have = LedgerEntry.objects.count()
    if have < want:
        rnd = random.Random(ctx.scale)
        # Each entry dated within its plan's year, as the ledger's rules require.
        assignments = list(Assignment.objects.values_list("pk", "task__plan__year"))
        batch = []
        for i in range(want - have):
            assignment_id, year = rnd.choice(assignments)
            batch.append(
                LedgerEntry(
                    assignment_id=assignment_id,
                    date=date(year, 1, 1) + timedelta(days=rnd.randint(0, 364)),
                    kind="training",
                    description=f"基准测试台账 {i}",
                    responsible_person="张三",
                    classes_held=1,
                    trainees=50,
                )
            )
            if len(batch) == 10_000:
                LedgerEntry.objects.bulk_create(batch)
                batch = []
        LedgerEntry.objects.bulk_create(batch)
        analyze()
    if "hq" not in state:
        state["hq"], _ = User.objects.get_or_create(
            username="bench_hq", defaults={"role": "hq_reviewer"}
        )
        state["staff"], _ = User.objects.get_or_create(
            username="bench_jx",
            defaults={
                "role": "province_staff",
                "province": Province.objects.get(short_name="江西"),
            },
        )
    return {
        "years": years,
        "entries": LedgerEntry.objects.count(),
        "hq": state["hq"],
        "staff": state["staff"],
    }


def _page(ctx: BenchContext, name: str, path: str, user, size: str) -> Row:
    """Median and p95 over loopback HTTP, and the queries of one rendering, beside the floor
    view of the same run (median ÷ floor median, p95 ÷ floor p95).

    The timed figure is the page as people get it again and again: kept in the page cache
    until the next write (workflow/pagecache.py). The notes give the page rendered afresh at
    every request, beside the floor and the signed-in floor."""
    ctx.server.login(user)
    median, p95 = ctx.server.latency(path, repeat=ctx.repeat)
    rendered, rendered_p95 = ctx.server.rendered_latency(path, repeat=ctx.repeat)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(PAGE_CACHE=False):
        queries = count_queries(lambda: client.get(path))
        profile_page(ctx, name, lambda: client.get(path))
    client.get(path)  # kept now that the client has its CSRF cookie
    kept_queries = count_queries(lambda: client.get(path))
    floor, floor_p95 = ctx.cache.get("floor_ms"), ctx.cache.get("floor_p95_ms")
    signed_in = ctx.cache.get("signed_in_ms")
    notes = (
        f"kept: {kept_queries} queries; rendered afresh {rendered:.1f} / p95 {rendered_p95:.1f} ms"
    )
    if floor and signed_in:
        notes += (
            f" ({rendered / floor:.1f}× the floor, {rendered / signed_in:.1f}× signed-in floor)"
        )
    return Row(
        name=name,
        scale=ctx.scale,
        size=size,
        median_ms=median,
        p95_ms=p95,
        queries=queries,
        reference=f"floor {floor:.1f} / p95 {floor_p95:.1f} ms" if floor else "",
        ref_ms=floor,
        ref_p95_ms=floor_p95,
        notes=notes,
    )


def bench_board(ctx: BenchContext) -> list[Row]:
    """HQ board page (tasks × 32 units) over HTTP."""
    data = _setup(ctx)
    size = f"{data['years']} plans, 32 units, {data['entries']:,} ledger entries"
    return [_page(ctx, "board page /provinces/board/", "/provinces/board/", data["hq"], size)]


def bench_ledger_page(ctx: BenchContext) -> list[Row]:
    """Ledger list page, HQ (all units) and province staff, over HTTP."""
    data = _setup(ctx)
    size = f"{data['entries']:,} ledger entries, {data['years']} years"
    return [
        _page(ctx, "ledger page, HQ", "/provinces/ledger/", data["hq"], size),
        _page(ctx, "ledger page, 江西 staff", "/provinces/ledger/", data["staff"], size),
        _page(ctx, "ledger API, HQ", "/api/v1/ledger-entries/", data["hq"], size),
    ]


def bench_todo(ctx: BenchContext) -> list[Row]:
    """A unit's to-do page (江西 staff) over HTTP."""
    data = _setup(ctx)
    size = f"{data['years']} plans, {data['entries']:,} ledger entries"
    return [_page(ctx, "to-do page, 江西 staff", "/provinces/todo/", data["staff"], size)]


def bench_api_lists(ctx: BenchContext) -> list[Row]:
    """The API's lists (first page) that units and HQ read most."""
    data = _setup(ctx)
    size = f"{data['years']} plans, 32 units"
    return [
        _page(ctx, "assignments API, HQ", "/api/v1/assignments/", data["hq"], size),
        _page(ctx, "assignments API, 江西 staff", "/api/v1/assignments/", data["staff"], size),
        _page(ctx, "registrations API, HQ", "/api/v1/registrations/", data["hq"], size),
    ]


def bench_ledger_import(ctx: BenchContext) -> list[Row]:
    """Importing 10,000 ledger rows from xlsx, next to a plain bulk insert of the same rows."""

    data = _setup(ctx)
    user = data["staff"]
    assignment = Assignment.objects.filter(
        province=user.province, task__number=3, task__plan__year=2018
    ).first()
    rows = 10_000
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(LEDGER_HEADERS.values()))
    for i in range(rows):
        ws.append(
            [2018, 3, "江西", f"2018-{1 + i % 12:02d}-15", "培训班", f"导入 {i}", "李", 1, 20, 0]
        )
    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()

    class Rollback(Exception):
        pass

    def timed_import():
        start = time.perf_counter()
        try:
            with transaction.atomic():
                outcome = import_ledger(content, "bench.xlsx", user, dry_run=False)
                assert outcome.ok, outcome.problems[:3]
                raise Rollback
        except Rollback:
            pass
        return (time.perf_counter() - start) * 1000

    def timed_bulk():
        start = time.perf_counter()
        try:
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(
                    LedgerEntry(
                        assignment=assignment,
                        date=date(2018, 1 + i % 12, 15),
                        kind="training",
                        description=f"导入 {i}",
                        responsible_person="李",
                        classes_held=1,
                        trainees=20,
                    )
                    for i in range(rows)
                )
                raise Rollback
        except Rollback:
            pass
        return (time.perf_counter() - start) * 1000

    imports = [timed_import() for _ in range(1 if ctx.quick else 2)]
    bulks = [timed_bulk() for _ in range(1 if ctx.quick else 3)]
    bulk = statistics.median(bulks)
    return [
        Row(
            name="ledger import 10,000 xlsx rows (check + import)",
            scale=ctx.scale,
            size=f"{rows:,} rows, {len(content) // 1024} KB",
            median_ms=min(imports),
            reference=f"bulk_create same rows {bulk:.0f} ms",
            ref_ms=bulk,
            notes="read the xlsx, check, write",
        )
    ]


def bench_sweep(ctx: BenchContext) -> list[Row]:
    """The sweep on a quiet day and with every pair read, next to a plain read of the rows."""
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
    plans = Plan.objects.published().count()
    reference = f"plain SQL read of the same rows {plain_ms:.0f} ms"
    return [
        Row(
            name="reminder sweep (daily: nothing due within a week)",
            scale=ctx.scale,
            size=size,
            median_ms=quiet_ms,
            queries=quiet_queries,
            reference=reference,
            ref_ms=plain_ms,
        ),
        Row(
            name="reminder sweep (every pair past due and read)",
            scale=ctx.scale,
            size=size,
            median_ms=full_ms,
            queries=full_queries,
            reference=reference,
            ref_ms=plain_ms,
            notes=f"{plans} published plans: the queries are constant in plans and rows",
        ),
    ]


BENCHMARKS = [
    bench_board,
    bench_ledger_page,
    bench_todo,
    bench_api_lists,
    bench_ledger_import,
    bench_sweep,
]
