"""Year end: each province's annual summary, and the annual digest HQ compiles from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from provinces.models import scoped
from workflow.machine import apply_transition


class SummaryState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新报送")
    CONFIRMED = "confirmed", _("已确认")


class AnnualSummaryQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnnualSummaryQuerySet:
        return scoped(self, user, "province_id", "plan__")


class AnnualSummary(models.Model):
    """年度工作总结: a province's year-end summary and next year's plan (task 10)."""

    State = SummaryState
    EDITABLE = (State.DRAFT, State.RETURNED)
    AWAITING_REVIEW = (State.SUBMITTED, State.RESUBMITTED)
    SECTIONS = [
        ("policy_planning", _("政策规划编制")),
        ("system_building", _("工作体系建设")),
        ("utilisation", _("利用活动促进")),
        ("intelligence", _("情报服务")),
        ("talent", _("人才队伍建设")),
        ("problems", _("存在的问题")),
        ("improvements", _("改进措施")),
        ("next_year", _("下一年度工作思路、要点和计划")),
    ]

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="summaries")
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="summaries"
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    policy_planning = models.TextField(_("政策规划编制"), blank=True)
    system_building = models.TextField(_("工作体系建设"), blank=True)
    utilisation = models.TextField(_("利用活动促进"), blank=True)
    intelligence = models.TextField(_("情报服务"), blank=True)
    talent = models.TextField(_("人才队伍建设"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    improvements = models.TextField(_("改进措施"), blank=True)
    next_year = models.TextField(_("下一年度工作思路、要点和计划"), blank=True)
    # Figures come from the ledgers at submission, never typed in.
    classes_held = models.PositiveIntegerField(_("举办培训班（期）"), default=0)
    trainees = models.PositiveIntegerField(_("培训人数（人次）"), default=0)
    enterprises_served = models.PositiveIntegerField(_("服务企业（家）"), default=0)
    ledger_entries = models.PositiveIntegerField(_("台账条数"), default=0)
    projects_accepted = models.PositiveIntegerField(_("验收通过项目（个）"), default=0)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AnnualSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度工作总结")
        verbose_name_plural = _("年度工作总结")
        ordering = ["plan", "province__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "province"], name="one_summary_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.province} · {self.plan.year}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:summary", args=[self.plan.year, self.province.code])

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]

    def submit(self, by, *, figures: dict, late: bool) -> None:
        target = (
            self.State.RESUBMITTED if self.state == self.State.RETURNED else self.State.SUBMITTED
        )
        apply_transition(
            self,
            name="submit",
            source=self.EDITABLE,
            target=target,
            actor=by,
            updates={"submitted_at": timezone.now(), "is_late": late, **figures},
        )

    def return_for_revision(self, by, reason: str) -> None:
        apply_transition(
            self,
            name="return",
            source=self.AWAITING_REVIEW,
            target=self.State.RETURNED,
            actor=by,
            reason=reason,
            reason_required=True,
        )

    def confirm(self, by, reason: str = "") -> None:
        apply_transition(
            self,
            name="confirm",
            source=self.AWAITING_REVIEW,
            target=self.State.CONFIRMED,
            actor=by,
            reason=reason,
        )


class DigestBuildQuerySet(models.QuerySet):
    def visible_to(self, user) -> DigestBuildQuerySet:
        if getattr(user, "is_authenticated", False) and user.is_hq:
            return self
        return self.none()


class DigestBuild(models.Model):
    """One generation of 《全国专利信息传播利用YYYY》, with its progress while it runs."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="digests")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="digests/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = DigestBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度汇编")
        verbose_name_plural = _("年度汇编")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"《全国专利信息传播利用{self.plan.year}》 #{self.pk}"


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user) -> BulletinQuerySet:
        """Published bulletins go to every unit; drafts stay with HQ."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_hq:
            return self
        if user.is_province_staff:
            return self.filter(state=Bulletin.State.PUBLISHED)
        return self.none()


class Bulletin(models.Model):
    """工作进展: a progress bulletin HQ composes for a period and publishes to all units."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="bulletins")
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    introduction = models.TextField(_("导语"), blank=True)
    entries = models.ManyToManyField(
        "provinces.LedgerEntry", verbose_name=_("工作台账"), blank=True
    )
    cases = models.ManyToManyField("provinces.Case", verbose_name=_("典型案例"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作进展")
        verbose_name_plural = _("工作进展")
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:bulletin", args=[self.pk])

    def publish(self, by) -> None:
        apply_transition(
            self,
            name="publish",
            source=[self.State.DRAFT],
            target=self.State.PUBLISHED,
            actor=by,
            updates={"published_at": timezone.now()},
        )
