"""The reporting API: trends across years (read-only), annual summaries (with next year's
plan) and bulletins."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import HQ, STAFF
from config.api import (
    WRITES,
    EditableViewSet,
    SubmissionViewSet,
    object_action,
    submission_roles,
)
from planning.working import WorkingPlanList
from provinces.models import Case, LedgerEntry, TaskReport, TrainingClass

from . import services
from .filters import AnnualSummaryFilter, BulletinFilter
from .models import AnnualSummary, Bulletin
from .serializers import (
    AnnualSummarySerializer,
    BulletinSerializer,
    TrendFilterSerializer,
    TrendsSerializer,
)
from .trends import UnknownFilter, trends


class TrendsView(APIView):
    """Every year the user may see, per task and per unit (HQ: every unit; province staff:
    their own). ``?task=`` and ``?unit=`` keep one task's row or one unit; a value that is
    not a task or unit the user sees answers 400."""

    roles = {"get": HQ | STAFF}

    @extend_schema(parameters=[TrendFilterSerializer], responses=TrendsSerializer)
    def get(self, request, version=None):
        params = TrendFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            data = trends(
                request.user,
                task=params.validated_data.get("task"),
                unit=params.validated_data.get("unit"),
            )
        except UnknownFilter as refused:
            raise ValidationError({refused.field: [refused.message]}) from refused
        return Response(TrendsSerializer(data).data)


class AnnualSummaryViewSet(WorkingPlanList, SubmissionViewSet):
    """Annual summaries (年度工作总结) and next year's plan: a unit writes and submits its
    own; HQ returns or confirms."""

    base_queryset = AnnualSummary.objects
    review_steps = {
        "submit": services.submit_summary,
        "return_for_revision": services.return_summary,
        "confirm": services.confirm_summary,
    }
    plan_path = "plan"
    serializer_class = AnnualSummarySerializer
    filterset_class = AnnualSummaryFilter
    ordering_fields = ["submitted_at", "province__sort_order"]
    roles = submission_roles(read=STAFF | HQ)
    reread = True

    def optimise(self, qs):
        return (
            qs.select_related("plan", "province")
            .prefetch_related("task_plans")
            .order_by("plan__year", "province__sort_order")
        )


class BulletinViewSet(WorkingPlanList, EditableViewSet):
    """Progress bulletins (工作进展): HQ writes and publishes; every unit reads the published."""

    base_queryset = Bulletin.objects
    plan_path = "plan"
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilter
    ordering_fields = ["period_end", "published_at"]
    roles = {
        "list": STAFF | HQ,
        "retrieve": STAFF | HQ,
        **dict.fromkeys([*WRITES, "publish"], HQ),
    }
    refusable = EditableViewSet.refusable | {"publish"}
    reread = True

    def optimise(self, qs):
        return (
            qs.select_related("plan")
            .prefetch_related(
                Prefetch("entries", queryset=LedgerEntry.objects.only("pk")),
                Prefetch("cases", queryset=Case.objects.only("pk")),
                Prefetch("trainings", queryset=TrainingClass.objects.only("pk")),
                Prefetch("task_reports", queryset=TaskReport.objects.only("pk")),
            )
            .order_by("-period_end", "-pk")
        )

    publish = object_action("publish", Bulletin.publish, responses=BulletinSerializer)
