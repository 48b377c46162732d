from django.db.models import Prefetch
from rest_framework import mixins

from accounts.access import ALL
from config.api import VisibleModelViewSet

from .filters import PlanFilter, TaskFilter
from .models import Plan, Target, Task, Track
from .serializers import PlanSerializer, TaskSerializer
from .working import WorkingPlanList


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
