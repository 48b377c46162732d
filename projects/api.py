import django_filters
from rest_framework import mixins, serializers

from config.api import VisibleModelViewSet

from .models import Application, Call


class CallSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)

    class Meta:
        model = Call
        fields = ["id", "year", "task", "project_type", "title", "opens_at", "closes_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    call = serializers.IntegerField(source="call_id", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "province",
            "applicant",
            "partner_agency",
            "budget_requested",
            "state",
            "undertaking_unit",
            "budget_granted",
            "submitted_at",
            "decided_at",
        ]


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Calls for applications (申报通知)."""

    base_queryset = Call.objects
    serializer_class = CallSerializer
    filterset_fields = ["project_type"]

    def optimise(self, qs):
        return qs.select_related("plan", "task").order_by("-opens_at", "pk")


class ApplicationFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="call__plan__year")
    task = django_filters.NumberFilter(field_name="call__task__number")
    province = django_filters.CharFilter(field_name="province__code")
    project_type = django_filters.CharFilter(field_name="call__project_type")

    class Meta:
        model = Application
        fields = ["year", "task", "province", "project_type", "state", "call"]


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Applications and projects; experts see only those assigned to them."""

    base_queryset = Application.objects
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def optimise(self, qs):
        return qs.select_related("province").order_by("call_id", "pk").distinct()
