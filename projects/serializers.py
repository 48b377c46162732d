"""The projects API's serializers: what each endpoint reads and writes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from config.api import ObjectIdField
from workflow.validation import normalise_phone

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


class ScoresSerializer(serializers.Serializer):
    criteria = serializers.ListField(child=serializers.CharField())
    reviews = serializers.ListField(child=serializers.DictField())
    mean = serializers.CharField(allow_null=True)
    spread = serializers.CharField(allow_null=True)


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
