"""The service network (服务网络) pages: a unit keeps its own entities (form, Excel import),
HQ sees every unit's, and a per-province table of counts by kind with a chart."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from workflow import sheets
from workflow.charts import bar_chart
from workflow.imports import IMPORTERS
from workflow.machine import TransitionRefused
from workflow.views import upload_page

from ..forms import NetworkEntityForm
from ..models import NetworkEntity, Province
from ..network_sheets import network_template, network_workbook


def _listed(request: HttpRequest, plan):
    """The working plan's entities the user sees, filtered by ``?kind=`` and (HQ) ``?province=``."""
    qs = NetworkEntity.objects.visible_to(request.user).filter(plan=plan)
    kind = request.GET.get("kind", "")
    if kind in NetworkEntity.Kind.values:
        qs = qs.filter(kind=kind)
    province = request.GET.get("province", "")
    if province and request.user.is_hq:
        qs = qs.filter(province__code=province)
    return qs


@role_required(STAFF | HQ)
def network_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    qs = _listed(request, plan) if plan else NetworkEntity.objects.none()
    rows = qs.select_related("province", "parent").order_by(
        "province__sort_order", "kind", "name", "pk"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provinces/network_list.html",
        {
            "plan": plan,
            "page": page,
            "kinds": NetworkEntity.Kind.choices,
            "kind": request.GET.get("kind", ""),
            "provinces": Province.objects.visible_to(request.user) if request.user.is_hq else [],
            "province": request.GET.get("province", ""),
            "query": query.urlencode(),
        },
    )


@role_required(STAFF)
def network_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entity = get_object_or_404(NetworkEntity.objects.own(request.user), pk=pk) if pk else None
    plan = entity.plan if entity else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("provinces:network_list")
    form = NetworkEntityForm(
        request.POST or None, instance=entity, province=request.user.province, plan=plan
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("已保存“%(name)s”。") % {"name": saved.name})
        return redirect(f"{_list_url()}?year={plan.year}")
    return render(
        request, "provinces/network_form.html", {"form": form, "entity": entity, "plan": plan}
    )


def _list_url() -> str:
    return reverse("provinces:network_list")


@role_required(STAFF)
@require_POST
def network_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(NetworkEntity.objects.own(request.user), pk=pk)
    try:
        entity.plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("provinces:network_list")
    entity.delete()  # its stations keep their place, without a base
    messages.success(request, _("已删除“%(name)s”。") % {"name": entity.name})
    return redirect(f"{_list_url()}?year={entity.plan.year}")


@role_required(STAFF)
def network_import(request: HttpRequest) -> HttpResponse:
    return upload_page(request, IMPORTERS["network"])


@role_required(STAFF | HQ)
def network_template_download(request: HttpRequest) -> HttpResponse:
    return sheets.download(
        "network-template.xlsx", network_template(request.user, working_plan(request))
    )


@role_required(STAFF | HQ)
def network_export(request: HttpRequest) -> HttpResponse:
    plan = require_working_plan(request)
    qs = _listed(request, plan).order_by("province__sort_order", "kind", "name", "pk")
    stamp = timezone.localdate().strftime("%Y%m%d")
    return sheets.download(f"network-{plan.year}-{stamp}.xlsx", network_workbook(qs))


def network_counts_table(plan, user) -> dict:
    """Per province, the entities of each kind in ``plan`` (one query), with the totals."""
    kinds = NetworkEntity.Kind.choices
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for province_id, kind, n in (
        NetworkEntity.objects.visible_to(user)
        .filter(plan=plan)
        .values_list("province_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[province_id][kind] = n
    rows = []
    for p in Province.objects.visible_to(user):
        by_kind = [counts[p.pk].get(k, 0) for k, _label in kinds]
        rows.append({"province": p, "counts": by_kind, "total": sum(by_kind)})
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(kinds))]
    return {"kinds": kinds, "rows": rows, "totals": totals, "total": sum(totals)}


@role_required(HQ)
def network_counts(request: HttpRequest) -> HttpResponse:
    plan = require_working_plan(request)
    table = network_counts_table(plan, request.user)
    chart_rows = sorted(
        ((r["province"].short_name, r["total"]) for r in table["rows"] if r["total"]),
        key=lambda r: -r[1],
    )
    kind_rows = [
        (str(label), n) for (_k, label), n in zip(table["kinds"], table["totals"], strict=True)
    ]
    return render(
        request,
        "provinces/network_counts.html",
        {
            "plan": plan,
            "table": table,
            "chart_provinces": bar_chart(chart_rows, _("个")),
            "chart_kinds": bar_chart(kind_rows, _("个")),
        },
    )
