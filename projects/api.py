import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts.access import ALL, EXPERTS, HQ, STAFF
from config.api import IntegerFilter, ObjectIdField, VisibleModelViewSet, year_filter
from planning.working import WorkingPlanList, working_plan
from workflow.validation import normalise_phone

from . import services
from .models import Application, Call, ExpertAssignment, Review

OVERRIDE_HELP = gettext_lazy(
    "专利文献部特批：提交的专家评审少于申报通知要求时也作出决定（须填写理由，记入处理记录）"
)


class CallSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "year",
            "task",
            "project_type",
            "title",
            "opens_at",
            "closes_at",
            "reviews_required",
        ]


class ReviewAssignmentSerializer(serializers.ModelSerializer):
    """One application an expert is asked to review, with the call's criteria and the review."""

    application = serializers.IntegerField(source="application_id", read_only=True)
    applicant = serializers.CharField(source="application.applicant", read_only=True)
    call = serializers.CharField(source="application.call.title", read_only=True)
    criteria = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = ExpertAssignment
        fields = ["id", "application", "applicant", "call", "assigned_at", "criteria", "review"]

    def get_criteria(self, obj) -> list[dict]:
        return [{"name": c.name, "weight": c.weight} for c in obj.application.call.criteria.all()]

    def get_review(self, obj) -> dict | None:
        review = getattr(obj, "review", None)
        if review is None:
            return None
        return {
            "scores": review.scores,
            "weighted_total": str(review.weighted_total),
            "recommendation": review.recommendation,
            "comment": review.comment,
        }


class ReviewInputSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="评分项名称 → 0–100 分",
    )
    recommendation = serializers.ChoiceField(choices=Review.Recommendation.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer):
    deliverable = ObjectIdField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class BatchDecisionSerializer(serializers.Serializer):
    applications = serializers.ListField(child=ObjectIdField(), allow_empty=False)
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    override_reviews = serializers.BooleanField(
        required=False,
        default=False,
        help_text=OVERRIDE_HELP,
    )


class ApplicationSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all())

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "province",
            "applicant",
            "partner_agency",
            "contact_name",
            "contact_phone",
            "budget_requested",
            "plan_text",
            "state",
            "undertaking_unit",
            "budget_granted",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = [
            "state",
            "undertaking_unit",
            "budget_granted",
            "submitted_at",
            "decided_at",
        ]

    def validate_budget_requested(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("申请经费应大于 0。"))
        return value

    def validate_contact_phone(self, value):
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class CallFilter(django_filters.FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)

    class Meta:
        model = Call
        fields = ["year", "task", "project_type"]


class ReviewAssignmentFilter(django_filters.FilterSet):
    year = year_filter("application__call__plan__year")

    class Meta:
        model = ExpertAssignment
        fields = ["year", "application"]


class CallViewSet(
    WorkingPlanList, mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet
):
    """Calls for applications (申报通知)."""

    base_queryset = Call.objects
    plan_path = "plan"
    serializer_class = CallSerializer
    filterset_class = CallFilter
    refusable = frozenset({"decide"})
    roles = {"list": ALL, "retrieve": ALL, "decide": HQ}

    def optimise(self, qs):
        return qs.select_related("plan", "task").order_by("-opens_at", "pk")

    @extend_schema(request=BatchDecisionSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, version=None):
        """HQ: approve (as asked) or reject several applications at once; all or nothing."""
        call = self.get_object()
        serializer = BatchDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        decided = services.decide_batch(
            call,
            request.user,
            d["applications"],
            d["decision"],
            d["reason"],
            override_reviews=d["override_reviews"],
        )
        return Response({"decided": [{"id": a.pk, "state": a.state} for a in decided]})


class ReviewAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet
):
    """An expert's review assignments (HQ reads all); the expert submits scores here.

    An expert never sees an application from their own province: HQ cannot assign it.
    """

    base_queryset = ExpertAssignment.objects
    serializer_class = ReviewAssignmentSerializer
    filterset_class = ReviewAssignmentFilter
    roles = {"list": ALL, "retrieve": ALL, "review": EXPERTS}
    refusable = frozenset({"review"})

    def optimise(self, qs):
        return (
            qs.select_related("application__call", "review")
            .prefetch_related("application__call__criteria")
            .order_by("-assigned_at", "pk")
        )

    @extend_schema(request=ReviewInputSerializer, responses=ReviewAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, version=None):
        assignment = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        services.submit_review(assignment, d["scores"], d["recommendation"], d["comment"])
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)


