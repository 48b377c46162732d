"""The planning API's filters."""

from config.api import FilterSet, IntegerFilter, year_filter

from .models import Deadline, Plan, Task


class PlanFilter(FilterSet):
    year = year_filter("year")

    class Meta:
        model = Plan
        fields = ["year"]


class TaskFilter(FilterSet):
    year = year_filter("plan__year")
    number = IntegerFilter(min_value=1)

    class Meta:
        model = Task
        fields = ["year", "number", "all_units"]


class DeadlineFilter(FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)

    class Meta:
        model = Deadline
        fields = ["year", "task", "kind"]
