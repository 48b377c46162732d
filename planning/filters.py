"""The planning API's filters."""

import django_filters

from config.api import IntegerFilter, year_filter

from .models import Plan, Task


class PlanFilter(django_filters.FilterSet):
    year = year_filter("year")

    class Meta:
        model = Plan
        fields = ["year"]


class TaskFilter(django_filters.FilterSet):
    year = year_filter("plan__year")
    number = IntegerFilter(min_value=1)

    class Meta:
        model = Task
        fields = ["year", "number", "all_units"]
