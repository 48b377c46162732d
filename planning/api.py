import django_filters
from django.db.models import Prefetch
from rest_framework import mixins

from accounts.access import ALL
from config.api import IntegerFilter, VisibleModelViewSet, year_filter

from .models import Plan, Target, Task, Track
from .serializers import PlanSerializer, TaskSerializer
from .working import WorkingPlanList


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


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Annual work plans (年度工作计划)."""

    base_queryset = Plan.objects
    serializer_class = PlanSerializer
    roles = {"list": ALL, "retrieve": ALL}
    lookup_field = "year"
    filterset_class = PlanFilter
    ordering_fields = ["year"]

    def optimise(self, qs):
        return qs.prefetch_related("deadlines__task", "units__province").order_by("-year")


class TaskViewSet(
    WorkingPlanList, mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet
):
    """Tasks (具体任务) with their items, tracks and targets."""

    base_queryset = Task.objects
    plan_path = "plan"
    serializer_class = TaskSerializer
    roles = {"list": ALL, "retrieve": ALL}
    filterset_class = TaskFilter
    ordering_fields = ["number"]

    def optimise(self, qs):
        return (
            qs.select_related("plan")
            .prefetch_related(
                "items",
                Prefetch("tracks", queryset=Track.objects.prefetch_related("items")),
                Prefetch("targets", queryset=Target.objects.select_related("item")),
            )
            .order_by("plan__year", "number")
        )
