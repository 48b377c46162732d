import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.access import ALL, HQ, STAFF
from config.api import (
    BooleanFilter,
    CountedPagination,
    FilterSet,
    IntegerFilter,
    ReadOnlyViewSet,
    ReopenAction,
    SubmissionViewSet,
    VisibleModelViewSet,
    object_action,
    submission_roles,
    year_filter,
)
from planning.working import WorkingPlanList, working_plan
from workflow.files import attach

from . import services
from .board import build_board
from .filters import CaseFilter, LedgerEntryFilter
from .models import (
    Assignment,
    Case,
    Contact,
    Evidence,
    LedgerEntry,
    NetworkEntity,
    Notice,
    NoticeReceipt,
    NoticeReply,
    Province,
    Registration,
    TaskReport,
    TaskReportDefinition,
    TrainingClass,
)
from .serializers import (
    AssignmentSerializer,
    BoardQuerySerializer,
    BoardSerializer,
    CaseSelectionSerializer,
    CaseSerializer,
    DirectoryContactSerializer,
    EvidenceUploadSerializer,
    LedgerEntrySerializer,
    MilestoneDoneSerializer,
    NetworkEntitySerializer,
    NoticeReplySerializer,
    NoticeReplyWriteSerializer,
    NoticeSerializer,
    ProvinceSerializer,
    RegistrationSerializer,
    TaskReportDefinitionSerializer,
    TaskReportSerializer,
    TrainingClassSerializer,
)


class ProvinceFilter(FilterSet):
    class Meta:
        model = Province
        fields = ["region", "western"]


class ProvinceViewSet(ReadOnlyViewSet):
    """Executing units (执行单位): HQ sees all 32, province staff their own."""

    base_queryset = Province.objects
    serializer_class = ProvinceSerializer
    roles = {"list": ALL, "retrieve": ALL}
    lookup_field = "code"
    filterset_class = ProvinceFilter
    ordering_fields = ["code", "sort_order"]


class AssignmentFilter(FilterSet):
    year = year_filter("task__plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")
    track = django_filters.CharFilter(field_name="track__code")

    class Meta:
        model = Assignment
        fields = ["year", "task", "province", "track", "kind", "taken_up"]


class AssignmentViewSet(WorkingPlanList, ReadOnlyViewSet):
    """Assignments (任务承担): which unit executes which task."""

    base_queryset = Assignment.objects
    plan_path = "task__plan"
    serializer_class = AssignmentSerializer
    roles = {"list": ALL, "retrieve": ALL}
    filterset_class = AssignmentFilter
    ordering_fields = ["task__number", "province__sort_order"]

    def optimise(self, qs):
        # Only the columns the serializer shows: not the plan's and the task's long texts.
        return (
            qs.select_related("task__plan", "province", "track")
            .only(
                "kind",
                "taken_up",
                "task__number",
                "task__title",
                "task__plan__year",
                "province__code",
                "province__short_name",
                "track__code",
            )
            .order_by("task__plan__year", "task__number", "province__sort_order")
        )


class RegistrationFilter(FilterSet):
    year = year_filter("assignment__task__plan__year")
    task = IntegerFilter(field_name="assignment__task__number", min_value=1)
    province = django_filters.CharFilter(field_name="assignment__province__code")
    submitted_after = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte")
    submitted_before = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte")

    class Meta:
        model = Registration
        fields = ["year", "task", "province", "state", "is_late"]


