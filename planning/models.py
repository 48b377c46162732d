"""A year's work plan as issued in the official notice: tasks, items, tracks, targets, deadlines."""

from __future__ import annotations

from datetime import datetime

from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from notifications.inbox import notify
from notifications.models import Notification
from workflow.machine import TransitionRefused, step
from workflow.modelparts import meta

from .signals import plan_published


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")


def plan_scoped(qs: models.QuerySet, user, plan_path: str) -> models.QuerySet:
    """The plan half of visibility: a draft plan, and everything filed under it, is seen
    only by HQ and administrators; published and closed plans by every logged-in user.

    ``plan_path`` leads from the queryset's model to its plan (``""`` for the plan itself,
    ``"plan__"``, ``"task__plan__"``…). ``visible_to`` methods compose
    it with ``accounts.visibility.scoped``.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_hq:
        return qs
    return qs.exclude(**{f"{plan_path}state": PlanState.DRAFT})


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanQuerySet:
        return plan_scoped(self, user, "")

    def published(self) -> PlanQuerySet:
        """Plans whose obligations run: reminders, sweeps and to-dos read only these."""
        return self.filter(state=PlanState.PUBLISHED)

    def ranked(self, chosen_year: int | None = None) -> list[Plan]:
        """These plans, the best default first: the year the user chose (``chosen_year``,
        even a draft HQ is preparing), then the published plan of the current year in
        Asia/Shanghai, then the newest published plan, then the newest closed one; other
        drafts come last and are never a default (their ``is_candidate`` is False). One
        query; the ordering is done here, as there is one plan a year."""
        this_year = timezone.localdate().year
        plans = list(self)
        for plan in plans:
            plan.is_candidate = plan.state != PlanState.DRAFT or plan.year == chosen_year
        return sorted(
            plans,
            key=lambda p: (
                p.year != chosen_year,
                not p.is_candidate,
                not (p.state == PlanState.PUBLISHED and p.year == this_year),
                p.state != PlanState.PUBLISHED,
                -p.year,
            ),
        )

    def default(self, chosen_year: int | None = None) -> Plan | None:
        """The first candidate of :meth:`ranked`, or None."""
        return next((p for p in self.ranked(chosen_year) if p.is_candidate), None)

    def current(self) -> Plan | None:
        """The one rule for the default plan, wherever nobody chose a year: the published
        plan of the current year (Asia/Shanghai), else the newest published plan, else the
        newest closed one; never a draft. Chain it after ``visible_to``."""
        return self.default()

    def preceding(self, year: int) -> Plan | None:
        """The plan of the nearest year before ``year`` among these ("last year's" plan,
        even when a year was skipped), or None."""
        return self.filter(year__lt=year).order_by("-year").first()

    def for_year(self, year: int | str | None) -> Plan | None:
        """The plan of an explicit year among these, or None for a missing or bad year."""
        year = str(year or "")
        return self.filter(year=int(year)).first() if year.isdigit() else None


class Plan(models.Model):
    """年度工作计划: one year's plan."""

    # Draft → published → closed, and closed → published again for late corrections.
    STEPS = {
        "publish": ((PlanState.DRAFT,), PlanState.PUBLISHED),
        "close": ((PlanState.PUBLISHED,), PlanState.CLOSED),
        "reopen": ((PlanState.CLOSED,), PlanState.PUBLISHED),
    }

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuer = models.CharField(_("发文机构"), max_length=100, blank=True)
    issue_date = models.DateField(_("发布日期"), null=True, blank=True)
    contact_info = models.TextField(_("联系单位及电话"), blank=True)
    overall_goal = models.TextField(_("总体目标"), blank=True)
    priorities = models.TextField(_("工作重点"), blank=True)
    requirements = models.TextField(_("有关要求"), blank=True)
    source_text = models.TextField(_("通知原文"), blank=True)
    hand_mappings = models.JSONField(
        _("导入时手工指定"),
        default=list,
        blank=True,
        help_text=_("导入预览中管理员对未能自动识别的句子所作的指定（原句及其对应内容）"),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )

    objects = PlanQuerySet.as_manager()
    State = PlanState

    Meta = meta(_("年度工作计划"), ordering=["-year"])

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:plan_detail", args=[self.year])

    @property
    def is_closed(self) -> bool:
        return self.state == PlanState.CLOSED

    @transaction.atomic  # the state, the notices and what the apps above do on it: all or none
    def publish(self, by, reason: str = "", *, now: datetime | None = None) -> None:
        """Draft → published: units see the plan, its obligations and reminders start, and
        every unit that carries a task is told in its inbox. Then ``plan_published`` is sent
        (reporting pre-fills registrations from last year's summaries)."""
        step(self, by, "publish", at=now, reason=reason)
        staff = User.objects.filter(
            role=Role.PROVINCE_STAFF, province__assignments__task__plan=self
        ).distinct()
        notify(
            staff,
            Notification.Kind.PLAN,
            gettext_noop("《%(title)s》已发布，请查看本单位承担的任务并按时报送。"),
            params={"title": self.title},
            link=self.get_absolute_url(),
        )
        plan_published.send(sender=Plan, plan=self, by=by)

    def close(self, by, reason: str = "", *, now: datetime | None = None) -> None:
        """Published → closed: the year's work is done; the plan stays as read-only history."""
        step(self, by, "close", at=now, reason=reason)

    def reopen(self, by, reason: str = "") -> None:
        """Closed → published, with a reason (late corrections to a finished year)."""
        step(self, by, "reopen", reason=reason, reason_required=True)

    def ensure_open(self) -> None:
        """Refuse new work filed under a closed plan (its history is read-only)."""
        if self.is_closed:
            raise TransitionRefused(
                gettext("%(year)d年度工作计划已结束，只能查看，不能新增或修改。")
                % {"year": self.year},
                current_state=self.state,
            )


