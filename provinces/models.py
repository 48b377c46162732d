"""The 32 executing units and what they report: assignments, registrations, ledgers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.visibility import scoped as unit_scoped
from planning.models import BaseLevel, Deadline, Reminded, plan_scoped
from workflow.files import StoredFile
from workflow.machine import TransitionRefused, record_event, step
from workflow.modelparts import by_user, meta
from workflow.review import ConfirmedSubmission, ReviewedSubmission, ReviewState
from workflow.validation import (
    COUNT_MAX,
    TEXT_MAX,
    check_plan_window,
    count_bound,
    normalise_phone,
    text_bound,
)


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


class Scoped(models.Model):
    """A model seen by the one rule along the paths it names in ``scope`` (its manager is
    a ``ScopedQuerySet``); it says nothing else about who sees it."""

    # (province_path, plan_path), or (province_path,): each model names its own.
    scope: tuple[str, ...]

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def per_unit(name, of: str, constraint: str, *, listed_by: str = "") -> type:
    """The ``Meta`` of what a unit has once per ``of`` (its role in a plan, its reply to a
    notice): one row per ``of`` and unit, listed by ``of`` (or ``listed_by``), then in the
    units' order."""
    ordering = [listed_by or of, "province__sort_order"]
    return meta(name, ordering=ordering, unique={constraint: (of, "province")})


class Region(models.TextChoices):
    NORTH = "north", _("华北")
    NORTHEAST = "northeast", _("东北")
    EAST = "east", _("华东")
    CENTRAL = "central", _("华中")
    SOUTH = "south", _("华南")
    SOUTHWEST = "southwest", _("西南")
    NORTHWEST = "northwest", _("西北")


class Province(Scoped):
    """执行单位: a provincial-level IP office (31 provinces plus XPCC)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("全称"), max_length=40, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, unique=True)
    region = models.CharField(_("地区"), max_length=20, choices=Region.choices)
    western = models.BooleanField(_("西部省区"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope = ("pk",)

    Meta = meta(_("执行单位"), ordering=["sort_order", "code"])

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("provinces:province_detail", args=[self.code])


class PlanUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanUnitQuerySet:
        """Roles are part of the plan: whoever sees the plan sees every unit's role in it."""
        return plan_scoped(self, user, "plan__")

    def western(self, plan) -> PlanUnitQuerySet:
        """The units western in one plan (their province ids): that year's own flag, not the
        province's current default."""
        plan_id = getattr(plan, "pk", plan)
        return self.filter(plan_id=plan_id, western=True).values("province_id")

    def bases(self, plan) -> dict[str, str]:
        """Province code → base level (``key``/``basic``) of the bases in one plan."""
        return dict(
            self.filter(plan=plan)
            .exclude(base_level="")
            .values_list("province__code", "base_level")
        )