class RegistrationViewSet(WorkingPlanList, ReopenAction, SubmissionViewSet):
    """Registrations (任务分解报送) with contacts and milestones; transitions as actions."""

    base_queryset = Registration.objects
    review_steps = {
        "submit": services.submit_registration,
        "return_for_revision": services.return_registration,
        "confirm": services.confirm_registration,
        "reopen": services.reopen_registration,
    }
    plan_path = "assignment__task__plan"
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    ordering_fields = ["submitted_at", "assignment__task__number"]
    roles = {**submission_roles(read=ALL), "milestone_done": STAFF, "reopen": HQ}
    # a draft is saved through save_draft, which refuses a submission
    refusable = SubmissionViewSet.refusable | {"milestone_done", "reopen"}

    def optimise(self, qs):
        qs = (
            qs.select_related("assignment__task__plan", "assignment__province")
            .prefetch_related("contacts", "milestones")
            .order_by("assignment__task__plan__year", "assignment__task__number", "pk")
        )
        if self.action == "list":  # read only: the serializer's columns, no long plan texts
            qs = qs.only(
                "assignment",
                "state",
                "work_content",
                "expected_results",
                "submitted_at",
                "is_late",
                "confirmed_at",
                "assignment__task__number",
                "assignment__task__plan__year",
                "assignment__province__code",
            )
        return qs

    @extend_schema(request=MilestoneDoneSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"], url_path="milestone-done")
    def milestone_done(self, request, pk=None, version=None):
        """Mark one schedule step done, in any state of the registration (staff only)."""
        registration = self.get_object()
        serializer = MilestoneDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = registration.milestones.filter(
            pk=serializer.validated_data["milestone"]
        ).first()
        if milestone is None:
            raise NotFound(_("该报送中没有这一进度安排。"))
        try:
            services.complete_milestone(
                milestone, request.user, serializer.validated_data.get("done_on")
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(self.get_serializer(self.get_object()).data)


class ContactFilter(FilterSet):
    year = year_filter("registration__assignment__task__plan__year")
    task = IntegerFilter(field_name="registration__assignment__task__number", min_value=1)
    province = django_filters.CharFilter(field_name="registration__assignment__province__code")

    class Meta:
        model = Contact
        fields = ["year", "task", "province", "role"]


class ContactViewSet(WorkingPlanList, mixins.ListModelMixin, VisibleModelViewSet):
    """The contact directory (通讯录): HQ the whole country, a unit its own contacts."""

    base_queryset = Contact.objects
    plan_path = "registration__assignment__task__plan"
    serializer_class = DirectoryContactSerializer
    filterset_class = ContactFilter
    roles = {"list": ALL}

    def optimise(self, qs):
        return qs.select_related(
            "registration__assignment__province", "registration__assignment__task__plan"
        ).order_by(
            "registration__assignment__province__sort_order",
            "registration__assignment__task__number",
            "role",
            "pk",
        )


class LedgerEntryViewSet(WorkingPlanList, viewsets.ModelViewSet, VisibleModelViewSet):
    """Work ledger entries (工作台账): staff write their own province's, HQ reads all."""

    base_queryset = LedgerEntry.objects
    plan_path = "assignment__task__plan"
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    ordering_fields = ["date"]
    roles = {
        "list": ALL,
        "retrieve": ALL,
        **dict.fromkeys(["create", "update", "partial_update", "destroy", "evidence"], STAFF),
    }
    pagination_class = CountedPagination

    def known_count(self, queryset) -> int | None:
        """The list's total from the kept per-assignment summaries when the filter chooses
        whole assignments (none counts 2,000,000 rows); None when it narrows within them."""
        filters = LedgerEntryFilter(self.request.query_params, queryset=queryset)
        summaries = filters.summaries(self.request)
        return summaries.totals()["entries"] if summaries is not None else None

    def get_queryset(self):
        return VisibleModelViewSet.get_queryset(self)

    def optimise(self, qs):
        qs = qs.select_related("assignment__task__plan", "assignment__province")
        if self.action == "list":  # what a row shows: the plan's notice text stays behind
            qs = qs.only(
                *(f.name for f in LedgerEntry._meta.concrete_fields),
                "assignment__province__code",
                "assignment__task__number",
                "assignment__task__plan__year",
            )
            return qs.order_by("-date", "-pk")  # evidence and entities: paginate_queryset
        return qs.prefetch_related("evidence", "entities").order_by("-date", "-pk")

    def paginate_queryset(self, queryset):
        """The page, with its evidence and network entities read in one query each (as
        plain values: no related manager per row)."""
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        pks = [e.pk for e in page]
        files: dict[int, list] = {pk: [] for pk in pks}
        for entry_id, *file in (
            Evidence.objects.filter(entry__in=pks)
            .order_by("pk")
            .values_list("entry_id", "pk", "original_name", "size")
        ):
            files[entry_id].append(file)
        entities: dict[int, list] = {pk: [] for pk in pks}
        for entry_id, entity_id in (
            LedgerEntry.entities.through.objects.filter(ledgerentry__in=pks)
            .order_by("networkentity_id")
            .values_list("ledgerentry_id", "networkentity_id")
        ):
            entities[entry_id].append(entity_id)
        for entry in page:
            entry.evidence_files, entry.entity_ids = files[entry.pk], entities[entry.pk]
        return page

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    def perform_update(self, serializer):
        serializer.save()

    def perform_destroy(self, instance):
        instance.delete()  # its evidence rows go with it; their files once that is committed

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: LedgerEntrySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser],
        url_path="evidence",
    )
    def evidence(self, request, pk=None, version=None):
        """Attach evidence files (PDF, Word, Excel, JPEG, PNG; checked by content; 20 MB).

        One bad file stores none, and the answer lists every problem (400).
        """
        entry = self.get_object()
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attach(Evidence, serializer.validated_data["files"], request.user, entry=entry)
        except DjangoValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data, status=201)