class ScoresSerializer(serializers.Serializer):
    criteria = serializers.ListField(child=serializers.CharField())
    reviews = serializers.ListField(child=serializers.DictField())
    mean = serializers.CharField(allow_null=True)
    spread = serializers.CharField(allow_null=True)


class ApplicationFilter(django_filters.FilterSet):
    year = year_filter("call__plan__year")
    task = IntegerFilter(field_name="call__task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")
    project_type = django_filters.CharFilter(field_name="call__project_type")

    class Meta:
        model = Application
        fields = ["year", "task", "province", "project_type", "state", "call"]


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(DecisionReasonSerializer):
    override_reviews = serializers.BooleanField(
        required=False,
        default=False,
        help_text=OVERRIDE_HELP,
    )


class AssignSerializer(serializers.Serializer):
    expert = ObjectIdField()


class ApproveSerializer(serializers.Serializer):
    undertaking_unit = serializers.CharField()
    budget_granted = serializers.DecimalField(max_digits=10, decimal_places=2)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    allow_over = serializers.BooleanField(required=False, default=False)
    override_reviews = serializers.BooleanField(
        required=False,
        default=False,
        help_text=OVERRIDE_HELP,
    )


class DeliverableInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class SignSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=50)
    budget = serializers.DecimalField(max_digits=10, decimal_places=2)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    deliverables = DeliverableInSerializer(many=True)
    terms = serializers.CharField(required=False, allow_blank=True, default="")


class FinalReportSerializer(serializers.Serializer):
    final_report = serializers.CharField()


class RectifySerializer(serializers.Serializer):
    reason = serializers.CharField()
    due = serializers.DateField()


class TotalsRowSerializer(serializers.Serializer):
    task = serializers.IntegerField(required=False)
    project_type = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    state = serializers.CharField(required=False)
    n = serializers.IntegerField()
    approved = serializers.IntegerField()
    asked = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    granted = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class TotalsSerializer(serializers.Serializer):
    by_task = TotalsRowSerializer(many=True)
    by_province = TotalsRowSerializer(many=True)
    by_state = TotalsRowSerializer(many=True)


