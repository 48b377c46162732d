"""Funded projects: calls, applications, expert reviews, decisions, agreements and acceptance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.visibility import scoped
from planning.models import plan_scoped
from provinces.models import Scoped
from workflow.files import StoredFile
from workflow.machine import TransitionRefused, record_event, step
from workflow.modelparts import by_user, meta
from workflow.review import ConfirmedSubmission, ReviewState


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

    Meta = meta(_("申报通知"), ordering=["-opens_at", "pk"])

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

    Meta = meta(_("评分项"), ordering=["call", "pk"])

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

    # The life of an application, then a project: each transition's name → (from, to).
    STEPS: dict[str, tuple[tuple[str, ...], str]] = {
        "submit": ((ApplicationState.DRAFT,), ApplicationState.SUBMITTED),
        "start_review": ((ApplicationState.SUBMITTED,), ApplicationState.UNDER_REVIEW),
        "approve": (DECIDABLE, ApplicationState.APPROVED),
        "reject": (DECIDABLE, ApplicationState.REJECTED),
        "sign_agreement": ((ApplicationState.APPROVED,), ApplicationState.IN_PROGRESS),
        "request_acceptance": (
            (ApplicationState.IN_PROGRESS, ApplicationState.RECTIFICATION),
            ApplicationState.ACCEPTANCE_REQUESTED,
        ),
        "accept": ((ApplicationState.ACCEPTANCE_REQUESTED,), ApplicationState.ACCEPTED),
        "rectify": ((ApplicationState.ACCEPTANCE_REQUESTED,), ApplicationState.RECTIFICATION),
        "fail": ((ApplicationState.ACCEPTANCE_REQUESTED,), ApplicationState.FAILED),
    }

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
    created_by = by_user()
    hq_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("文献部项目联系人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_projects",
        limit_choices_to={"role": "hq_reviewer"},
    )
    unit_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承担方联系人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "province_staff"},
    )

    objects = ApplicationQuerySet.as_manager()

    Meta = meta(_("项目申报"), ordering=["call", "province__sort_order", "pk"])

    def __str__(self) -> str:
        return f"{self.applicant} · {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("projects:application_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.FAILED, self.State.REJECTED)

    @property
    def is_running(self) -> bool:
        """实施中 or 整改中: it goes on across the year boundary, its year closed or not."""
        return self.state in (self.State.IN_PROGRESS, self.State.RECTIFICATION)

    def check_open(self) -> None:
        """Refuse applying, or changing an application, under a closed plan (read-only
        history); a running project goes on across the year boundary."""
        if not self.is_running:
            self.call.plan.ensure_open()

    # --- transitions (``now``: the moment recorded, by default now) ------------------
    def submit(self, by, *, now: datetime | None = None) -> None:
        step(self, by, "submit", at=now, stamp="submitted_at")

    def start_review(self, by, *, now: datetime | None = None) -> None:
        step(self, by, "start_review", at=now)

    def approve(
        self,
        by,
        *,
        undertaking_unit: str,
        budget_granted: Decimal,
        reason: str = "",
        now: datetime | None = None,
    ) -> None:
        granted = {"undertaking_unit": undertaking_unit, "budget_granted": budget_granted}
        step(self, by, "approve", at=now, reason=reason, stamp="decided_at", updates=granted)

    def reject(self, by, reason: str, *, now: datetime | None = None) -> None:
        step(self, by, "reject", at=now, reason=reason, reason_required=True, stamp="decided_at")

    def start(self, by, *, now: datetime | None = None) -> None:
        step(self, by, "sign_agreement", at=now)

    def request_acceptance(self, by, final_report: str, *, now: datetime | None = None) -> None:
        step(self, by, "request_acceptance", at=now, updates={"final_report": final_report})

    def accept(self, by, reason: str = "", *, now: datetime | None = None) -> None:
        step(self, by, "accept", at=now, reason=reason)

    def require_rectification(self, by, reason: str, due, *, now: datetime | None = None) -> None:
        rectify_by = {"rectification_due": due}
        step(self, by, "rectify", at=now, reason=reason, reason_required=True, updates=rectify_by)

    def fail(self, by, reason: str, *, now: datetime | None = None) -> None:
        step(self, by, "fail", at=now, reason=reason, reason_required=True)


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

    Meta = meta(
        _("评审分配"),
        unique={"one_assignment_per_expert": ("application", "expert")},
    )

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

    Meta = meta(_("项目评审"))

    def __str__(self) -> str:
        return f"{self.assignment} {self.weighted_total}"


class Attachment(StoredFile):
    """A file of an application (申报材料) or of its acceptance request (验收佐证)."""

    upload_dir = "projects"
    owner_field = "application"

    class Purpose(models.TextChoices):
        APPLICATION = "application", _("申报材料")
        ACCEPTANCE = "acceptance", _("验收佐证材料")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)

    Meta = meta(
        _("项目附件"),
        base=StoredFile.Meta,
        ordering=["application", "purpose", "uploaded_at", "pk"],
    )


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
    signed_by = by_user()
    signed_at = models.DateTimeField(_("签订时间"), default=timezone.now)

    Meta = meta(
        _("项目协议"),
        constraints=[
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_period_ordered"
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="agreement_budget_positive"),
        ],
    )

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
    reported_by = by_user(on_delete=models.SET_NULL, blank=True)

    Meta = meta(
        _("协议交付成果"),
        ordering=["application", "due_date", "pk"],
        constraints=[
            models.CheckConstraint(condition=~Q(title=""), name="deliverable_has_title"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="deliverable_percent_max"),
        ],
    )

    def __str__(self) -> str:
        return self.title


# --- reporting to the HQ contact (task 9: 定期总结…及时报文献部相关项目联系人) -------------


class ReportFrequency(models.TextChoices):
    FINAL = "final", _("仅结题报告")
    MONTHLY = "monthly", _("每月报告")
    QUARTERLY = "quarterly", _("每季度报告")
    HALF_YEARLY = "half_yearly", _("每半年报告")
    CUSTOM = "custom", _("指定日期报告")


# months between reports, counted from the agreement's start
FREQUENCY_MONTHS = {
    ReportFrequency.MONTHLY: 1,
    ReportFrequency.QUARTERLY: 3,
    ReportFrequency.HALF_YEARLY: 6,
}


class ReportSchedule(models.Model):
    """报告安排: how often a running project reports to its HQ contact (set by HQ)."""

    Frequency = ReportFrequency

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="report_schedule"
    )
    frequency = models.CharField(_("报告频次"), max_length=20, choices=ReportFrequency.choices)
    set_by = by_user()
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Meta = meta(_("报告安排"))

    def __str__(self) -> str:
        return f"{self.application} · {self.get_frequency_display()}"


class ProjectReportDue(models.Model):
    """One report a project owes its HQ contact, by a date (generated from the schedule)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="report_dues"
    )
    due_date = models.DateField(_("报告期限"))
    period_start = models.DateField(_("报告期起"))
    is_final = models.BooleanField(_("结题报告"), default=False)

    Meta = meta(
        _("应交项目报告"),
        ordering=["application", "due_date", "pk"],
        constraints=[
            models.UniqueConstraint(fields=["application", "due_date"], name="one_due_per_date"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("period_start")), name="report_due_ordered"
            ),
        ],
    )

    def __str__(self) -> str:
        return f"{self.application.applicant} · {self.due_date:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.is_final:
            return _("结题报告（%(d)s 前）") % {"d": f"{self.due_date:%Y-%m-%d}"}
        return _("%(s)s 至 %(d)s 的进展报告") % {
            "s": f"{self.period_start:%Y-%m-%d}",
            "d": f"{self.due_date:%Y-%m-%d}",
        }


