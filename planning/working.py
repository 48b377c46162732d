"""Which plan a request works on — the one place every page and API list asks.

The URL's ``?year=`` (or a form's ``year`` field) when given, else the year the user chose
in the header's switcher (``User.working_year``), else ``Plan.objects.current()``; both
fallbacks are one ordering, ``PlanQuerySet.ranked``. Only plans the user may see are
candidates: a unit asking for a draft year gets 404.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import get_object_or_404

from .models import Plan


def requested_year(request: HttpRequest) -> str:
    """The year the URL (or a form) names, if it is a year at all: anything else is left to
    the list's own filter to refuse, and the request works on the default plan."""
    year = (request.GET.get("year") or request.POST.get("year") or "").strip()
    return year if year.isdigit() else ""


def _chosen_year(request: HttpRequest) -> int | None:
    return getattr(request.user, "working_year", None)


def _ranked(request: HttpRequest) -> list[Plan]:
    """The plans the user may see, the best default first: one query per request, shared
    by the page and the header's switcher."""
    if not hasattr(request, "_ranked_plans"):
        request._ranked_plans = Plan.objects.visible_to(request.user).ranked(_chosen_year(request))
    return request._ranked_plans


def visible_plans(request: HttpRequest) -> list[Plan]:
    """The plans the user may switch to, newest first."""
    return sorted(_ranked(request), key=lambda p: p.year, reverse=True)


def working_plan(request: HttpRequest) -> Plan | None:
    """The plan this request works on (see the module's docstring); None when there is none.

    An explicit year that is not a plan the user may see answers 404.
    """
    plans = _ranked(request)
    year = requested_year(request)
    if year:
        plan = next((p for p in plans if p.year == int(year)), None)
        if plan is None:
            raise Http404
        return plan
    return next((p for p in plans if p.is_candidate), None)


def visible_plan(request: HttpRequest, year: int) -> Plan:
    """The plan named in the URL, among those the user may see (a draft is HQ's only)."""
    return get_object_or_404(Plan.objects.visible_to(request.user), year=year)


def require_working_plan(request: HttpRequest) -> Plan:
    plan = working_plan(request)
    if plan is None:
        raise Http404
    return plan


def working_plan_filter(request: HttpRequest, plan_path: str) -> dict:
    """The lookup that keeps a list to the working plan: the year the URL names, else the
    default plan's key (from the plans the request reads once, shared with the header)."""
    year = requested_year(request)
    if year:
        return {f"{plan_path}__year": int(year)}
    plan = next((p for p in _ranked(request) if p.is_candidate), None)
    return {plan_path: plan.pk} if plan is not None else {f"{plan_path}__in": []}


def in_working_plan(qs, request: HttpRequest, plan_path: str):
    """A list (page or API) of one plan: ``?year=`` when it names one, else the default.
    A year that is no plan just lists nothing (the list's own filter says why)."""
    return qs.filter(**working_plan_filter(request, plan_path))


class WorkingPlanList:
    """For API viewsets: a list shows one plan, as a page does (``in_working_plan``);
    ``plan_path`` is the lookup from the model to its plan, e.g. ``"task__plan"``."""

    plan_path: str
    # A list is served from the page cache until the next write (workflow/pagecache.py).
    cached_actions = ("list",)

    def get_queryset(self):
        qs = super().get_queryset()
        return in_working_plan(qs, self.request, self.plan_path) if self.action == "list" else qs


def with_year(url: str, year: int) -> str:
    """``url`` (a local path; anything else becomes ``/``) with its ``year`` set."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query["year"] = str(year)
    query.pop("page", None)
    return urlunsplit(("", "", parts.path, urlencode(query, doseq=True), ""))
