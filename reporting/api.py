"""The reporting API: trends across years (read-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import HQ, STAFF

from .serializers import TrendFilterSerializer, TrendsSerializer
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
