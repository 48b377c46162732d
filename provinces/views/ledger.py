"""Work ledger (工作台账) pages: list, create, edit, delete, evidence, Excel in and out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, role_required
from planning.models import Target
from planning.working import in_working_plan, require_working_plan, visible_plans
from workflow import sheets
from workflow.files import attach, download
from workflow.imports import IMPORTERS
from workflow.machine import TransitionRefused
from workflow.pagecache import cached_page
from workflow.views import upload_page

from ..filters import LedgerEntryFilter
from ..forms import LedgerEntryForm
from ..ledger import FIGURES, PERIODIC, PeriodicProgress, period_progress
from ..models import Assignment, Evidence, LedgerEntry
from ..resources import ledger_template, ledger_workbook

# What a row of the list shows (a plan's and a task's long texts are left in the database).
LIST_COLUMNS = (
    "assignment__province__short_name",
    "assignment__task__number",
    "assignment__task__plan__year",
    "date",
    "kind",
    "description",
    "responsible_person",
    *FIGURES,
)


_MARK = 918273645  # stands for a key in a URL reversed once per page


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (as ``truncatechars``)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ROW = (
    "<tr><td>{}</td><td>{}</td><td>{} ·（{}）</td><td>{}</td><td>{}</td><td>{}</td>"
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>\n<td>{}</td></tr>\n"
)


def _rows(page, editable: bool) -> SafeString:
    """The table's rows, one ``format_html`` each (every value escaped): fifty rows of
    eleven cells through the template language cost more than the rest of the page. Labels
    and the edit link's address are made once per page."""
    kinds = {value: str(label) for value, label in LedgerEntry.Kind.choices}
    edit_url = reverse("provinces:ledger_edit", args=[_MARK]).replace(str(_MARK), "{}")
    edit = _("编辑")
    return format_html_join(
        "",
        _ROW,
        (
            (
                f"{e.date:%Y-%m-%d}",
                e.assignment.province.short_name,
                e.assignment.task.plan.year,
                e.assignment.task.numeral,
                kinds.get(e.kind, e.kind),
                _short(e.description),
                e.responsible_person,
                e.classes_held,
                e.trainees,
                e.enterprises_served,
                e.evidence_count,
                format_html('<a href="{}">{}</a>', edit_url.format(e.pk), edit) if editable else "",
            )
            for e in page
        ),
    )


def _entries(request: HttpRequest):
    return LedgerEntry.objects.visible_to(request.user)


def _periodic(request: HttpRequest, filters: LedgerEntryFilter) -> list[PeriodicProgress]:
    """The periodic targets (每季度…) of the units and tasks the ledger shows, counted in
    each period of the plan year (one query when none has one, up to five when some do)."""
    # Only the assignments whose task has a periodic target, and only the columns the
    # counting and the table use (a plan's and a task's texts are long; hundreds of rows).
    assignments = in_working_plan(
        Assignment.objects.visible_to(request.user).filter(
            taken_up=True, task__in=Target.objects.filter(period__in=PERIODIC).values("task")
        ),
        request,
        "task__plan",
    )
    chosen = filters.form.cleaned_data if filters.is_bound and filters.is_valid() else {}
    if chosen.get("task"):
        assignments = assignments.filter(task__number=chosen["task"])
    if chosen.get("province"):
        assignments = assignments.filter(province__code=chosen["province"])
    assignments = list(
        assignments.select_related("task__plan", "province")
        .only(
            "task_id",
            "province_id",
            "track_id",
            "task__number",
            "task__plan__year",
            "province__short_name",
        )
        .order_by("province__sort_order", "task__number")
    )
    if not assignments:
        return []
    by_assignment = period_progress(assignments, assignments[0].task.plan.year)
    return [p for a in assignments for p in by_assignment.get(a.pk, [])]