class FundingMode(models.TextChoices):
    """How a funded task's money reaches the work (工作支持 says which)."""

    UNITS = "units", _("直接支持执行单位")
    PROJECTS = "projects", _("经项目申报评审确定")


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskQuerySet:
        """A task is seen by whoever sees its plan."""
        return plan_scoped(self, user, "plan__")


class Task(models.Model):
    """具体任务: one numbered task of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务名称"), max_length=200)
    goal = models.TextField(_("工作目标"), blank=True)
    content = models.TextField(_("工作内容"), blank=True)
    executing_rule = models.TextField(_("执行单位"), blank=True)
    support = models.TextField(_("工作支持"), blank=True)
    funded = models.BooleanField(_("资金支持"), default=False, help_text=_("我局提供资金支持"))
    guided = models.BooleanField(_("业务指导"), default=False, help_text=_("我局提供业务指导"))
    funding_mode = models.CharField(
        _("资金支持方式"),
        max_length=10,
        choices=FundingMode.choices,
        blank=True,
        help_text=_("直接支持执行单位，或设立项目、经申报评审确定项目承担单位；无资金支持时留空"),
    )
    all_units = models.BooleanField(
        _("各省（区、市）执行"), default=False, help_text=_("所有执行单位均须承担")
    )
    voluntary_others = models.BooleanField(_("其他省（区、市）可自愿开展"), default=False)
    bases_only = models.BooleanField(_("由基地省市执行"), default=False)
    rolled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rolled_into",
        verbose_name=_("结转自"),
        help_text=_(
            "结转时该任务所依据的上一年度任务；导入通知后若任务名称改变，改为上一年度同名任务"
        ),
    )

    objects = TaskQuerySet.as_manager()

    Meta = meta(
        _("具体任务"),
        ordering=["plan", "number"],
        constraints=[
            models.UniqueConstraint(fields=["plan", "number"], name="unique_task_number"),
            models.CheckConstraint(
                condition=Q(funded=True) | Q(funding_mode=""),
                name="funding_mode_only_when_funded",
                violation_error_message=_("只有提供资金支持的任务才填写资金支持方式。"),
            ),
        ],
    )

    SUPPORT_FIELDS = ("funded", "guided", "funding_mode")
    FundingMode = FundingMode

    def __str__(self) -> str:
        return f"（{self.numeral}）{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("planning:task_detail", args=[self.plan.year, self.number])

    @property
    def numeral(self) -> str:
        return chinese_numeral(self.number)

    @staticmethod
    def title_key(title: str) -> str:
        """A title as compared across years: without the stray spaces and line breaks a PDF
        leaves inside words ("深入开 展")."""
        return "".join(title.split())


class TaskItem(models.Model):
    """工作内容 (1)(2)…: a numbered line of a task's content."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("内容"))

    Meta = meta(
        _("工作内容"),
        ordering=["task", "number"],
        unique={"unique_item_number": ("task", "number")},
    )

    def __str__(self) -> str:
        return f"（{self.number}）{self.text[:40]}"