class PlanUnit(models.Model):
    """A unit's role in one plan year: whether it hosts a base that year, and at which level,
    and whether it counts as western that year (western support and who may apply for it).

    The designation belongs to the year (the bases change between notices), so changing
    2019's roles never touches 2018's. ``Province.western`` is only the default a new plan
    starts from.
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
    western = models.BooleanField(
        _("西部省区"),
        default=False,
        help_text=_("该年度是否按西部省区对待（西部省区帮扶及其申报资格）"),
    )

    objects = PlanUnitQuerySet.as_manager()

    Meta = per_unit(_("年度执行单位角色"), "plan", "one_role_per_unit_and_plan")

    def __str__(self) -> str:
        return f"{self.plan.year} {self.province} {self.get_base_level_display() or '—'}"


class Assignment(Scoped):
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

    Meta = per_unit(_("任务承担"), "task", "one_assignment_per_task", listed_by="task__number")

    def __str__(self) -> str:
        return f"{self.province} · {self.task}"

    @property
    def is_mandatory(self) -> bool:
        return self.kind == self.Kind.MANDATORY


class Registration(Scoped, ConfirmedSubmission):
    """任务分解报送: what a province reports for one assignment by the deadline."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="registration"
    )
    work_content = models.TextField(_("工作内容"), blank=True)
    expected_results = models.TextField(_("预期成果"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("assignment__province_id", "assignment__task__plan__")

    Meta = meta(
        _("任务分解报送"), ordering=["assignment__task__number", "assignment__province__sort_order"]
    )

    def __str__(self) -> str:
        return str(self.assignment)

    # --- what the lifecycle asks of a registration ----------------------------------
    def unit_id(self) -> int | None:
        return self.assignment.province_id

    def check_open(self) -> None:
        self.assignment.task.plan.ensure_open()

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


EMAIL_INVALID = _("邮箱格式不正确。")


class Contact(Scoped):
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

    Meta = meta(
        _("联系人"),
        ordering=["registration", "role"],
        unique={"one_contact_per_role": ("registration", "role")},
    )

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    def clean(self) -> None:
        if self.phone:
            try:
                self.phone = normalise_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc


class Milestone(Scoped):
    """进度安排: a dated step of an assignment's schedule."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="milestones"
    )
    due_date = models.DateField(_("计划完成日期"))
    description = models.CharField(_("工作安排"), max_length=300)
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    scope = ("registration__assignment__province_id",)

    Meta = meta(_("进度安排"), ordering=["registration", "due_date", "pk"])

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


class LedgerEntryQuerySet(ScopedQuerySet):
    """Every bulk write of ledger entries keeps their assignments' ``LedgerSummary`` in
    the same transaction (one row: ``LedgerEntry.save`` and ``delete``; ``bulk_update``
    writes through ``update``)."""

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("Ledger entries are only added: no conflict handling.")
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(list(objs), *args, **kwargs)
            shift_ledger_summaries(
                (e.assignment_id, 1, *(getattr(e, f) for f in LedgerEntry.FIGURES)) for e in created
            )
        return created

    def update(self, **kwargs) -> int:
        if not _moves_figures(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            rows = _locked(self)
            before = _ledger_sums(rows)
            count = models.QuerySet.update(rows, **kwargs)
            shift_ledger_summaries([*_negate(before), *_ledger_sums(rows)])
        return count

    update.alters_data = True

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            rows = _locked(self)
            before = _ledger_sums(rows)
            deleted = models.QuerySet.delete(rows)  # cascades and signals as usual
            shift_ledger_summaries(_negate(before))
        return deleted

    delete.alters_data = True
    delete.queryset_only = True


def _moves_figures(fields) -> bool:
    return bool({"assignment", "assignment_id", *LedgerEntry.FIGURES} & set(fields))


def _locked(qs: models.QuerySet) -> models.QuerySet:
    """The entries ``qs`` selects, locked (only their own rows), as a plain queryset of
    their keys: what is summed before and after is exactly what is written."""
    pks = list(qs.select_for_update(of=("self",)).order_by().values_list("pk", flat=True))
    return models.QuerySet(LedgerEntry).filter(pk__in=pks)


def _ledger_sums(rows: models.QuerySet) -> list[tuple]:
    """(assignment id, entries, *figures) of ``rows``, per assignment (one query)."""
    figures = LedgerEntry.FIGURES
    return list(
        rows.order_by()
        .values("assignment_id")
        .annotate(n=models.Count("pk"), **{f"sum_{f}": models.Sum(f) for f in figures})
        .values_list("assignment_id", "n", *(f"sum_{f}" for f in figures))
    )


def _negate(rows) -> list[tuple]:
    return [(a, *(-(v or 0) for v in values)) for a, *values in rows]


class LedgerEntry(Scoped):
    """工作台账: a dated record of work done for an assignment."""

    FIGURES = ("classes_held", "trainees", "enterprises_served")  # summed per assignment

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
    created_by = by_user(blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope = ("assignment__province_id", "assignment__task__plan__")
    objects = LedgerEntryQuerySet.as_manager()

    Meta = meta(
        _("工作台账"),
        ordering=["-date", "-pk"],
        indexes=[
            models.Index(fields=["assignment", "-date"]),
            # the ledger page's newest-first order, for HQ across all units
            models.Index(fields=["-date", "-id"], name="ledger_newest_first"),
        ],
    )

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        """Saved with its assignments' ``LedgerSummary`` (the old one too, when the entry
        moves) in one transaction. The row is read, locked, before and after the write, so
        ``update_fields`` or an ``F()`` cannot make the summary drift."""
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            old = type(self)._base_manager.filter(pk=self.pk)
            before = _ledger_sums(_locked(old)) if self.pk is not None else []
            super().save(*args, **kwargs)
            after = _ledger_sums(models.QuerySet(type(self)).filter(pk=self.pk))
            shift_ledger_summaries([*_negate(before), *after])

    save.alters_data = True

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            before = _ledger_sums(_locked(type(self)._base_manager.filter(pk=self.pk)))
            deleted = super().delete(*args, **kwargs)
            shift_ledger_summaries(_negate(before))
        return deleted

    delete.alters_data = True

    def clean(self) -> None:
        """The bounds are the fields' validators; the date falls within the plan's window."""
        if self.assignment_id:
            check_plan_window(self.date, self.assignment.task.plan.year, "date")


class Evidence(StoredFile):
    """佐证材料: a file attached to a ledger entry."""

    upload_dir = "evidence"
    owner_field = "entry"

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="evidence")

    Meta = meta(_("佐证材料"), base=StoredFile.Meta)


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
    created_by = by_user(blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    Meta = meta(_("典型案例"), ordering=["-created_at", "-pk"])

    def __str__(self) -> str:
        return self.title

    # --- what the lifecycle asks of a case -------------------------------------------
    def unit_id(self) -> int | None:
        return self.province_id

    def check_open(self) -> None:
        self.plan.ensure_open()

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

    def select(self, by, *, digest: bool, publication: bool, now=None) -> None:
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
            record_event(self, name="select", actor=by, reason=str(choice), at=now)
        self.selected_for_digest, self.selected_for_publication = digest, publication


class CaseEvidence(StoredFile):
    """佐证材料 of a typical case."""

    upload_dir = "evidence"
    owner_field = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")

    Meta = meta(_("案例佐证材料"), base=StoredFile.Meta)


class DeadlineReport(models.Model):
    """A unit's 报送 against a deadline HQ added (e.g. a quarterly progress report)."""

    deadline = models.ForeignKey(
        "planning.Deadline", on_delete=models.CASCADE, related_name="reports"
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="deadline_reports"
    )
    note = models.TextField(_("报送说明"))
    submitted_by = by_user()
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    Meta = meta(
        _("节点报送"),
        unique={"one_report_per_unit": ("deadline", "province")},
    )

    def __str__(self) -> str:
        return f"{self.province} · {self.deadline}"


# --- 专项报送: typed task reports HQ defines for a task ---------------------------------


class FieldKind(models.TextChoices):
    TEXT = "text", _("单行文字")
    LONG_TEXT = "long_text", _("多行文字")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    DATE = "date", _("日期")


TEXT_FIELD_MAX = 200  # characters of a one-line answer; a long answer has the text bound
DECIMAL_MAX = Decimal("1000000000")


def _integer(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValidationError(_("请填写整数。"))
    number = int(value)
    if number < 0:
        raise ValidationError(_("不能为负数。"))
    if number > COUNT_MAX:
        raise ValidationError(_("数值过大：不能超过 %(limit)s。") % {"limit": COUNT_MAX})
    return number


def _decimal(value: str) -> str:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("请填写数字，例如 12.5。"))
    if number < 0:
        raise ValidationError(_("不能为负数。"))
    if number >= DECIMAL_MAX or number.as_tuple().exponent < -4:
        raise ValidationError(_("数值超出范围：最多 9 位整数、4 位小数。"))
    return str(number)  # JSON keeps a decimal exactly as text, never as a float


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValidationError(_("请按“2018-11-30”的格式填写日期。")) from exc


def _text(limit: int):
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValidationError(
                _("内容过长：不能超过 %(limit)d 个字符（现有 %(n)d 个）。")
                % {"limit": limit, "n": len(value)}
            )
        return value

    return check


FIELD_PARSERS = {
    FieldKind.TEXT: _text(TEXT_FIELD_MAX),
    FieldKind.LONG_TEXT: _text(TEXT_MAX),
    FieldKind.INTEGER: _integer,
    FieldKind.DECIMAL: _decimal,
    FieldKind.DATE: _date,
}


def clean_report_values(fields, raw: Any) -> dict[str, Any]:
    """The one validation of a task report's values, for the page's form and the API alike.

    ``raw`` maps a field's key (its id, as text) to what was typed; every value is read as
    text and checked against its field's kind. The result holds JSON values only: integers,
    decimals as text, dates as ``YYYY-MM-DD``; a blank answer is left out (whether it is
    required is asked at submission). Keys that name no field are refused.
    """
    if not isinstance(raw, dict):
        raise ValidationError({"values": [_("填报内容应为“字段编号: 值”的对象。")]})
    by_key = {f.key: f for f in fields}
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k) for k in raw if str(k) not in by_key)
    if unknown:
        errors["values"] = [_("没有这些字段：%(keys)s。") % {"keys": "、".join(unknown)}]
    out: dict[str, Any] = {}
    for key, field in by_key.items():
        value = raw.get(key, "")
        if value is None:
            value = ""
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            errors[key] = [_("“%(label)s”的格式不正确。") % {"label": field.label}]
            continue
        value = str(value)
        value = value.strip()
        if not value:
            continue
        try:
            out[key] = FIELD_PARSERS[field.kind](value)
        except ValidationError as exc:
            errors[key] = [f"{field.label}：{m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    return out


class TaskReportDefinition(Scoped, Reminded):
    """专项报送 (a template): what HQ asks the units of one task to report, and by when."""

    task = models.ForeignKey(
        "planning.Task", on_delete=models.CASCADE, related_name="report_definitions"
    )
    title = models.CharField(_("报送名称"), max_length=200)
    instructions = models.TextField(_("填报说明"), blank=True, validators=[text_bound()])
    due_date = models.DateField(_("报送截止日期"))
    created_by = by_user(blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # HQ sees every definition; a unit those of the tasks it is assigned.
    scope = ("task__assignments__province_id", "task__plan__")

    Meta = meta(
        _("专项报送"),
        ordering=["due_date", "pk"],
        unique={"one_report_title_per_task": ("task", "title")},
    )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("provinces:task_report", args=[self.pk])

    def clean(self) -> None:
        if self.task_id and self.due_date:
            check_plan_window(self.due_date, self.task.plan.year, "due_date")


class TaskReportField(models.Model):
    """One typed field of a report definition (label, kind, whether required, its order)."""

    definition = models.ForeignKey(
        TaskReportDefinition, on_delete=models.CASCADE, related_name="fields"
    )
    label = models.CharField(_("字段名称"), max_length=100)
    kind = models.CharField(
        _("字段类型"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT
    )
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写提示"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    Meta = meta(_("报送字段"), ordering=["definition", "order", "pk"])

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The key of this field's value in a report's ``values``."""
        return str(self.pk)

    def typed(self, value: Any) -> Any:
        """A stored value as the Python value of its kind (a decimal stored as text is a
        ``Decimal``, a date a ``date``), for typed spreadsheet cells; None when blank."""
        if value is None or value == "":
            return None
        if self.kind == FieldKind.INTEGER:
            return int(value)
        if self.kind == FieldKind.DECIMAL:
            return Decimal(str(value))
        if self.kind == FieldKind.DATE:
            return date.fromisoformat(str(value))
        return value


class TaskReport(Scoped, ConfirmedSubmission):
    """A unit's report against a definition: its values, reviewed like a registration."""

    definition = models.ForeignKey(
        TaskReportDefinition, on_delete=models.CASCADE, related_name="submissions"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="task_reports")
    values = models.JSONField(_("填报内容"), default=dict, blank=True)
    entities = models.ManyToManyField(
        "provinces.NetworkEntity",
        verbose_name=_("涉及的服务网络"),
        blank=True,
        related_name="task_reports",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("province_id", "definition__task__plan__")

    Meta = per_unit(_("专项报送填报"), "definition", "one_task_report_per_unit")

    def __str__(self) -> str:
        return f"{self.province} · {self.definition}"

    def get_absolute_url(self) -> str:
        return reverse("provinces:task_report_submission", args=[self.pk])

    def answers(self) -> list[tuple[TaskReportField, Any]]:
        """Each field of the definition with this report's value (None when blank)."""
        return [(f, (self.values or {}).get(f.key)) for f in self.definition.fields.all()]

    # --- what the lifecycle asks of a task report ------------------------------------
    def unit_id(self) -> int | None:
        return self.province_id

    def check_open(self) -> None:
        self.definition.task.plan.ensure_open()

    def check_eligible(self, by) -> None:
        super().check_eligible(by)
        if not Assignment.objects.filter(
            task_id=self.definition.task_id, province_id=self.province_id, taken_up=True
        ).exists():
            raise TransitionRefused(
                _("本单位未开展该任务，无需填报该专项报送。"), current_state=self.state
            )

    def missing_for_submission(self) -> list[str]:
        values = self.values or {}
        return [f.label for f in self.definition.fields.all() if f.required and f.key not in values]

    def submission_deadline(self) -> date | None:
        return self.definition.due_date


# --- 另行通知: HQ's follow-up notices -------------------------------------------------


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> NoticeQuerySet:
        """HQ sees every notice, drafts too; a unit the notices sent to it; experts none.

        A unit's receipt is written when the notice is sent, so the unit half of the one
        rule (through the receipts) already hides drafts; the state is checked as well.
        """
        qs = scoped(self, user, "receipts__province_id", "plan__")
        if getattr(user, "is_authenticated", False) and user.is_active and not user.is_hq:
            qs = qs.filter(state=Notice.State.SENT)
        return qs


class Notice(models.Model):
    """通知 / 另行通知: a follow-up notice HQ sends to all units, a task's units or chosen ones."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已发送")

    STEPS = {"send": ((State.DRAFT,), State.SENT)}

    class Audience(models.TextChoices):
        ALL = "all", _("全部执行单位")
        TASK = "task", _("某项任务的承担单位")
        CHOSEN = "chosen", _("指定单位")

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    body = models.TextField(_("正文"), validators=[text_bound(20000)])
    audience = models.CharField(
        _("发送范围"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    task = models.ForeignKey(
        "planning.Task",
        verbose_name=_("任务"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    units = models.ManyToManyField(
        Province, verbose_name=_("指定单位"), blank=True, related_name="chosen_notices"
    )
    reply_by = models.DateField(
        _("回复截止日期"), null=True, blank=True, help_text=_("需要各单位回复时填写")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_by = by_user(blank=True)
    created_by = by_user(blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    Meta = meta(_("通知"), ordering=["-sent_at", "-created_at", "-pk"])

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("provinces:notice", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def clean(self) -> None:
        if self.audience == self.Audience.TASK and not self.task_id:
            raise ValidationError({"task": _("发送给某项任务的承担单位时，请选择任务。")})
        if self.task_id and self.plan_id and self.task.plan_id != self.plan_id:
            raise ValidationError({"task": _("该任务不属于本年度计划。")})
        if self.reply_by and self.plan_id:
            check_plan_window(self.reply_by, self.plan.year, "reply_by")

    def audience_units(self) -> list[Province]:
        """The units this notice addresses, by its audience (read when it is sent)."""
        if self.audience == self.Audience.TASK:
            units = Province.objects.filter(
                assignments__task_id=self.task_id, assignments__taken_up=True
            )
        elif self.audience == self.Audience.CHOSEN:
            units = self.units.all()
        else:
            units = Province.objects.all()
        return list(units.distinct().order_by("sort_order", "code"))

    def send(self, by, now: datetime | None = None) -> None:
        """Draft → sent, once (the receipts and the inbox are written by the service)."""
        sender = by if getattr(by, "pk", None) else None
        step(self, by, "send", at=now, stamp="sent_at", updates={"sent_by": sender})


class NoticeAttachment(StoredFile):
    """附件 of a notice."""

    upload_dir = "notices"
    owner_field = "notice"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")

    Meta = meta(_("通知附件"), base=StoredFile.Meta)


class NoticeReceipt(models.Model):
    """One addressed unit of a sent notice, and when (and by whom) it first read it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="receipts")
    read_at = models.DateTimeField(_("首次阅读时间"), null=True, blank=True)
    read_by = by_user(on_delete=models.SET_NULL, blank=True)

    Meta = per_unit(_("阅读回执"), "notice", "one_receipt_per_unit")

    def __str__(self) -> str:
        return f"{self.province} · {self.notice}"


class NoticeReply(Scoped):
    """A unit's reply to a notice that asks for one: text and files."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="notice_replies")
    text = models.TextField(_("回复内容"), validators=[text_bound()])
    replied_by = by_user()
    replied_at = models.DateTimeField(_("回复时间"), default=timezone.now)

    scope = ("province_id", "notice__plan__")

    Meta = per_unit(_("通知回复"), "notice", "one_reply_per_unit")

    def __str__(self) -> str:
        return f"{self.province} · {self.notice}"


class NoticeReplyFile(StoredFile):
    """A file attached to a unit's reply."""

    upload_dir = "notices"
    owner_field = "reply"

    reply = models.ForeignKey(NoticeReply, on_delete=models.CASCADE, related_name="files")

    Meta = meta(_("回复附件"), base=StoredFile.Meta)


# The service network and training classes live in their own module (models of this app).
from .network import (  # noqa: E402, F401
    NetworkEntity,
    TrainingAttendee,
    TrainingClass,
    TrainingMaterial,
)


class LedgerSummaryQuerySet(ScopedQuerySet):
    def totals(self) -> dict[str, int]:
        """{"entries": n, and each figure: n} summed over the summaries (one query)."""
        fields = ("entries", *LedgerEntry.FIGURES)
        row = self.aggregate(**{f: models.Sum(f) for f in fields})
        return {f: row[f] or 0 for f in fields}


class LedgerSummary(Scoped):
    """台账汇总: an assignment's ledger entries counted and their figures summed, kept by
    every write of ``LedgerEntry`` in its own transaction (``shift_ledger_summaries``), so
    totals over millions of entries read one row per assignment. ``recount_ledger_summaries``
    rebuilds it from the entries (``manage.py recount_ledger``)."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, primary_key=True, related_name="ledger_summary"
    )
    entries = models.BigIntegerField(_("台账条数"), default=0)
    classes_held = models.BigIntegerField(_("举办培训班（期）"), default=0)
    trainees = models.BigIntegerField(_("培训人数（人次）"), default=0)
    enterprises_served = models.BigIntegerField(_("服务企业（家）"), default=0)

    scope = ("assignment__province_id", "assignment__task__plan__")
    objects = LedgerSummaryQuerySet.as_manager()

    Meta = meta(_("台账汇总"))

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.entries}"


def shift_ledger_summaries(changes) -> None:
    """Add ``(assignment id, entries, *figures)`` changes to the summaries, in the caller's
    transaction: one upsert that adds to the row as it stands (``n = n + change``, the row
    locked by the write), so concurrent writers never lose each other's changes; rows are
    written in key order, so two writers never wait on each other crosswise."""
    width = 2 + len(LedgerEntry.FIGURES)
    summed: dict[int, list[int]] = {}
    for assignment_id, *values in changes:
        row = summed.setdefault(assignment_id, [0] * (width - 1))
        for i, v in enumerate(values):
            row[i] += v or 0
    rows = [(a, *values) for a, values in sorted(summed.items()) if any(values)]
    if not rows:
        return
    table = connection.ops.quote_name(LedgerSummary._meta.db_table)
    fields = ("entries", *LedgerEntry.FIGURES)
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    sql = (
        f"INSERT INTO {table} (assignment_id, {', '.join(fields)}) VALUES {values} "
        f"ON CONFLICT (assignment_id) DO UPDATE SET "
        + ", ".join(f"{f} = {table}.{f} + EXCLUDED.{f}" for f in fields)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])


def recount_ledger_summaries() -> int:
    """Rebuild every summary from the entries (the data migration, ``recount_ledger``,
    and the tests' yardstick). Writers wait while it runs (the entries are locked in share
    mode on PostgreSQL). Returns the number of summaries that were wrong."""
    fields = ("entries", *LedgerEntry.FIGURES)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(LedgerEntry._meta.db_table)} "
                    "IN SHARE MODE"
                )
        counted = {a: values for a, *values in _ledger_sums(models.QuerySet(LedgerEntry))}
        kept = {
            a: list(values)
            for a, *values in LedgerSummary.objects.select_for_update().values_list(
                "assignment_id", *fields
            )
        }
        wrong = [
            a
            for a in counted.keys() | kept.keys()
            if [v or 0 for v in counted.get(a, [0] * len(fields))] != kept.get(a, [0] * len(fields))
        ]
        LedgerSummary.objects.filter(pk__in=wrong).delete()
        LedgerSummary.objects.bulk_create(
            LedgerSummary(
                assignment_id=a, **dict(zip(fields, [v or 0 for v in counted[a]], strict=True))
            )
            for a in wrong
            if a in counted
        )
    return len(wrong)
