"""Trends across years (HQ: every unit; province staff: their own unit), and their workbook."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from accounts.access import HQ, STAFF, role_required
from workflow import sheets

from ..forms import TrendFilterForm
from ..trends import FIGURE_COLUMNS, UnknownFilter, build_workbook, charts, trends


def _filters(form: TrendFilterForm) -> dict:
    if not form.is_bound or not form.is_valid():
        return {}
    return {"task": form.cleaned_data["task"], "unit": form.cleaned_data["unit"] or None}


@role_required(HQ | STAFF)
def trends_page(request: HttpRequest) -> HttpResponse:
    form = TrendFilterForm(request.GET or None)
    try:
        data = trends(request.user, **_filters(form))
    except UnknownFilter as refused:
        form.add_error(refused.field, refused.message)
        data = trends(request.user)
    return render(
        request,
        "reporting/trends.html",
        {
            "form": form,
            "trends": data,
            "charts": charts(data),
            "columns": [label for _name, label in FIGURE_COLUMNS],
            "query": request.GET.urlencode(),
        },
    )


@role_required(HQ | STAFF)
def trends_export(request: HttpRequest) -> HttpResponse:
    """The page's tables as an Excel workbook, with the same filters (a bad one is a 400)."""
    form = TrendFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(e for errors in form.errors.values() for e in errors)
        )
    try:
        data = trends(request.user, **_filters(form))
    except UnknownFilter as refused:
        return HttpResponseBadRequest(refused.message)
    return sheets.download("trends.xlsx", *build_workbook(data))
