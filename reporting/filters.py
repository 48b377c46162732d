"""The year end's API filters."""

from __future__ import annotations

import django_filters

from config.api import FilterSet, year_filter

from .models import AnnualSummary, Bulletin


class AnnualSummaryFilter(FilterSet):
    year = year_filter("plan__year")
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = AnnualSummary
        fields = ["year", "province", "state", "is_late"]


class BulletinFilter(FilterSet):
    year = year_filter("plan__year")

    class Meta:
        model = Bulletin
        fields = ["year", "state"]
