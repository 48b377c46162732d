"""The projects API's filters."""

import django_filters

from config.api import FilterSet, IntegerFilter, year_filter

from .models import Application, Call, ExpertAssignment, ProjectReport


class CallFilter(FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)

    class Meta:
        model = Call
        fields = ["year", "task", "project_type"]


class ReviewAssignmentFilter(FilterSet):
    year = year_filter("application__call__plan__year")

    class Meta:
        model = ExpertAssignment
        fields = ["year", "application"]


class ApplicationFilter(FilterSet):
    year = year_filter("call__plan__year")
    task = IntegerFilter(field_name="call__task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")
    project_type = django_filters.CharFilter(field_name="call__project_type")

    class Meta:
        model = Application
        fields = ["year", "task", "province", "project_type", "state", "call"]


class ProjectReportFilter(FilterSet):
    year = year_filter("application__call__plan__year")
    province = django_filters.CharFilter(field_name="application__province__code")

    class Meta:
        model = ProjectReport
        fields = ["year", "province", "application", "state"]
