"""Year end: each province's annual summary, and the annual digest HQ compiles from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from planning.models import Deadline, chinese_numeral
from projects.models import Application
from provinces.ledger import TRAINING_FIGURES, training_figures
from provinces.models import (
    LedgerSummary,
    NetworkEntity,
    Scoped,
    TaskReport,
    TrainingClass,
    per_unit,
)
from workflow.jobs import Job
from workflow.machine import step
from workflow.modelparts import by_user, meta
from workflow.review import ReviewedSubmission


class AnnualSummary(Scoped, ReviewedSubmission):
    """年度工作总结: a province's year-end summary and next year's plan (task 10)."""

    # Figures come from the ledgers at submission, never typed in.
    FIGURES = (
        "classes_held",
        "trainees",
        "enterprises_served",
        "ledger_entries",
        "projects_accepted",
    )
    SET_BY_TRANSITIONS = ReviewedSubmission.SET_BY_TRANSITIONS | set(FIGURES)
    SECTIONS = [
        ("policy_planning", _("政策规划编制")),
        ("system_building", _("工作体系建设")),
        ("utilisation", _("利用活动促进")),
        ("intelligence", _("情报服务")),
        ("talent", _("人才队伍建设")),
        ("problems", _("存在的问题")),
        ("improvements", _("改进措施")),
        ("next_year_ideas", _("下一年度工作思路")),
        ("next_year_key_points", _("下一年度工作要点")),
    ]

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="summaries")
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="summaries"
    )
    policy_planning = models.TextField(_("政策规划编制"), blank=True)
    system_building = models.TextField(_("工作体系建设"), blank=True)
    utilisation = models.TextField(_("利用活动促进"), blank=True)
    intelligence = models.TextField(_("情报服务"), blank=True)
    talent = models.TextField(_("人才队伍建设"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    improvements = models.TextField(_("改进措施"), blank=True)
    next_year_ideas = models.TextField(_("下一年度工作思路"), blank=True)
    next_year_key_points = models.TextField(_("下一年度工作要点"), blank=True)
    classes_held = models.PositiveIntegerField(_("举办培训班（期）"), default=0)
    trainees = models.PositiveIntegerField(_("培训人数（人次）"), default=0)
    enterprises_served = models.PositiveIntegerField(_("服务企业（家）"), default=0)
    ledger_entries = models.PositiveIntegerField(_("台账条数"), default=0)
    projects_accepted = models.PositiveIntegerField(_("验收通过项目（个）"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("province_id", "plan__")

    Meta = per_unit(_("年度工作总结"), "plan", "one_summary_per_year")

    def __str__(self) -> str:
        return f"{self.province} · {self.plan.year}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:summary", args=[self.plan.year, self.province.code])

    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]

    def ledger_figures(self) -> dict[str, int]:
        """The figures a summary shows, from the province's ledgers of that year; classes
        and trainees from its training classes (``provinces.ledger.training_figures``)."""
        kept = LedgerSummary.objects.filter(
            assignment__province=self.province_id, assignment__task__plan=self.plan_id
        ).totals()  # the kept per-assignment summaries, not every entry
        figures = {
            "ledger_entries": kept["entries"],
            "enterprises_served": kept["enterprises_served"],
        }
        training = training_figures(
            TrainingClass.objects.filter(province=self.province_id, plan=self.plan_id)
        ).values()
        for name in TRAINING_FIGURES:
            figures[name] = sum(row[name] for row in training)
        figures["projects_accepted"] = Application.objects.filter(
            province=self.province_id, call__plan=self.plan_id, state=Application.State.ACCEPTED
        ).count()
        return figures

    def network_figures(self) -> dict:
        """The unit's service network (entities by kind) and training classes of the year,
        from their registries (two queries)."""
        counts = dict(
            NetworkEntity.objects.filter(province=self.province_id, plan=self.plan_id)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        kinds = [(label, counts[k]) for k, label in NetworkEntity.Kind.choices if counts.get(k)]
        classes = TrainingClass.objects.filter(
            province=self.province_id, plan=self.plan_id
        ).aggregate(n=Count("pk"), attendees=Sum("attendee_count"))
        return {
            "kinds": kinds,
            "entities": sum(n for _label, n in kinds),
            "classes": classes["n"],
            "attendees": classes["attendees"] or 0,
        }

    # --- what the lifecycle asks of a summary ----------------------------------------
    def unit_id(self) -> int | None:
        return self.province_id

    def check_open(self) -> None:
        self.plan.ensure_open()

    def missing_for_submission(self) -> list[str]:
        return [str(label) for name, label in self.SECTIONS if not getattr(self, name).strip()]

    def submission_deadline(self) -> date | None:
        return (
            Deadline.objects.filter(plan_id=self.plan_id, kind=Deadline.Kind.SUMMARY)
            .values_list("due_date", flat=True)
            .first()
        )

    def transition_updates(self, transition: str, now: datetime) -> dict[str, Any]:
        return self.ledger_figures() if transition == "submit" else {}


class NextYearTaskPlan(Scoped):
    """下一年度工作计划 of one task: what the unit plans to do on a task it expects to carry
    next year. It names the next year's task when that plan exists, else this year's task
    (its number and title); when the next year's plan is published it pre-fills the unit's
    registration of that task (``reporting.services.prefill_registrations``)."""

    summary = models.ForeignKey(AnnualSummary, on_delete=models.CASCADE, related_name="task_plans")
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("下一年度任务"),
    )
    task_number = models.PositiveSmallIntegerField(_("任务序号"))
    task_title = models.CharField(_("任务名称"), max_length=200)
    work_content = models.TextField(_("工作内容"))
    expected_results = models.TextField(_("预期成果"), blank=True)
    schedule = models.TextField(_("进度安排"), blank=True)

    scope = ("summary__province_id", "summary__plan__")

    Meta = meta(_("下一年度任务计划"), ordering=["summary", "task_number", "pk"])

    def __str__(self) -> str:
        return f"（{chinese_numeral(self.task_number)}）{self.task_title}"


class DigestBuildQuerySet(models.QuerySet):
    def visible_to(self, user) -> DigestBuildQuerySet:
        if getattr(user, "is_authenticated", False) and user.is_hq:
            return self
        return self.none()


class DigestBuild(Job):
    """One generation of 《全国专利信息传播利用YYYY》, with its progress while it runs."""

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="digests")
    file = models.FileField(_("文件"), upload_to="digests/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)

    objects = DigestBuildQuerySet.as_manager()

    Meta = meta(_("年度汇编"), ordering=["-created_at", "-pk"])

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

    STEPS = {"publish": ((State.DRAFT,), State.PUBLISHED)}

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="bulletins")
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    introduction = models.TextField(_("导语"), blank=True)
    entries = models.ManyToManyField(
        "provinces.LedgerEntry", verbose_name=_("工作台账"), blank=True
    )
    cases = models.ManyToManyField("provinces.Case", verbose_name=_("典型案例"), blank=True)
    project_reports = models.ManyToManyField(
        "projects.ProjectReport", verbose_name=_("项目报告"), blank=True
    )
    trainings = models.ManyToManyField(
        "provinces.TrainingClass", verbose_name=_("培训班"), blank=True
    )
    task_reports = models.ManyToManyField(
        "provinces.TaskReport", verbose_name=_("专项报送"), blank=True
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = by_user()

    objects = BulletinQuerySet.as_manager()

    Meta = meta(_("工作进展"), ordering=["-period_end", "-pk"])

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:bulletin", args=[self.pk])

    def clean(self) -> None:
        """The period runs forwards (the page's form and the API both ask here)."""
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError(_("起始日期不能晚于截止日期。"))

    def check_items(self, *, trainings=(), task_reports=()) -> None:
        """A bulletin carries only its plan's training classes and its plan's confirmed task
        reports (the page and the API both ask here). Task reports come with
        ``definition__task``, classes with ``plan``."""
        errors: dict[str, list[str]] = {}
        year = self.plan.year
        foreign = [t for t in trainings if t.plan_id != self.plan_id]
        if foreign:
            errors["trainings"] = [
                _("培训班“%(title)s”属于%(other)s年度，只能收录%(year)s年度计划的培训班。")
                % {"title": t.title, "other": t.plan.year, "year": year}
                for t in foreign
            ]
        wrong = [
            r
            for r in task_reports
            if r.definition.task.plan_id != self.plan_id or r.state != TaskReport.State.CONFIRMED
        ]
        if wrong:
            errors["task_reports"] = [
                _("专项报送“%(report)s”不是%(year)s年度已确认的报送，不能收录。")
                % {"report": r, "year": year}
                for r in wrong
            ]
        if errors:
            raise ValidationError(errors)

    def publish(self, by, *, now: datetime | None = None) -> None:
        step(self, by, "publish", at=now, stamp="published_at")