class BaseLevel(models.TextChoices):
    KEY = "key", _("重点项目")
    BASIC = "basic", _("基础项目")


class Track(models.Model):
    """类别: a split inside a task that decides who does which items."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="tracks")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    items = models.ManyToManyField(TaskItem, verbose_name=_("承担的工作内容"), blank=True)
    base_level = models.CharField(
        _("基地项目类别"),
        max_length=10,
        choices=BaseLevel.choices,
        blank=True,
        help_text=_("由该类基地省市执行时填写"),
    )

    Meta = meta(
        _("类别"),
        ordering=["task", "pk"],
        unique={"unique_track_code": ("task", "code")},
    )

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """量化指标: a countable promise such as "举办至少2期培训班"."""

    class Metric(models.TextChoices):
        CLASSES_HELD = "classes_held", _("举办培训班（期）")
        TRAINEES = "trainees", _("培训人数（人次）")
        ENTERPRISES_SERVED = "enterprises_served", _("服务企业（家）")
        CASES = "cases", _("典型案例（个）")
        OTHER = "other", _("其他")

    class Period(models.TextChoices):
        YEAR = "year", _("每年")
        HALF = "half", _("每半年")
        QUARTER = "quarter", _("每季度")
        MONTH = "month", _("每月")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    item = models.ForeignKey(
        TaskItem, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    description = models.CharField(_("指标"), max_length=300)
    metric = models.CharField(_("计量"), max_length=30, choices=Metric.choices)
    minimum = models.PositiveIntegerField(_("不少于"))
    unit = models.CharField(_("单位"), max_length=10)
    period = models.CharField(
        _("周期"),
        max_length=10,
        choices=Period.choices,
        default=Period.YEAR,
        help_text=_("指标在每个周期内都须达到，例如“每季度至少报送1次”"),
    )

    Meta = meta(_("量化指标"), ordering=["task", "pk"])

    def __str__(self) -> str:
        return self.description


def validate_offsets(value: str) -> None:
    from django.core.exceptions import ValidationError

    parts = [p.strip() for p in value.replace("，", ",").split(",") if p.strip()]
    if any(not p.isdigit() or int(p) > 90 for p in parts):
        raise ValidationError(
            _("提前提醒天数应为 0 到 90 的整数，用逗号分隔，例如“7,3,1,0”。"), code="offsets"
        )


def parse_offsets(value: str) -> tuple[int, ...] | None:
    """ "14,7,1,0" → (14, 7, 1, 0); blank → None (the system default)."""
    parts = [p.strip() for p in (value or "").replace("，", ",").split(",") if p.strip()]
    return tuple(sorted({int(p) for p in parts}, reverse=True)) or None


class Reminded(models.Model):
    """A due date whose reminders go out on the days before it that it names (blank: the
    system's default), read by the reminder engine as ``offsets``."""

    reminder_offsets = models.CharField(
        _("提前提醒天数"),
        max_length=50,
        blank=True,
        validators=[validate_offsets],
        help_text=_("逗号分隔的天数，例如“14,7,1,0”；留空使用系统默认（7,3,1,0）。"),
    )

    class Meta:
        abstract = True

    @property
    def offsets(self) -> tuple[int, ...] | None:
        return parse_offsets(self.reminder_offsets)


class DeadlineQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeadlineQuerySet:
        """A deadline is seen by whoever sees its plan."""
        return plan_scoped(self, user, "plan__")


class Deadline(Reminded):
    """时间节点: a dated obligation stated by the plan."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("任务分解报送")
        OUTCOMES = "outcomes", _("年底阶段性成果及典型案例")
        SUMMARY = "summary", _("年度工作总结与来年工作计划")
        ACCEPTANCE = "acceptance", _("项目验收")
        OTHER = "other", _("其他")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deadlines")
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    due_date = models.DateField(_("截止日期"))
    description = models.CharField(_("说明"), max_length=300)
    sentence = models.TextField(
        _("通知原句"),
        blank=True,
        help_text=_("从通知中读出该时间节点的原句；总部另行添加的时间节点为空"),
    )

    objects = DeadlineQuerySet.as_manager()

    Meta = meta(_("时间节点"), ordering=["due_date", "pk"])

    def __str__(self) -> str:
        return f"{self.due_date:%Y-%m-%d} {self.description}"


_NUMERALS = "零一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (task numbers in official documents)."""
    if n <= 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens]
    return f"{head}十{_NUMERALS[ones] if ones else ''}"
