"""The projects API's serializers: what each endpoint reads and writes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from config.api import ObjectIdField
from workflow.validation import normalise_phone

from .models import (
    Application,
    Call,
    Deliverable,
    ExpertAssignment,
    ProjectReport,
    ProjectReportDue,
    ReportFrequency,
    Review,
)
from .services import DeliverableLine

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


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()


class ApplicationSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all())
    hq_contact = PersonSerializer(read_only=True, allow_null=True, help_text="文献部项目联系人")
    unit_contact = PersonSerializer(read_only=True, allow_null=True, help_text="承担方联系人")

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
            "hq_contact",
            "unit_contact",
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


class AcceptSerializer(DecisionReasonSerializer):
    reports_owed_confirmed = serializers.BooleanField(
        source="owed_confirmed",  # services.accept's name
        required=False,
        default=False,
        help_text="仍有项目报告未报送时，确认仍验收通过（否则 409，并说明未报送的份数）",
    )


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

    def to_internal_value(self, data) -> DeliverableLine:
        return DeliverableLine(**super().to_internal_value(data))


class SignSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=50)
    budget = serializers.DecimalField(max_digits=10, decimal_places=2)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    deliverables = DeliverableInSerializer(many=True)
    terms = serializers.CharField(required=False, allow_blank=True, default="")
    report_frequency = serializers.ChoiceField(
        choices=ReportFrequency.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="项目报告频次（可在协议签订后由专利文献部修改）",
    )
    report_dates = serializers.ListField(
        child=serializers.DateField(), required=False, default=list, max_length=120
    )


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


# --- project reports and their schedule ---------------------------------------------


class ProjectReportFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()


class ProjectReportSerializer(serializers.ModelSerializer):
    """One project report; the unit writes its sections while it is a draft or returned."""

    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    due = serializers.PrimaryKeyRelatedField(
        queryset=ProjectReportDue.objects.all(), required=False, allow_null=True
    )
    deliverables = serializers.PrimaryKeyRelatedField(
        queryset=Deliverable.objects.all(), many=True, required=False
    )
    year = serializers.IntegerField(source="application.call.plan.year", read_only=True)
    province = serializers.CharField(source="application.province.code", read_only=True)
    applicant = serializers.CharField(source="application.applicant", read_only=True)
    hq_contact = PersonSerializer(source="application.hq_contact", read_only=True, allow_null=True)
    due_date = serializers.DateField(source="due.due_date", read_only=True, allow_null=True)
    files = ProjectReportFileSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectReport
        fields = [
            "id",
            "application",
            "due",
            "due_date",
            "year",
            "province",
            "applicant",
            "hq_contact",
            "work_done",
            "results",
            "experience",
            "problems",
            "next_steps",
            "deliverables",
            "files",
            "state",
            "submitted_at",
            "is_late",
            "confirmed_at",
            "selected_for_digest",
        ]
        read_only_fields = sorted(ProjectReport.SET_BY_TRANSITIONS)

    def validate(self, attrs):
        app = attrs.get("application") or getattr(self.instance, "application", None)
        due = attrs.get("due")
        if due is not None and app is not None and due.application_id != app.pk:
            raise serializers.ValidationError({"due": _("报告期不属于本项目。")})
        for d in attrs.get("deliverables", []):
            if app is not None and d.application_id != app.pk:
                raise serializers.ValidationError({"deliverables": _("交付成果不属于本项目。")})
        return attrs


class ReportSelectSerializer(serializers.Serializer):
    digest = serializers.BooleanField(
        source="selected",  # services.select_report's name
        help_text="选入年度汇编（仅已确认的报告）",
    )


class ReportDueSerializer(serializers.ModelSerializer):
    report = serializers.SerializerMethodField()
    report_state = serializers.SerializerMethodField()

    class Meta:
        model = ProjectReportDue
        fields = ["id", "period_start", "due_date", "is_final", "report", "report_state"]

    def get_report(self, obj) -> int | None:
        report = getattr(obj, "report", None)
        return report.pk if report else None

    def get_report_state(self, obj) -> str | None:
        report = getattr(obj, "report", None)
        return report.state if report else None


class ReportScheduleSerializer(serializers.Serializer):
    """A project's contacts and report schedule, with the reports it makes due."""

    application = serializers.IntegerField(source="pk")
    hq_contact = PersonSerializer(allow_null=True)
    unit_contact = PersonSerializer(allow_null=True)
    frequency = serializers.SerializerMethodField()
    dues = ReportDueSerializer(source="report_dues.all", many=True)
    owed = serializers.SerializerMethodField()

    def get_frequency(self, obj) -> str | None:
        schedule = getattr(obj, "report_schedule", None)
        return schedule.frequency if schedule else None

    def get_owed(self, obj) -> int:
        return sum(
            1
            for d in obj.report_dues.all()
            if getattr(d, "report", None) is None or d.report.state not in ProjectReport.HANDED_IN
        )


class ReportScheduleInputSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=ReportFrequency.choices)
    dates = serializers.ListField(
        child=serializers.DateField(), required=False, default=list, max_length=120
    )
    hq_contact = ObjectIdField(required=False, allow_null=True)
    unit_contact = ObjectIdField(required=False, allow_null=True)