class ProjectReport(Scoped, ConfirmedSubmission):
    """项目报告: what a running project did, reported to its HQ contact, who confirms or
    returns it."""

    SET_BY_TRANSITIONS = ConfirmedSubmission.SET_BY_TRANSITIONS | {"selected_for_digest"}
    SECTIONS = [
        ("work_done", _("工作进展")),
        ("results", _("工作成果")),
        ("experience", _("有效经验")),
        ("problems", _("存在的问题")),
        ("next_steps", _("下一步工作")),
    ]
    REQUIRED = ("work_done", "results")
    RUNNING = (
        ApplicationState.IN_PROGRESS,
        ApplicationState.RECTIFICATION,
        ApplicationState.ACCEPTANCE_REQUESTED,
    )

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reports")
    due = models.OneToOneField(
        ProjectReportDue,
        verbose_name=_("报告期"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report",
    )
    work_done = models.TextField(_("工作进展"), blank=True)
    results = models.TextField(_("工作成果"), blank=True)
    experience = models.TextField(_("有效经验"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    next_steps = models.TextField(_("下一步工作"), blank=True)
    deliverables = models.ManyToManyField(
        Deliverable, verbose_name=_("相关交付成果"), blank=True, related_name="reports"
    )
    selected_for_digest = models.BooleanField(_("选入年度汇编"), default=False)
    created_by = by_user()
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Like applications: HQ all, the undertaking province its own; experts none.
    scope = ("application__province_id",)

    Meta = meta(_("项目报告"), ordering=["application", "due__due_date", "pk"])

    def __str__(self) -> str:
        return f"{self.application.applicant} · {self.due.label if self.due_id else _('项目报告')}"

    def get_absolute_url(self) -> str:
        return reverse("projects:report", args=[self.pk])

    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]

    # --- what the lifecycle asks of a project report ---------------------------------
    def unit_id(self) -> int | None:
        return self.application.province_id

    def check_open(self) -> None:
        """A running project reports across the year boundary (its year may be closed)."""
        if not self.application.is_running:
            self.application.call.plan.ensure_open()

    def check_eligible(self, by) -> None:
        super().check_eligible(by)
        if self.application.state not in self.RUNNING:
            raise TransitionRefused(
                _("项目当前状态为“%(s)s”，不能填写或报送项目报告。")
                % {"s": self.application.get_state_display()},
                current_state=self.state,
            )
        if self.due_id and self.due.application_id != self.application_id:
            raise TransitionRefused(_("报告期不属于本项目。"), current_state=self.state)

    def missing_for_submission(self) -> list[str]:
        return [
            str(label)
            for name, label in self.SECTIONS
            if name in self.REQUIRED and not getattr(self, name).strip()
        ]

    def submission_deadline(self) -> date | None:
        return self.due.due_date if self.due_id else None

    def transition_updates(self, transition: str, now) -> dict:
        updates = super().transition_updates(transition, now)
        if transition == "reopen":  # changed again: no longer HQ's choice for the digest
            updates["selected_for_digest"] = False
        return updates

    def select_for_digest(self, by, selected: bool) -> None:
        """HQ's choice for the digest's appendix: confirmed reports only; kept in history."""
        query = ProjectReport.objects.filter(pk=self.pk)
        if selected:
            query = query.filter(state=ReviewState.CONFIRMED)
        with transaction.atomic():
            if not query.update(selected_for_digest=selected):
                raise TransitionRefused(
                    _("只有已确认的项目报告才能选入年度汇编。"), current_state=self.state
                )
            record_event(
                self,
                name="select",
                actor=by,
                reason=str(_("选入年度汇编") if selected else _("不选入年度汇编")),
            )
        self.selected_for_digest = selected


class ProjectReportFile(StoredFile):
    """A file attached to a project report (佐证材料)."""

    upload_dir = "project-reports"
    owner_field = "report"

    report = models.ForeignKey(ProjectReport, on_delete=models.CASCADE, related_name="files")

    Meta = meta(_("项目报告附件"), base=StoredFile.Meta)


class ProjectQuestion(models.Model):
    """A question the undertaking unit puts to the project's HQ contact (in their inbox)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("问题"))
    asked_by = by_user()
    asked_at = models.DateTimeField(_("提问时间"), default=timezone.now)

    Meta = meta(_("项目咨询"), ordering=["-asked_at", "-pk"])

    def __str__(self) -> str:
        return self.text[:40]
