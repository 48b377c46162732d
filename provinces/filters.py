"""The ledger's filters: one definition for the ledger page, its export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from config.api import IntegerFilter

from .models import LedgerEntry


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class LedgerEntryFilter(django_filters.FilterSet):
    year = IntegerFilter(
        field_name="assignment__task__plan__year", label=_("年度"), min_value=2000, max_value=2100
    )
    task = IntegerFilter(field_name="assignment__task__number", label=_("任务"), min_value=1)
    province = django_filters.CharFilter(
        field_name="assignment__province__code", label=_("省份"), max_length=6
    )
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
