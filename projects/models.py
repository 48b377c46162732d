"""Funded projects: calls, applications, expert reviews, decisions, agreements and acceptance."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.visibility import scoped
from planning.models import plan_scoped
from workflow.files import StoredFile
from workflow.machine import apply_transition


class ProjectType(models.TextChoices):
    KEY_BASE = "key_base", _("基地重点项目")
    BASIC_BASE = "basic_base", _("基地基础项目")
    CULTIVATION = "cultivation", _("省份能力培育")
    ENTERPRISE_PILOT = "enterprise_pilot", _("企业专利信息利用能力建设试点")
    WESTERN_SUPPORT = "western_support", _("西部省区帮扶")
    PUSH_PILOT = "push_pilot", _("筛选及主动推送试点")
    MAKERSPACE_PILOT = "makerspace_pilot", _("助力创新创业试点")
    TALENT = "talent", _("专利信息人才项目")


class CallQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallQuerySet:
        if getattr(user, "is_authenticated", False) and (user.is_hq or user.is_province_staff):
            return plan_scoped(self, user, "plan__")
        return self.none()


class Call(models.Model):
    """申报通知: HQ's call for applications of one project type under a task."""

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="calls")
    task = models.ForeignKey("planning.Task", on_delete=models.PROTECT, related_name="calls")
    project_type = models.CharField(_("项目类型"), max_length=30, choices=ProjectType.choices)
    title = models.CharField(_("标题"), max_length=200)
    opens_at = models.DateTimeField(_("开始申报"))
    closes_at = models.DateTimeField(_("截止申报"))
    reviews_required = models.PositiveSmallIntegerField(
        _("立项所需专家评审数"),
        default=2,
        help_text=_("提交的专家评审少于此数时，立项或不予立项须由专利文献部特批并说明理由。"),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("申报通知")
        verbose_name_plural = _("申报通知")
        ordering = ["-opens_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class Criterion(models.Model):
    """A scoring criterion of a call, with its weight (weights of a call add up to 100)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重"))

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["call", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报")
    UNDER_REVIEW = "under_review", _("评审中")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("未立项")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTANCE_REQUESTED = "acceptance_requested", _("已申请验收")
    RECTIFICATION = "rectification", _("整改中")
    ACCEPTED = "accepted", _("验收通过")
    FAILED = "failed", _("验收不通过")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApplicationQuerySet:
        """HQ all, province staff their own, experts only what they are assigned."""
        if getattr(user, "is_authenticated", False) and user.is_expert:
            return self.filter(expert_assignments__expert=user)
        return scoped(self, user, "province_id")


class Application(models.Model):
    """项目申报, which becomes the project once approved."""

    State = ApplicationState
    DECIDABLE = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)  # 立项 or not
    PROJECTS = (  # approved (立项): the application is now a project
        ApplicationState.APPROVED,
        ApplicationState.IN_PROGRESS,
        ApplicationState.ACCEPTANCE_REQUESTED,
        ApplicationState.RECTIFICATION,
        ApplicationState.ACCEPTED,
        ApplicationState.FAILED,
    )

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.CharField(_("申报单位或个人"), max_length=200)
    partner_agency = models.CharField(_("合作服务机构"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    budget_requested = models.DecimalField(_("申请经费（万元）"), max_digits=10, decimal_places=2)
    plan_text = models.TextField(_("实施方案"))
    state = models.CharField(
        _("状态"), max_length=30, choices=State.choices, default=State.DRAFT, db_index=True
    )
    undertaking_unit = models.CharField(_("项目承担单位"), max_length=200, blank=True)
    budget_granted = models.DecimalField(
        _("资助经费（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    final_report = models.TextField(_("验收报告"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目申报")
        ordering = ["call", "province__sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("projects:application_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.FAILED, self.State.REJECTED)

    # --- transitions -----------------------------------------------------------
    def submit(self, by) -> None:
        apply_transition(
            self,
            name="submit",
            source=[self.State.DRAFT],
            target=self.State.SUBMITTED,
            actor=by,
            updates={"submitted_at": timezone.now()},
        )

    def start_review(self, by) -> None:
        apply_transition(
            self,
            name="start_review",
            source=[self.State.SUBMITTED],
            target=self.State.UNDER_REVIEW,
            actor=by,
        )

    def approve(
        self, by, *, undertaking_unit: str, budget_granted: Decimal, reason: str = ""
    ) -> None:
        apply_transition(
            self,
            name="approve",
            source=self.DECIDABLE,
            target=self.State.APPROVED,
            actor=by,
            reason=reason,
            updates={
                "undertaking_unit": undertaking_unit,
                "budget_granted": budget_granted,
                "decided_at": timezone.now(),
            },
        )

    def reject(self, by, reason: str) -> None:
        apply_transition(
            self,
            name="reject",
            source=self.DECIDABLE,
            target=self.State.REJECTED,
            actor=by,
            reason=reason,
            reason_required=True,
            updates={"decided_at": timezone.now()},
        )

    def start(self, by) -> None:
        apply_transition(
            self,
            name="sign_agreement",
            source=[self.State.APPROVED],
            target=self.State.IN_PROGRESS,
            actor=by,
        )

    def request_acceptance(self, by, final_report: str) -> None:
        apply_transition(
            self,
            name="request_acceptance",
            source=[self.State.IN_PROGRESS, self.State.RECTIFICATION],
            target=self.State.ACCEPTANCE_REQUESTED,
            actor=by,
            updates={"final_report": final_report},
        )

    def accept(self, by, reason: str = "") -> None:
        apply_transition(
            self,
            name="accept",
            source=[self.State.ACCEPTANCE_REQUESTED],
            target=self.State.ACCEPTED,
            actor=by,
            reason=reason,
        )

    def require_rectification(self, by, reason: str, due) -> None:
        apply_transition(
            self,
            name="rectify",
            source=[self.State.ACCEPTANCE_REQUESTED],
            target=self.State.RECTIFICATION,
            actor=by,
            reason=reason,
            reason_required=True,
            updates={"rectification_due": due},
        )

    def fail(self, by, reason: str) -> None:
        apply_transition(
            self,
            name="fail",
            source=[self.State.ACCEPTANCE_REQUESTED],
            target=self.State.FAILED,
            actor=by,
            reason=reason,
            reason_required=True,
        )


class ExpertAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExpertAssignmentQuerySet:
        """An expert their own review assignments; HQ all; nobody else any."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_expert:
            return self.filter(expert=user)
        return self if user.is_hq else self.none()


class ExpertAssignment(models.Model):
    """An expert asked to review one application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="expert_assignments"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    assigned_at = models.DateTimeField(_("分配时间"), default=timezone.now)

    objects = ExpertAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="one_assignment_per_expert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"


class Review(models.Model):
    """项目评审: one expert's scores (0–100 per criterion) and recommendation."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("建议立项")
        REVISE = "revise", _("修改后立项")
        REJECT = "reject", _("不建议立项")

    assignment = models.OneToOneField(
        ExpertAssignment, on_delete=models.CASCADE, related_name="review"
    )
    scores = models.JSONField(_("各项得分"), default=dict)
    weighted_total = models.DecimalField(_("加权总分"), max_digits=5, decimal_places=2)
    recommendation = models.CharField(_("评审意见"), max_length=10, choices=Recommendation.choices)
    comment = models.TextField(_("评语"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("项目评审")
        verbose_name_plural = _("项目评审")

    def __str__(self) -> str:
        return f"{self.assignment} {self.weighted_total}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AttachmentQuerySet:
        """Whoever sees the application sees its files (experts: only those assigned)."""
        return self.filter(application__in=Application.objects.visible_to(user))


class Attachment(StoredFile):
    """A file of an application (申报材料) or of its acceptance request (验收佐证)."""

    upload_dir = "projects"

    class Purpose(models.TextChoices):
        APPLICATION = "application", _("申报材料")
        ACCEPTANCE = "acceptance", _("验收佐证材料")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)

    objects = AttachmentQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("项目附件")
        verbose_name_plural = _("项目附件")
        ordering = ["application", "purpose", "uploaded_at", "pk"]


class Agreement(models.Model):
    """项目协议: what HQ and the undertaking unit sign once a project is approved."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="agreement"
    )
    number = models.CharField(_("协议编号"), max_length=50, unique=True)
    budget = models.DecimalField(_("协议经费（万元）"), max_digits=10, decimal_places=2)
    starts_on = models.DateField(_("实施开始"))
    ends_on = models.DateField(_("实施结束"))
    terms = models.TextField(_("主要条款"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("签订时间"), default=timezone.now)

    class Meta:
        verbose_name = _("项目协议")
        verbose_name_plural = _("项目协议")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_period_ordered"
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="agreement_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class Deliverable(models.Model):
    """A deliverable of an approved project's agreement (协议), with its due date."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="deliverables"
    )
    title = models.CharField(_("交付成果"), max_length=200)
    due_date = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    progress_note = models.TextField(_("进展情况"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("协议交付成果")
        verbose_name_plural = _("协议交付成果")
        ordering = ["application", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="deliverable_has_title"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="deliverable_percent_max"),
        ]

    def __str__(self) -> str:
        return self.title
