"""The annual digest for all 32 units with a full year of data, next to WeasyPrint alone."""

from __future__ import annotations

import multiprocessing
import statistics
import time

from django.db import connection

from bench.harness import BenchContext, PeakRSS, Row
from bench.provinces import _setup
from planning.models import Plan
from provinces.models import LedgerEntry, Province
from reporting.demo import TEXT
from reporting.digest import build_digest, render_html
from reporting.models import AnnualSummary


def _year(ctx: BenchContext):
    """The provinces benchmarks' plans and ledgers, and a confirmed summary for every unit."""

    _setup(ctx)  # idempotent: the plans and the ledger at this scale
    plan = Plan.objects.get(year=2018)
    AnnualSummary.objects.bulk_create(
        [
            AnnualSummary(plan=plan, province=p, state="confirmed", **TEXT)
            for p in Province.objects.all()
        ],
        ignore_conflicts=True,
    )
    entries = LedgerEntry.objects.filter(assignment__task__plan=plan).count()
    return plan, entries


def _in_child(fn, out) -> None:
    with PeakRSS() as memory:
        start = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - start) * 1000
    out.send((result, elapsed, memory.peak_mb))
    out.close()


def _measure(fn):
    """``fn()`` in a forked child: its time and its peak resident memory above where the
    child started, one build per process (an earlier build's heap counts for none)."""
    connection.close()  # the child opens its own; the parent reconnects when it next asks
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe(duplex=False)
    child = context.Process(target=_in_child, args=(fn, there))
    child.start()
    result = here.recv()
    child.join()
    return result


def bench_digest(ctx: BenchContext) -> list[Row]:
    """The digest PDF for 32 units (time, peak memory) vs WeasyPrint alone on the same HTML.

    The digest covers one year. From 10× on the ledger is spread over ten plans, so the
    2018 year holds about 1×, 2× and 11× the entries of the 1× run: the growth that matters.
    """
    from django.conf import settings
    from weasyprint import HTML

    plan, entries = _year(ctx)
    html = render_html(plan)
    # Builds of seconds each on a shared host: the median of three, the two kinds taken in
    # turn so that a slow minute falls on both (one each with --quick).
    runs = 1 if ctx.quick else 3
    built, alone = [], []
    for _ in range(runs):
        built.append(_measure(lambda: build_digest(plan)[1]))
        alone.append(
            _measure(lambda: len(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()))
        )
    pages = built[0][0]
    total_ms = statistics.median(ms for _, ms, _ in built)
    alone_ms = statistics.median(ms for _, ms, _ in alone)
    total_peak = max(peak for _, _, peak in built)
    alone_peak = max(peak for _, _, peak in alone)
    return [
        Row(
            name="digest PDF, 32 units, one year",
            scale=ctx.scale,
            size=f"{entries:,} ledger entries in the year, {pages} pages",
            median_ms=total_ms,
            reference=f"WeasyPrint alone {alone_ms:.0f} ms, peak +{alone_peak:.0f} MB RSS",
            ref_ms=alone_ms,
            notes=f"peak +{total_peak:.0f} MB RSS (each build in its own process; "
            f"median of {runs})",
        )
    ]


BENCHMARKS = [bench_digest]
