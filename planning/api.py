from django.db.models import Prefetch

from accounts.access import ALL, HQ
from config.api import WRITES, EditableViewSet, ReadOnlyViewSet

from .filters import DeadlineFilter, PlanFilter, TaskFilter
from .models import Deadline, Plan, Target, Task, Track
from .serializers import DeadlineResourceSerializer, PlanSerializer, TaskSerializer
from .working import WorkingPlanList


class PlanViewSet(ReadOnlyViewSet):
    """Annual work plans (年度工作计划)."""

    base_queryset = Plan.objects
    serializer_class = PlanSerializer
    roles = {"list": ALL, "retrieve": ALL}
    lookup_field = "year"
    filterset_class = PlanFilter
    ordering_fields = ["year"]

    def optimise(self, qs):
        return qs.prefetch_related("deadlines__task", "units__province").order_by("-year")


class TaskViewSet(WorkingPlanList, ReadOnlyViewSet):
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


class DeadlineViewSet(WorkingPlanList, EditableViewSet):
    """Deadlines (时间节点) of a plan: everyone reads; HQ adds its own and tunes reminders."""

    base_queryset = Deadline.objects
    plan_path = "plan"
    serializer_class = DeadlineResourceSerializer
    filterset_class = DeadlineFilter
    ordering_fields = ["due_date"]
    roles = {"list": ALL, "retrieve": ALL, **dict.fromkeys(WRITES, HQ)}
    # refusable: a closed plan refuses a change (EditableViewSet)

    def optimise(self, qs):
        return qs.select_related("plan", "task").order_by("plan__year", "due_date", "pk")
