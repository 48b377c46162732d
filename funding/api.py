"""Allocations, payments and spending reports: scoped by the one visibility rule, one plan a list."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import HQ, STAFF
from config.api import (
    FilterSet,
    IntegerFilter,
    ReadOnlyViewSet,
    SubmissionActions,
    year_filter,
)
from planning.working import WorkingPlanList, in_working_plan

from . import figures
from .models import Allocation, Payment, SpendingReport
from .serializers import (
    AllocationSerializer,
    PaymentSerializer,
    SpendingReportSerializer,
    SummarySerializer,
)

READERS = STAFF | HQ


class PatchOnly:
    """Changes by PATCH only (no PUT): a report or an allocation is never replaced whole."""

    def partial_update(self, request, *args, **kwargs):
        return mixins.UpdateModelMixin.update(self, request, *args, partial=True, **kwargs)

    def perform_update(self, serializer):
        serializer.save()


class AllocationFilter(FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code", max_length=6)

    class Meta:
        model = Allocation
        fields = ["year", "task", "province"]


class AllocationViewSet(WorkingPlanList, PatchOnly, mixins.CreateModelMixin, ReadOnlyViewSet):
    """经费下达: HQ allocates; units read their own; ``summary`` totals per task and unit."""

    base_queryset = Allocation.objects
    plan_path = "plan"
    cached_actions = ("list", "summary")  # the page cache (workflow/pagecache.py)
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles = {
        "list": READERS,
        "retrieve": READERS,
        "summary": READERS,
        "create": HQ,
        "partial_update": HQ,
    }

    def perform_create(self, serializer):
        serializer.save(by=self.request.user)  # the allocation records who entered it

    def optimise(self, qs):
        return qs.select_related("plan", "task", "province").order_by(
            "plan__year", "task__number", "province__sort_order", "pk"
        )

    @extend_schema(responses=SummarySerializer)
    @action(detail=False)
    def summary(self, request, version=None):
        """Allocated, paid and spent, with the rates, per task and per unit of one plan."""
        qs = self.filter_queryset(
            in_working_plan(Allocation.objects.visible_to(request.user), request, "plan")
        )
        tasks, units = figures.by_task(qs), figures.by_unit(qs)
        for row in units:
            row.key = row.label
        return Response(
            SummarySerializer(
                {"by_task": tasks, "by_unit": units, "total": figures.total(tasks, "")}
            ).data
        )


class PaymentFilter(FilterSet):
    year = year_filter("allocation__plan__year")
    allocation = IntegerFilter(field_name="allocation_id", min_value=1)

    class Meta:
        model = Payment
        fields = ["year", "allocation"]


class PaymentViewSet(WorkingPlanList, mixins.CreateModelMixin, ReadOnlyViewSet):
    """拨付: HQ records a tranche (never beyond the allocation); units read their own."""

    base_queryset = Payment.objects
    plan_path = "allocation__plan"
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    roles = {"list": READERS, "retrieve": READERS, "create": HQ}

    def optimise(self, qs):
        return qs.order_by("date", "pk")

    def perform_create(self, serializer):
        serializer.save(by=self.request.user)


class SpendingReportFilter(FilterSet):
    year = year_filter("allocation__plan__year")
    state = django_filters.ChoiceFilter(choices=SpendingReport.State.choices)

    class Meta:
        model = SpendingReport
        fields = ["year", "state"]


class SpendingReportViewSet(
    SubmissionActions, WorkingPlanList, PatchOnly, mixins.CreateModelMixin, ReadOnlyViewSet
):
    """经费使用情况: the unit writes and submits; HQ confirms or returns with a reason."""

    base_queryset = SpendingReport.objects  # its review steps are the model's transitions
    plan_path = "allocation__plan"
    serializer_class = SpendingReportSerializer
    filterset_class = SpendingReportFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles = {
        "list": READERS,
        "retrieve": READERS,
        **dict.fromkeys(["create", "partial_update", "submit"], STAFF),
        **dict.fromkeys(["confirm", "return_for_revision"], HQ),
    }
    refusable = frozenset({"create", "partial_update", "submit", "confirm", "return_for_revision"})

    def optimise(self, qs):
        return (
            qs.select_related("allocation__plan")
            .prefetch_related("lines")
            .order_by("allocation__plan__year", "allocation__task__number", "pk")
        )
