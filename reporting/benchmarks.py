"""The annual digest for all 32 units with a full year of data, next to WeasyPrint alone."""

from __future__ import annotations

import time
import tracemalloc

from workflow.bench import BenchContext, Row


def _year(ctx: BenchContext):
    from accounts.models import User
    from planning.models import Plan
    from provinces.models import Assignment, LedgerEntry, Province
    from reporting.demo import TEXT
    from reporting.models import AnnualSummary

    plan = Plan.objects.get(year=2018)  # made by the provinces benchmarks' setup
    if not LedgerEntry.objects.exists():
        raise RuntimeError("run together with the provinces benchmarks (they build the data)")
    AnnualSummary.objects.bulk_create(
        [
            AnnualSummary(plan=plan, province=p, state="confirmed", **TEXT)
            for p in Province.objects.all()
        ],
        ignore_conflicts=True,
    )
    del User, Assignment
    return plan


def _measure(fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = (time.perf_counter() - start) * 1000
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak / 1024 / 1024


def bench_digest(ctx: BenchContext) -> list[Row]:
    """The digest PDF for 32 units (time, Python peak memory) vs WeasyPrint alone on the same HTML."""
    if ctx.scale > 1:
        return []  # the digest covers one year; its size does not grow with the ledger scale
    from django.conf import settings
    from weasyprint import HTML

    from reporting.digest import build_digest, render_html

    plan = _year(ctx)
    (pdf_pages, total_ms, total_peak) = _measure(lambda: build_digest(plan))
    _pdf, pages = pdf_pages
    html = render_html(plan)
    (_, alone_ms, alone_peak) = _measure(
        lambda: HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    )
    return [
        Row(
            name="digest PDF, 32 units, one year",
            scale=ctx.scale,
            size=f"{pages} pages",
            median_ms=total_ms,
            reference=f"WeasyPrint alone {alone_ms:.0f} ms, peak {alone_peak:.0f} MB",
            notes=f"peak {total_peak:.0f} MB (tracemalloc); overhead {total_ms - alone_ms:.0f} ms",
        )
    ]


BENCHMARKS = [bench_digest]