class CaseViewSet(WorkingPlanList, SubmissionViewSet):
    """Typical cases (典型案例): a unit writes and submits its own; HQ returns, confirms
    and selects; every unit reads the cases HQ published."""

    base_queryset = Case.objects  # its review steps are the model's transitions
    plan_path = "plan"
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["created_at", "submitted_at"]
    roles = {**submission_roles(read=STAFF | HQ), "select": HQ}
    refusable = SubmissionViewSet.refusable | {"select"}
    OWN = frozenset({"update", "partial_update", "submit"})  # a unit changes only its own

    def get_queryset(self):
        if self.action in self.OWN:  # another unit's published case answers 404 here
            return self.optimise(Case.objects.own(self.request.user))
        return super().get_queryset()

    def optimise(self, qs):
        return qs.select_related("plan", "province", "assignment__task").order_by(
            "-created_at", "-pk"
        )

    select = object_action(
        "select",
        Case.select,
        CaseSelectionSerializer,
        responses=CaseSerializer,
        doc="HQ's choice for the annual digest and for publication (confirmed cases only).",
    )


class BoardViewSet(viewsets.GenericViewSet):
    """HQ's board (进度看板) of a plan: per unit × task the light, and the completeness and
    on-time rates of each unit, each task and the whole; ``build_board`` as the page uses."""

    serializer_class = BoardSerializer
    roles = {"list": HQ}
    pagination_class = None

    def get_queryset(self):  # the board's rows: the units the user sees
        return Province.objects.visible_to(self.request.user)

    @extend_schema(parameters=[BoardQuerySerializer], responses=BoardSerializer)
    def list(self, request, version=None):
        BoardQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        plan = working_plan(request)  # ?year= a plan HQ may see, else the default (404)
        if plan is None:
            raise NotFound
        data = BoardSerializer.of(build_board(plan, request.user))
        return Response(BoardSerializer(data).data)


# --- the service network and training classes ------------------------------------------


class UnitRecordViewSet(WorkingPlanList, viewsets.ModelViewSet, VisibleModelViewSet):
    """Rows a unit keeps in a plan year (its service network, its training classes): anyone
    who sees a row reads it; a unit changes and deletes only its own (``own``; another's
    answers 404); a closed year refuses every change (409)."""

    plan_path = "plan"
    refusable = frozenset({"create", "update", "partial_update", "destroy"})
    OWN = frozenset({"update", "partial_update", "destroy"})

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action in self.OWN:
            return qs.filter(pk__in=self.base_queryset.own(self.request.user).values("pk"))
        return qs

    def perform_destroy(self, instance):
        instance.plan.ensure_open()
        instance.delete()


class NetworkEntityFilter(FilterSet):
    year = year_filter("plan__year")
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = NetworkEntity
        fields = ["year", "province", "kind", "subkind", "level", "state"]


class NetworkEntityViewSet(UnitRecordViewSet):
    """The service network (服务网络): every unit keeps its own entities, HQ reads them all.
    A list shows one plan year (``?year=``, else the working plan)."""

    base_queryset = NetworkEntity.objects
    serializer_class = NetworkEntitySerializer
    filterset_class = NetworkEntityFilter
    ordering_fields = ["name", "kind"]
    roles = {
        "list": ALL,
        "retrieve": ALL,
        **dict.fromkeys(["create", "update", "partial_update", "destroy"], STAFF),
    }

    def optimise(self, qs):
        return qs.select_related("plan", "province").order_by(
            "plan__year", "province__sort_order", "kind", "name", "pk"
        )


