from django.db.models import Prefetch
from rest_framework import mixins

from accounts.access import ALL, HQ
from config.api import AtomicWrites, VisibleModelViewSet

from .filters import DeadlineFilter, PlanFilter, TaskFilter
from .models import Deadline, Plan, Target, Task, Track
from .serializers import DeadlineResourceSerializer, PlanSerializer, TaskSerializer
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


class DeadlineViewSet(
    AtomicWrites,
    WorkingPlanList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    VisibleModelViewSet,
):
    """Deadlines (时间节点) of a plan: everyone reads; HQ adds its own and tunes reminders."""

    base_queryset = Deadline.objects
    plan_path = "plan"
    serializer_class = DeadlineResourceSerializer
    filterset_class = DeadlineFilter
    ordering_fields = ["due_date"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    roles = {
        "list": ALL,
        "retrieve": ALL,
        **dict.fromkeys(["create", "update", "partial_update"], HQ),
    }
    refusable = frozenset({"create", "update", "partial_update"})  # a closed plan refuses

    def optimise(self, qs):
        return qs.select_related("plan", "task").order_by("plan__year", "due_date", "pk")
