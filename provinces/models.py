"""The 32 executing units and what they report: assignments, registrations, ledgers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.visibility import scoped as unit_scoped
from planning.models import BaseLevel, Deadline, plan_scoped
from workflow.files import StoredFile
from workflow.machine import TransitionRefused, record_event
from workflow.review import ReviewedSubmission, ReviewState
from workflow.validation import check_plan_window, count_bound, normalise_phone, text_bound


def scoped(
    qs: models.QuerySet, user, province_path: str, plan_path: str | None = None
) -> models.QuerySet:
    """Both halves of the one visibility rule: the unit half (``accounts.visibility.scoped``:
    HQ sees all, staff their province, others nothing) and, with ``plan_path`` (for example
    ``"task__plan__"``), the plan half: nothing under a draft plan is seen by a unit
    (``planning.models.plan_scoped``)."""
    qs = unit_scoped(qs, user, province_path)
    return plan_scoped(qs, user, plan_path) if plan_path is not None else qs


class ScopedQuerySet(models.QuerySet):
    """``visible_to`` by ``scoped()`` along the paths the model names:
    ``scope = (province_path, plan_path)``, or ``(province_path,)`` for the unit half only.
    A model with a rule of its own (published cases, experts) writes its own ``visible_to``."""

    def visible_to(self, user) -> ScopedQuerySet:
        return scoped(self, user, *self.model.scope)


class Region(models.TextChoices):
    NORTH = "north", _("华北")
    NORTHEAST = "northeast", _("东北")
    EAST = "east", _("华东")
    CENTRAL = "central", _("华中")
    SOUTH = "south", _("华南")
    SOUTHWEST = "southwest", _("西南")
    NORTHWEST = "northwest", _("西北")


class Province(models.Model):
    """执行单位: a provincial-level IP office (31 provinces plus XPCC)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("全称"), max_length=40, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, unique=True)
    region = models.CharField(_("地区"), max_length=20, choices=Region.choices)
    western = models.BooleanField(_("西部省区"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope = ("pk",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执行单位")
        verbose_name_plural = _("执行单位")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("provinces:province_detail", args=[self.code])


class PlanUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanUnitQuerySet:
        """Roles are part of the plan: whoever sees the plan sees every unit's role in it."""
        return plan_scoped(self, user, "plan__")

    def bases(self, plan) -> dict[str, str]:
        """Province code → base level (``key``/``basic``) of the bases in one plan."""
        return dict(
            self.filter(plan=plan)
            .exclude(base_level="")
            .values_list("province__code", "base_level")
        )


class PlanUnit(models.Model):
    """A unit's role in one plan year: whether it hosts a base that year, and at which level.

    The designation belongs to the year (the bases change between notices), so changing
    2019's roles never touches 2018's.
    """

    plan = models.ForeignKey("planning.Plan", on_delete=models.CASCADE, related_name="units")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="plan_roles")
    base_level = models.CharField(
        _("传播利用基地"),
        max_length=10,
        choices=BaseLevel.choices,
        blank=True,
        help_text=_("该年度承担重点项目或基础项目的基地省市；非基地留空"),
    )

    objects = PlanUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度执行单位角色")
        verbose_name_plural = _("年度执行单位角色")
        ordering = ["plan", "province__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "province"], name="one_role_per_unit_and_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.province} {self.get_base_level_display() or '—'}"


class Assignment(models.Model):
    """任务承担: one province executing one task (in one track)."""

    class Kind(models.TextChoices):
        MANDATORY = "mandatory", _("承担")
        VOLUNTARY = "voluntary", _("自愿开展")

    task = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="assignments")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="assignments")
    track = models.ForeignKey(
        "planning.Track",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    kind = models.CharField(_("承担方式"), max_length=10, choices=Kind.choices)
    taken_up = models.BooleanField(
        _("已开展"), default=True, help_text=_("自愿开展的任务，省局确认开展后为是")
    )

    scope = ("province_id", "task__plan__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务承担")
        verbose_name_plural = _("任务承担")
        ordering = ["task__number", "province__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "province"], name="one_assignment_per_task")
        ]

    def __str__(self) -> str:
        return f"{self.province} · {self.task}"

    @property
    def is_mandatory(self) -> bool:
        return self.kind == self.Kind.MANDATORY


class Registration(ReviewedSubmission):
    """任务分解报送: what a province reports for one assignment by the deadline."""

    SET_BY_TRANSITIONS = ReviewedSubmission.SET_BY_TRANSITIONS | {"confirmed_at"}

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="registration"
    )
    work_content = models.TextField(_("工作内容"), blank=True)
    expected_results = models.TextField(_("预期成果"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("assignment__province_id", "assignment__task__plan__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务分解报送")
        verbose_name_plural = _("任务分解报送")
        ordering = ["assignment__task__number", "assignment__province__sort_order"]

    def __str__(self) -> str:
        return str(self.assignment)

    # --- what the lifecycle asks of a registration ----------------------------------
    def unit_id(self) -> int | None:
        return self.assignment.province_id

    def check_eligible(self, by) -> None:
        super().check_eligible(by)
        if not self.assignment.taken_up:
            raise TransitionRefused(
                _("该任务为自愿开展的任务，请先确认开展，再填写任务分解报送。"),
                current_state=self.state,
            )

    def missing_for_submission(self) -> list[str]:
        missing = [
            str(label)
            for name, label in (
                ("work_content", _("工作内容")),
                ("expected_results", _("预期成果")),
            )
            if not getattr(self, name).strip()
        ]
        roles = set(self.contacts.values_list("role", flat=True))
        missing += [str(label) for role, label in Contact.Role.choices if role not in roles]
        if not self.milestones.exists():
            missing.append(str(_("进度安排")))
        return missing

    def submission_deadline(self) -> date | None:
        return (
            Deadline.objects.filter(
                plan_id=self.assignment.task.plan_id, kind=Deadline.Kind.REGISTRATION
            )
            .values_list("due_date", flat=True)
            .first()
        )

    def transition_updates(self, transition: str, now: datetime) -> dict[str, Any]:
        if transition == "confirm":
            return {"confirmed_at": now}
        if transition == "reopen":
            return {"confirmed_at": None}
        return {}


EMAIL_INVALID = _("邮箱格式不正确。")


class Contact(models.Model):
    """负责人 / 联系人 of a registration: the phone is normalised, the e-mail checked."""

    class Role(models.TextChoices):
        RESPONSIBLE = "responsible", _("处级具体负责人")
        LIAISON = "liaison", _("工作联系人")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=40)
    email = models.EmailField(_("邮箱"), error_messages={"invalid": EMAIL_INVALID})

    scope = ("registration__assignment__province_id",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["registration", "role"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "role"], name="one_contact_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    def clean(self) -> None:
        if self.phone:
            try:
                self.phone = normalise_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc


class Milestone(models.Model):
    """进度安排: a dated step of an assignment's schedule."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="milestones"
    )
    due_date = models.DateField(_("计划完成日期"))
    description = models.CharField(_("工作安排"), max_length=300)
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    scope = ("registration__assignment__province_id",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("进度安排")
        verbose_name_plural = _("进度安排")
        ordering = ["registration", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.due_date:%Y-%m-%d} {self.description}"

    def clean(self) -> None:
        """Dates within the plan's window; done no more than a year early, and not in the future."""
        check_plan_window(self.due_date, self.registration.assignment.task.plan.year, "due_date")
        if self.done_on:
            self.check_done_on(self.done_on)

    def check_done_on(self, done_on: date) -> None:
        today = timezone.localdate()
        if done_on > today:
            raise ValidationError(
                {
                    "done_on": _("完成日期不能晚于今天（%(today)s）。")
                    % {"today": f"{today:%Y-%m-%d}"}
                }
            )
        # Counted in days: due_date.replace(year=…) fails for a leap day (and for year 1).
        if self.due_date and (self.due_date - done_on).days > 365:
            raise ValidationError({"done_on": _("实际完成日期早于计划完成日期一年以上，请检查。")})

    def status(self, today: date | None = None) -> str:
        """not_due, due_soon (within 7 days), overdue or done."""
        today = today or timezone.localdate()
        if self.done_on:
            return "done"
        if self.due_date < today:
            return "overdue"
        if (self.due_date - today).days <= 7:
            return "due_soon"
        return "not_due"


class LedgerEntry(models.Model):
    """工作台账: a dated record of work done for an assignment."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("培训班")
        ENTERPRISE_SERVICE = "enterprise_service", _("企业服务")
        PUBLICITY = "publicity", _("宣传推广")
        ASSOCIATION = "association", _("行业协会合作")
        CONSULTATION = "consultation", _("咨询服务")
        OTHER = "other", _("其他")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    date = models.DateField(_("日期"), db_index=True)
    kind = models.CharField(_("活动类型"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("工作内容"), validators=[text_bound()])
    responsible_person = models.CharField(_("责任人"), max_length=50)
    classes_held = models.PositiveIntegerField(
        _("举办培训班（期）"), default=0, validators=[count_bound()]
    )
    trainees = models.PositiveIntegerField(
        _("培训人数（人次）"), default=0, validators=[count_bound()]
    )
    enterprises_served = models.PositiveIntegerField(
        _("服务企业（家）"), default=0, validators=[count_bound()]
    )
    entities = models.ManyToManyField(
        "provinces.NetworkEntity",
        verbose_name=_("涉及的服务网络"),
        blank=True,
        related_name="ledger_entries",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = ("assignment__province_id", "assignment__task__plan__")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作台账")
        verbose_name_plural = _("工作台账")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["assignment", "-date"]),
            # the ledger page's newest-first order, for HQ across all units
            models.Index(fields=["-date", "-id"], name="ledger_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        """The bounds are the fields' validators; the date falls within the plan's window."""
        if self.assignment_id:
            check_plan_window(self.date, self.assignment.task.plan.year, "date")


class Evidence(StoredFile):
    """佐证材料: a file attached to a ledger entry."""

    upload_dir = "evidence"

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="evidence")

    scope = ("entry__assignment__province_id",)
    objects = ScopedQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """A unit's own cases, and every unit's cases HQ confirmed and published (选用发布)."""
        own = scoped(self, user, "province_id", "plan__")
        if getattr(user, "is_authenticated", False) and user.is_active and user.is_province_staff:
            return own | self.published()
        return own

    def published(self) -> CaseQuerySet:
        return self.filter(selected_for_publication=True, state=ReviewState.CONFIRMED)

    def own(self, user) -> CaseQuerySet:
        """What a unit may change: its own cases only, published or not."""
        return scoped(self, user, "province_id")


class Case(ReviewedSubmission):
    """典型案例: a typical case or stage result a province submits."""

    SET_BY_TRANSITIONS = ReviewedSubmission.SET_BY_TRANSITIONS | {
        "selected_for_digest",
        "selected_for_publication",
    }

    class Kind(models.TextChoices):
        TYPICAL_CASE = "typical_case", _("典型案例")
        STAGE_RESULT = "stage_result", _("阶段性成果")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cases")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(
        _("类型"), max_length=20, choices=Kind.choices, default=Kind.TYPICAL_CASE
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"))
    body = models.TextField(_("正文"), blank=True)
    selected_for_publication = models.BooleanField(_("选用发布"), default=False)
    selected_for_digest = models.BooleanField(_("选入年度汇编"), default=False)
    entities = models.ManyToManyField(
        "provinces.NetworkEntity",
        verbose_name=_("涉及的服务网络"),
        blank=True,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    # --- what the lifecycle asks of a case -------------------------------------------
    def unit_id(self) -> int | None:
        return self.province_id

    def check_eligible(self, by) -> None:
        super().check_eligible(by)
        if self.assignment_id and (
            self.assignment.province_id != self.province_id or not self.assignment.taken_up
        ):
            raise TransitionRefused(
                _("案例所属的任务不是本单位已开展的任务。"), current_state=self.state
            )

    def submission_deadline(self) -> date | None:
        return (
            Deadline.objects.filter(plan_id=self.plan_id, kind=Deadline.Kind.OUTCOMES)
            .values_list("due_date", flat=True)
            .first()
        )

    def transition_updates(self, transition: str, now: datetime) -> dict[str, Any]:
        if transition == "reopen":  # a case being changed again is no longer HQ's choice
            return {"selected_for_digest": False, "selected_for_publication": False}
        return {}

    def select(self, by, *, digest: bool, publication: bool) -> None:
        """HQ's choice for the annual digest and for publication: confirmed cases only.

        Conditional on the confirmed state in the database, and kept in the history.
        """
        query = Case.objects.filter(pk=self.pk)
        if digest or publication:
            query = query.filter(state=self.State.CONFIRMED)
        with transaction.atomic():
            if not query.update(selected_for_digest=digest, selected_for_publication=publication):
                raise TransitionRefused(
                    _("只有已确认的案例才能选入年度汇编或选用发布。"), current_state=self.state
                )
            choice = {
                (True, True): _("选入年度汇编，并选用发布"),
                (True, False): _("选入年度汇编"),
                (False, True): _("选用发布"),
                (False, False): _("不选用"),
            }[(bool(digest), bool(publication))]
            record_event(self, name="select", actor=by, reason=str(choice))
        self.selected_for_digest, self.selected_for_publication = digest, publication


class CaseEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseEvidenceQuerySet:
        """Evidence follows its case: a published case's evidence is published with it."""
        return self.filter(case__in=Case.objects.visible_to(user))


class CaseEvidence(StoredFile):
    """佐证材料 of a typical case."""

    upload_dir = "evidence"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")

    objects = CaseEvidenceQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("案例佐证材料")
        verbose_name_plural = _("案例佐证材料")


class DeadlineReport(models.Model):
    """A unit's 报送 against a deadline HQ added (e.g. a quarterly progress report)."""

    deadline = models.ForeignKey(
        "planning.Deadline", on_delete=models.CASCADE, related_name="reports"
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="deadline_reports"
    )
    note = models.TextField(_("报送说明"))
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("节点报送")
        verbose_name_plural = _("节点报送")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "province"], name="one_report_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.province} · {self.deadline}"


# The service network and training classes live in their own module (models of this app).
from .network import (  # noqa: E402, F401
    NetworkEntity,
    TrainingAttendee,
    TrainingClass,
    TrainingMaterial,
)