class TrainingClassFilter(FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")
    by_hq = BooleanFilter(field_name="province", lookup_expr="isnull")

    class Meta:
        model = TrainingClass
        fields = ["year", "task", "province", "by_hq"]


class TrainingClassViewSet(UnitRecordViewSet):
    """Training classes (培训班): a unit's own and HQ's. Staff write their unit's classes,
    HQ the classes HQ organised; targets such as 至少2期 count these rows."""

    base_queryset = TrainingClass.objects
    serializer_class = TrainingClassSerializer
    filterset_class = TrainingClassFilter
    ordering_fields = ["start_date"]
    roles = {
        "list": ALL,
        "retrieve": ALL,
        **dict.fromkeys(["create", "update", "partial_update", "destroy"], STAFF | HQ),
    }

    def optimise(self, qs):
        return (
            qs.select_related("plan", "province", "task")
            .annotate(roster_size=Count("roster"))
            .prefetch_related("materials")
            .order_by("-start_date", "-pk")
        )

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class TaskReportDefinitionFilter(FilterSet):
    year = year_filter("task__plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)

    class Meta:
        model = TaskReportDefinition
        fields = ["year", "task"]


class TaskReportDefinitionViewSet(WorkingPlanList, ReadOnlyViewSet):
    """Task reports HQ defined (专项报送): their fields and due dates; HQ defines them on
    the pages."""

    base_queryset = TaskReportDefinition.objects
    plan_path = "task__plan"
    serializer_class = TaskReportDefinitionSerializer
    filterset_class = TaskReportDefinitionFilter
    roles = {"list": STAFF | HQ, "retrieve": STAFF | HQ}

    def optimise(self, qs):
        return (
            qs.select_related("task__plan")
            .prefetch_related("fields")
            .order_by("task__plan__year", "due_date", "pk")
        )


class TaskReportFilter(FilterSet):
    year = year_filter("definition__task__plan__year")
    task = IntegerFilter(field_name="definition__task__number", min_value=1)
    definition = IntegerFilter(field_name="definition_id", min_value=1)
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = TaskReport
        fields = ["year", "task", "definition", "province", "state", "is_late"]


class TaskReportViewSet(WorkingPlanList, SubmissionViewSet):
    """Units' task reports: staff write and submit their own; HQ returns or confirms."""

    base_queryset = TaskReport.objects
    review_steps = {
        "submit": services.submit_task_report,
        "return_for_revision": services.return_task_report,
        "confirm": services.confirm_task_report,
    }
    plan_path = "definition__task__plan"
    serializer_class = TaskReportSerializer
    filterset_class = TaskReportFilter
    roles = submission_roles(read=STAFF | HQ)

    def optimise(self, qs):
        return (
            qs.select_related("definition__task__plan", "province")
            .prefetch_related("entities")
            .order_by(
                "definition__task__plan__year",
                "definition__due_date",
                "province__sort_order",
                "pk",
            )
        )


class NoticeFilter(FilterSet):
    year = year_filter("plan__year")
    task = IntegerFilter(field_name="task__number", min_value=1)

    class Meta:
        model = Notice
        fields = ["year", "task", "state", "audience"]


class NoticeViewSet(
    WorkingPlanList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VisibleModelViewSet,
):
    """Follow-up notices (另行通知): HQ writes and sends; the addressed units read and reply.

    Reading a notice here does not count as reading it: ``read`` records the unit's read
    receipt, as opening the page does."""

    base_queryset = Notice.objects
    plan_path = "plan"
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    http_method_names = ["get", "post", "head", "options"]
    roles = {
        "list": STAFF | HQ,
        "retrieve": STAFF | HQ,
        **dict.fromkeys(["create", "send", "chase"], HQ),
        **dict.fromkeys(["read", "reply"], STAFF),
    }
    refusable = frozenset({"send", "chase", "reply"})
    reread = True

    def optimise(self, qs):
        return (
            qs.select_related("plan", "task")
            .prefetch_related(
                "units",
                "attachments",
                Prefetch("receipts", NoticeReceipt.objects.select_related("province", "read_by")),
                Prefetch(
                    "replies",
                    NoticeReply.objects.select_related("province").prefetch_related("files"),
                ),
            )
            .order_by("-plan__year", "-sent_at", "-pk")
        )

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    send = object_action("send", services.send_notice, responses=NoticeSerializer)
    read = object_action("read", services.mark_notice_read, responses=NoticeSerializer)
    # ChasedToday (409) once a day per unit
    chase = object_action("chase", services.chase_unread, responses=NoticeSerializer)

    @extend_schema(request=NoticeReplyWriteSerializer, responses=NoticeReplySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None, version=None):
        notice = self.get_object()
        serializer = NoticeReplyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reply = services.reply_to_notice(notice, request.user, serializer.validated_data["text"])
        return Response(NoticeReplySerializer(reply).data)
