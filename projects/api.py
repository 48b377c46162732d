from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts.access import ALL, EXPERTS, HQ, STAFF
from accounts.models import Role
from config.api import (
    ReadOnlyViewSet,
    SubmissionViewSet,
    VisibleModelViewSet,
    object_action,
    submission_roles,
)
from planning.working import WorkingPlanList, working_plan

from . import services
from .filters import (
    ApplicationFilter,
    CallFilter,
    ProjectReportFilter,
    ReviewAssignmentFilter,
)
from .models import Application, Call, ExpertAssignment, ProjectReport
from .serializers import (
    AcceptSerializer,
    ApplicationSerializer,
    ApproveSerializer,
    AssignSerializer,
    BatchDecisionSerializer,
    CallSerializer,
    DecisionReasonSerializer,
    FinalReportSerializer,
    ProgressSerializer,
    ProjectReportSerializer,
    RectifySerializer,
    RejectSerializer,
    ReportScheduleInputSerializer,
    ReportScheduleSerializer,
    ReportSelectSerializer,
    ReviewAssignmentSerializer,
    ReviewInputSerializer,
    ScoresSerializer,
    SignSerializer,
    TotalsSerializer,
)


class CallViewSet(WorkingPlanList, ReadOnlyViewSet):
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


class ReviewAssignmentViewSet(WorkingPlanList, ReadOnlyViewSet):
    """An expert's review assignments in the working plan (``?year=``; HQ reads all); the
    expert submits scores here.

    An expert never sees an application from their own province: HQ cannot assign it.
    """

    plan_path = "application__call__plan"
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
        return (
            qs.select_related("province", "hq_contact", "unit_contact")
            .order_by("call_id", "pk")
            .distinct()
        )

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

    def answer(self, app, status=200):
        app.refresh_from_db()
        return super().answer(app, status)

    submit = object_action("submit", services.submit_application, responses=ApplicationSerializer)

    @extend_schema(request=AssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="assign-expert")
    def assign_expert(self, request, pk=None, version=None):
        def assign(app, by, expert):
            services.assign_expert(app, services.find_expert(expert), by)

        return self.run(request, assign, AssignSerializer)

    approve = object_action(
        "approve", services.approve, ApproveSerializer, responses=ApplicationSerializer
    )
    reject = object_action(
        "reject", services.reject, RejectSerializer, responses=ApplicationSerializer
    )
    sign = object_action(
        "sign", services.sign_agreement, SignSerializer, responses=ApplicationSerializer
    )
    request_acceptance = object_action(
        "request_acceptance",
        services.request_acceptance,
        FinalReportSerializer,
        url_path="request-acceptance",
        responses=ApplicationSerializer,
    )
    accept = object_action(
        "accept", services.accept, AcceptSerializer, responses=ApplicationSerializer
    )
    rectify = object_action(
        "rectify",
        services.require_rectification,
        RectifySerializer,
        responses=ApplicationSerializer,
    )
    fail = object_action(
        "fail", services.fail, DecisionReasonSerializer, responses=ApplicationSerializer
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

        def report(app, by, deliverable, **progress):
            found = app.deliverables.filter(pk=deliverable).first()
            if found is None:
                raise NotFound(_("该项目没有这一交付成果。"))
            services.report_progress(found, by, **progress)

        return self.run(request, report, ProgressSerializer)

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


class ProjectReportViewSet(WorkingPlanList, SubmissionViewSet):
    """Project reports (项目报告) to the HQ contact, and each project's report schedule.

    The undertaking province writes and submits; HQ (the project's HQ contact) confirms or
    returns with a reason. Scoped like applications; experts see none.
    ``schedules/{application}/`` reads (GET) or sets (PUT, HQ) a project's schedule and
    contacts.
    """

    base_queryset = ProjectReport.objects
    review_steps = {
        "submit": services.submit_report,
        "return_for_revision": services.return_report,
        "confirm": services.confirm_report,
    }
    plan_path = "application__call__plan"
    serializer_class = ProjectReportSerializer
    filterset_class = ProjectReportFilter
    roles = {
        **submission_roles(read=STAFF | HQ),
        "schedule": STAFF | HQ,
        **dict.fromkeys(["select", "set_schedule"], HQ),
    }
    refusable = SubmissionViewSet.refusable | {"select", "set_schedule"}
    reread = True

    def optimise(self, qs):
        return (
            qs.select_related(
                "application__call__plan", "application__province", "application__hq_contact", "due"
            )
            .prefetch_related("deliverables", "files")
            .order_by("application_id", "due__due_date", "pk")
        )

    def get_object(self):
        if self.lookup_field not in self.kwargs:  # schedules/{application}/ names a project
            raise NotFound
        return super().get_object()

    def _fields(self, data) -> dict:
        return {k: data[k] for k in services.REPORT_FIELDS if k in data}

    def _deliverables(self, data):
        return [d.pk for d in data["deliverables"]] if "deliverables" in data else None

    def create(self, request, *args, **kwargs):
        """A new draft for one of the project's due reports (or an extra one)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        app = Application.objects.visible_to(request.user).filter(pk=d["application"].pk).first()
        if app is None:
            raise NotFound(_("没有这个项目。"))
        report = services.new_report(
            app, d.get("due"), request.user, self._fields(d), self._deliverables(d)
        )
        return self.answer(report, 201)

    def update(self, request, *args, **kwargs):
        """Change a draft or a returned report (PUT or PATCH); otherwise 409."""
        report = self.get_object()
        serializer = self.get_serializer(
            report, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        services.save_report(report, request.user, self._fields(d), self._deliverables(d))
        return self.answer(report)

    select = object_action(
        "select",
        services.select_report,
        ReportSelectSerializer,
        responses=ProjectReportSerializer,
        doc="HQ: a confirmed report in (or out of) the digest's project appendix.",
    )

    def _project(self, application: str) -> Application:
        app = (
            Application.objects.visible_to(self.request.user)
            .select_related("hq_contact", "unit_contact", "report_schedule", "province")
            .prefetch_related("report_dues__report")
            .filter(pk=int(application))
            .first()
        )
        if app is None:
            raise NotFound(_("没有这个项目。"))
        return app

    @extend_schema(request=None, responses=ReportScheduleSerializer)
    @action(detail=False, methods=["get"], url_path=r"schedules/(?P<application>\d{1,18})")
    def schedule(self, request, application=None, version=None):
        """A project's contacts, report schedule and due reports."""
        return Response(ReportScheduleSerializer(self._project(application)).data)

    @extend_schema(request=ReportScheduleInputSerializer, responses=ReportScheduleSerializer)
    @schedule.mapping.put
    def set_schedule(self, request, application=None, version=None):
        """HQ sets the schedule (and, if given, the contacts); due reports follow."""
        app = self._project(application)
        serializer = ReportScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with transaction.atomic():
            if "hq_contact" in d or "unit_contact" in d:
                services.set_contacts(
                    app,
                    request.user,
                    hq_contact=services.find_user(d["hq_contact"], Role.HQ_REVIEWER)
                    if "hq_contact" in d
                    else app.hq_contact,
                    unit_contact=services.find_user(d["unit_contact"], Role.PROVINCE_STAFF)
                    if "unit_contact" in d
                    else app.unit_contact,
                )
            services.set_report_schedule(app, request.user, d["frequency"], d["dates"])
        return Response(ReportScheduleSerializer(self._project(application)).data)