class ApplicationViewSet(
    WorkingPlanList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    VisibleModelViewSet,
):
    """Applications and projects; experts see only those assigned to them.

    Province staff create drafts for their own province and submit them; HQ assigns
    experts, decides, signs agreements and accepts. Every action calls the same
    service functions as the pages; a refused transition answers 409 and changes nothing.
    """

    base_queryset = Application.objects
    plan_path = "call__plan"
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    roles = {
        "list": ALL,
        "retrieve": ALL,
        "totals": STAFF | HQ,  # experts see only their assignments, not the programme's money
        **dict.fromkeys(
            ["create", "update", "partial_update", "submit", "request_acceptance", "progress"],
            STAFF,
        ),
        **dict.fromkeys(
            ["assign_expert", "approve", "reject", "sign", "accept", "rectify", "fail", "scores"],
            HQ,
        ),
    }
    refusable = frozenset(
        {
            "create",
            "update",
            "partial_update",
            "submit",
            "assign_expert",
            "approve",
            "reject",
            "sign",
            "request_acceptance",
            "accept",
            "rectify",
            "fail",
            "progress",
        }
    )

    def optimise(self, qs):
        return qs.select_related("province").order_by("call_id", "pk").distinct()

    def update(self, request, *args, **kwargs):
        """Change a draft (PUT or PATCH); a submitted application answers 409."""
        app = self.get_object()
        serializer = self.get_serializer(
            app, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        services.update_draft(app, request.user, serializer.validated_data)
        return Response(self.get_serializer(app).data)

    def perform_create(self, serializer):
        call = serializer.validated_data["call"]
        if not Call.objects.visible_to(self.request.user).filter(pk=call.pk).exists():
            raise PermissionDenied(_("看不到该申报通知。"))
        serializer.instance = services.start_application(
            call, self.request.user, serializer.validated_data
        )

    def _do(self, request, verb, serializer_class=None):
        app = self.get_object()
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        verb(app, data)
        app.refresh_from_db()
        return Response(self.get_serializer(app).data)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, version=None):
        return self._do(request, lambda app, d: services.submit_application(app, request.user))

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="assign-expert")
    def assign_expert(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.assign_expert(
                app, services.find_expert(d["expert"]), request.user
            ),
            AssignSerializer,
        )

    @extend_schema(request=ApproveSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.approve(
                app,
                request.user,
                d["undertaking_unit"],
                d["budget_granted"],
                d["reason"],
                allow_over=d["allow_over"],
                override_reviews=d["override_reviews"],
            ),
            ApproveSerializer,
        )

    @extend_schema(request=RejectSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.reject(
                app, request.user, d["reason"], override_reviews=d["override_reviews"]
            ),
            RejectSerializer,
        )

    @extend_schema(request=SignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.sign_agreement(
                app,
                request.user,
                number=d["number"],
                budget=d["budget"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                deliverables=[
                    services.DeliverableLine(x["title"], x["due_date"]) for x in d["deliverables"]
                ],
                terms=d["terms"],
            ),
            SignSerializer,
        )

    @extend_schema(request=FinalReportSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="request-acceptance")
    def request_acceptance(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.request_acceptance(app, request.user, d["final_report"]),
            FinalReportSerializer,
        )

    @extend_schema(request=DecisionReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.accept(app, request.user, d["reason"]),
            DecisionReasonSerializer,
        )

    @extend_schema(request=RectifySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.require_rectification(app, request.user, d["reason"], d["due"]),
            RectifySerializer,
        )

    @extend_schema(request=DecisionReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None, version=None):
        return self._do(
            request,
            lambda app, d: services.fail(app, request.user, d["reason"]),
            DecisionReasonSerializer,
        )

    @extend_schema(request=None, responses=ScoresSerializer)
    @action(detail=True, methods=["get"])
    def scores(self, request, pk=None, version=None):
        """HQ: every expert's scores side by side, the weighted totals, their mean and spread."""
        app = self.get_object()
        criteria = [c.name for c in app.call.criteria.all()]
        reviews = []
        for a in app.expert_assignments.select_related("expert", "review"):
            review = getattr(a, "review", None)
            reviews.append(
                {
                    "expert": a.expert.display_name(),
                    "scores": [review.scores.get(c) if review else None for c in criteria],
                    "weighted_total": str(review.weighted_total) if review else None,
                    "recommendation": review.recommendation if review else None,
                }
            )
        summary = services.score_summary(app)
        return Response(
            {
                "criteria": criteria,
                "reviews": reviews,
                "mean": None if summary["mean"] is None else f"{summary['mean']:.2f}",
                "spread": None if summary["spread"] is None else f"{summary['spread']:.2f}",
            }
        )

    @extend_schema(request=ProgressSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None, version=None):
        """The undertaking side reports progress against one deliverable of the agreement."""

        def verb(app, d):
            deliverable = app.deliverables.filter(pk=d["deliverable"]).first()
            if deliverable is None:
                raise NotFound(_("该项目没有这一交付成果。"))
            services.report_progress(
                deliverable,
                request.user,
                percent=d["percent"],
                note=d["note"],
                done_on=d["done_on"],
            )

        return self._do(request, verb, ProgressSerializer)

    @extend_schema(responses=TotalsSerializer)
    @action(detail=False, methods=["get"])
    def totals(self, request, version=None):
        """Counts and money by task and type, by province and by state (what the user sees)."""
        data = services.project_totals(request.user, working_plan(request))

        def money(row):
            return {k: row[k] for k in ("n", "approved", "asked", "granted")}

        return Response(
            TotalsSerializer(
                {
                    "by_task": [
                        {
                            "task": r["call__task__number"],
                            "project_type": r["call__project_type"],
                            **money(r),
                        }
                        for r in data["by_task"]
                    ],
                    "by_province": [
                        {"province": r["province__code"], **money(r)} for r in data["by_province"]
                    ],
                    "by_state": [{"state": r["state"], **money(r)} for r in data["by_state"]],
                }
            ).data
        )
