"""The ledger's filters: one definition for the ledger page, its export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.api import FilterSet, IntegerFilter, year_filter
from planning.models import Plan
from planning.working import in_working_plan

from .models import Case, LedgerEntry, LedgerSummary, Province, Registration


class PlainSelect(forms.Select):
    """A select written in one string (not a template per option): the ledger's filters
    carry some fifty options on every view of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}  # name first, as Django
        picked = False
        options = []
        for option, label in self.choices:
            selected = not picked and str(option) in chosen
            picked = picked or selected
            options.append((str(option), mark_safe(" selected") if selected else "", label))
        written = format_html_join(
            "",
            "{}",
            (
                (format_html(' {}="{}"', k, v) if v is not True else format_html(" {}", k),)
                for k, v in attrs.items()
                if v is not False and v is not None
            ),
        )
        return format_html(
            "<select{}>{}</select>",
            written,
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AssignmentFilter(FilterSet):
    """年度, 任务 and 执行单位 of anything reported on an assignment (ledger, registrations)."""

    year = IntegerFilter(
        field_name="assignment__task__plan__year", label=_("年度"), min_value=2000, max_value=2100
    )
    task = IntegerFilter(field_name="assignment__task__number", label=_("任务"), min_value=1)
    province = django_filters.CharFilter(
        field_name="assignment__province__code", label=_("省份"), max_length=6
    )

    def page_form(self, user, plans: list[Plan] | None = None) -> forms.Form:
        """The form as a page shows it: year, task and (for HQ) unit are choices of what
        ``user`` may see (``plans``: theirs newest first, when the page has them already);
        the API reads the same filters from plain parameters."""
        form = self.form
        everything = [("", _("全部"))]
        if plans is None:
            plans = list(Plan.objects.visible_to(user).order_by("-year"))
        form.fields["year"].widget = PlainSelect(
            choices=everything + [(p.year, p.year) for p in plans]
        )
        # The chosen year's tasks, or the latest plan's (task numbers repeat every year).
        year = str(self.data.get("year", "")) if self.is_bound else ""
        plan = next((p for p in plans if str(p.year) == year), plans[0] if plans else None)
        tasks = plan.tasks.only("plan_id", "number", "title").order_by("number") if plan else []
        form.fields["task"].widget = PlainSelect(
            choices=everything + [(t.number, f"（{t.numeral}）{t.title[:16]}") for t in tasks]
        )
        if user.is_hq:
            form.fields["province"].widget = PlainSelect(
                choices=everything
                + list(Province.objects.visible_to(user).values_list("code", "short_name"))
            )
        else:
            del form.fields["province"]
        if "kind" in form.fields:
            form.fields["kind"].widget = PlainSelect(choices=form.fields["kind"].choices)
        return form


class RegistrationFilter(AssignmentFilter):
    class Meta:
        model = Registration
        fields = ["year", "task", "province"]


class LedgerSummaryFilter(AssignmentFilter):
    """The ledger's year, task and unit filters, on the kept per-assignment summaries."""

    class Meta:
        model = LedgerSummary
        fields = ["year", "task", "province"]


class LedgerEntryFilter(AssignmentFilter):
    ENTRY_FILTERS = ("kind", "date_from", "date_to")  # these narrow within an assignment

    kind = django_filters.ChoiceFilter(
        choices=LedgerEntry.Kind.choices, label=_("活动类型"), empty_label=_("全部")
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("起始日期"), widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("截止日期"), widget=_date_input()
    )

    class Meta:
        model = LedgerEntry
        fields = ["year", "task", "province", "kind", "date_from", "date_to"]

    def summaries(self, request):
        """The kept per-assignment summaries (``LedgerSummary``) of what this filter lists in
        the request's working plan, as the user may see them, when it chooses whole
        assignments (year, task, unit, or nothing); None when it narrows within them (kind,
        dates) or is invalid, and the entries themselves must be counted."""
        if self.is_bound:
            if not self.is_valid():
                return None
            if any(self.form.cleaned_data.get(name) for name in self.ENTRY_FILTERS):
                return None
        kept = in_working_plan(
            LedgerSummary.objects.visible_to(request.user), request, "assignment__task__plan"
        )
        return LedgerSummaryFilter(self.data if self.is_bound else None, queryset=kept).qs


class CaseFilter(FilterSet):
    """The API's list of typical cases (典型案例)."""

    year = year_filter("plan__year")
    task = IntegerFilter(field_name="assignment__task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = Case
        fields = [
            "year",
            "task",
            "province",
            "kind",
            "state",
            "selected_for_digest",
            "selected_for_publication",
        ]