def ledger_page_totals(request: HttpRequest, filters: LedgerEntryFilter) -> dict[str, int]:
    """The entries and figures of what the ledger lists: from the kept per-assignment
    summaries when the filter chooses whole assignments (year, task, unit or none: one row
    per assignment, whatever the number of entries); counted from the filtered entries
    when it narrows within them (kind, dates)."""
    summaries = filters.summaries(request)
    if summaries is not None:
        return summaries.totals()
    fields = ("entries", *FIGURES)
    row = filters.qs.aggregate(entries=Count("pk"), **{f: Sum(f) for f in FIGURES})
    return {f: row[f] or 0 for f in fields}


@cached_page
@role_required(STAFF | HQ)
def ledger_list(request: HttpRequest) -> HttpResponse:
    plans = visible_plans(request)  # read once: the filter's years, the header, the plan's key
    in_plan = in_working_plan(_entries(request), request, "assignment__task__plan")
    filters = LedgerEntryFilter(request.GET or None, queryset=in_plan)
    qs = filters.qs
    totals = ledger_page_totals(request, filters)
    rows = (
        qs.select_related("assignment__task__plan", "assignment__province")
        .only(*LIST_COLUMNS)
        .order_by("-date", "-pk")
    )
    paginator = Paginator(rows, 50)
    paginator.count = totals["entries"]  # the totals counted the rows already: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    # Count evidence for the 50 rows shown, not for every row the filter matches.
    counts = dict(
        Evidence.objects.filter(entry__in=[e.pk for e in page])
        .values_list("entry")
        .annotate(n=Count("pk"))
    )
    for entry in page:
        entry.evidence_count = counts.get(entry.pk, 0)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provinces/ledger_list.html",
        {
            "page": page,
            "rows": _rows(page, editable=request.user.is_province_staff),
            "filters": filters.page_form(request.user, plans),
            "totals": totals,
            "query": query.urlencode(),
            "periodic": _periodic(request, filters),
        },
    )


@role_required(STAFF)
def ledger_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(_entries(request), pk=pk) if pk else None
    # A new entry is filed under an assignment of the plan the unit is working in.
    plan = entry.assignment.task.plan if entry else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("provinces:ledger_list")
    form = LedgerEntryForm(
        request.POST or None, request.FILES or None, instance=entry, user=request.user, plan=plan
    )
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                if saved.created_by_id is None:
                    saved.created_by = request.user
                saved.save()
                form.save_m2m()  # the network entities it names
                attach(Evidence, files, request.user, entry=saved)
        except ValidationError as exc:  # a bad file: neither the entry nor any file is saved
            for e in exc.messages:
                form.add_error("files", e)
        else:
            messages.success(
                request,
                _("台账“%(what)s”已保存，佐证材料 %(n)d 个。")
                % {"what": saved.description, "n": saved.evidence.count()},
            )
            return redirect("provinces:ledger_list")
    return render(
        request,
        "provinces/ledger_form.html",
        {"form": form, "entry": entry, "evidence": entry.evidence.all() if entry else []},
    )


@role_required(STAFF)
@require_POST
def ledger_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(_entries(request), pk=pk)
    entry.delete()  # its evidence rows go with it; their files once that is committed
    messages.success(request, _("台账已删除。"))
    return redirect("provinces:ledger_list")


@role_required(STAFF | HQ)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return download(evidence)


@role_required(STAFF)
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    entry_pk = evidence.entry_id
    evidence.delete()
    messages.success(request, _("佐证材料已删除。"))
    return redirect("provinces:ledger_edit", pk=entry_pk)


@role_required(STAFF | HQ)
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger file."""
    return upload_page(request, IMPORTERS["ledger"])


@role_required(ALL)
def ledger_template_download(request: HttpRequest) -> HttpResponse:
    return sheets.download("ledger-template.xlsx", ledger_template(request.user))


@role_required(STAFF | HQ)
def ledger_export(request: HttpRequest) -> HttpResponse:
    in_plan = in_working_plan(_entries(request), request, "assignment__task__plan")
    filters = LedgerEntryFilter(request.GET or None, queryset=in_plan)
    qs = filters.qs.select_related("assignment__task__plan", "assignment__province").order_by(
        "assignment__province__sort_order", "date", "pk"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return sheets.download(f"ledger-{stamp}.xlsx", ledger_workbook(request.user, qs))
