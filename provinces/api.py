import django_filters
from rest_framework import mixins

from config.api import VisibleModelViewSet

from .models import Assignment, Province
from .serializers import AssignmentSerializer, ProvinceSerializer


class ProvinceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Executing units (执行单位): HQ sees all 32, province staff their own."""

    base_queryset = Province.objects
    serializer_class = ProvinceSerializer
    lookup_field = "code"
    filterset_fields = ["region", "base_level", "western"]
    ordering_fields = ["code", "sort_order"]


class AssignmentFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="task__plan__year")
    task = django_filters.NumberFilter(field_name="task__number")
    province = django_filters.CharFilter(field_name="province__code")
    track = django_filters.CharFilter(field_name="track__code")

    class Meta:
        model = Assignment
        fields = ["year", "task", "province", "track", "kind", "taken_up"]


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Assignments (任务承担): which unit executes which task."""

    base_queryset = Assignment.objects
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["task__number", "province__sort_order"]

    def optimise(self, qs):
        return qs.select_related("task__plan", "province", "track").order_by(
            "task__plan__year", "task__number", "province__sort_order"
        )
