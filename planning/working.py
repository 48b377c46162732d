"""Which plan a request works on — the one place every page and API list asks.

The URL's ``?year=`` (or a form's ``year`` field) when given, else the year the user chose
in the header's switcher (``User.working_year``), else ``Plan.objects.current()``; both
fallbacks are one ordering, ``PlanQuerySet.ranked``. Only plans the user may see are
candidates: a unit asking for a draft year gets 404.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, QueryDict

from .models import Plan, PlanQuerySet


def visible_plans(request: HttpRequest) -> PlanQuerySet:
    """The plans the user may switch to, newest first (read once per request)."""
    if not hasattr(request, "_visible_plans"):
        request._visible_plans = Plan.objects.visible_to(request.user).order_by("-year")
    return request._visible_plans


def requested_year(request: HttpRequest) -> str:
    """The year the URL (or a form) names, if it is a year at all: anything else is left to
    the list's own filter to refuse, and the request works on the default plan."""
    year = (request.GET.get("year") or request.POST.get("year") or "").strip()
    return year if year.isdigit() else ""


def _chosen_year(request: HttpRequest) -> int | None:
    return getattr(request.user, "working_year", None)


def working_plan(request: HttpRequest) -> Plan | None:
    """The plan this request works on (see the module's docstring); None when there is none.

    An explicit year that is not a plan the user may see answers 404.
    """
    if not hasattr(request, "_working_plan"):
        plans = Plan.objects.visible_to(request.user)
        year = requested_year(request)
        if year:
            plan = plans.for_year(year)
            if plan is None:
                raise Http404
        else:
            plan = plans.ranked(_chosen_year(request)).first()
        request._working_plan = plan
    return request._working_plan


def require_working_plan(request: HttpRequest) -> Plan:
    plan = working_plan(request)
    if plan is None:
        raise Http404
    return plan


def working_plan_filter(request: HttpRequest, plan_path: str) -> dict:
    """The lookup that keeps a list to the working plan, as a subquery (no query of its own)."""
    year = requested_year(request)
    if year:
        return {f"{plan_path}__year": int(year)}
    default = Plan.objects.visible_to(request.user).ranked(_chosen_year(request))
    return {f"{plan_path}__in": default.values("pk")[:1]}


def with_year(url: str, year: int) -> str:
    """``url`` (a local path; anything else becomes ``/``) with its ``year`` set."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query["year"] = str(year)
    query.pop("page", None)
    return urlunsplit(("", "", parts.path, urlencode(query, doseq=True), ""))
