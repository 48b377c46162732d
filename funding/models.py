"""The money: what HQ allocates to a unit for a task (or to a project), pays, and the unit spends.

Allocated → paid → spent: an :class:`Allocation` (经费下达) of one plan, task and unit (or one
project), the :class:`Payment` tranches (拨付) against it, which never add up to more than
it, and the unit's :class:`SpendingReport` (经费使用情况), reviewed through the one lifecycle,
which never reports more spent than was paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planning.models import Deadline, Plan
from projects.models import Application
from provinces.models import Scoped
from workflow.files import StoredFile
from workflow.machine import TransitionRefused
from workflow.modelparts import by_user, meta
from workflow.review import ConfirmedSubmission

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}


def year_end(plan: Plan, summary: Deadline | None | bool = False) -> date:
    """When the year's spending reports are due: the plan's summary deadline, else 31 December.

    ``summary`` is the plan's (first) summary deadline, or None, when the caller has read
    the plan's deadlines already (the obligation sources read every plan's at once)."""
    if summary is False:
        summary = plan.deadlines.filter(kind=Deadline.Kind.SUMMARY).order_by("due_date").first()
    return summary.due_date if summary else date(plan.year, 12, 31)


class Allocation(Scoped):
    """经费下达: money HQ assigns to a unit for a task, or to one project, in a plan year."""

    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="allocations")
    task = models.ForeignKey("planning.Task", on_delete=models.PROTECT, related_name="allocations")
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="allocations"
    )
    project = models.ForeignKey(
        "projects.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("项目"),
    )
    amount = models.DecimalField(
        _("下达经费（万元）"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    document_number = models.CharField(_("下达文号"), max_length=100, blank=True)
    date = models.DateField(_("下达日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # Kept, not entered: the payments' sum and the handed-in report's lines, written with
    # each payment and spending transition (``recount_money`` rebuilds them), so money
    # totals over many years read one row per allocation.
    paid = models.DecimalField(_("已拨付（万元）"), default=ZERO, editable=False, **MONEY)
    spent = models.DecimalField(_("已使用（万元）"), default=ZERO, editable=False, **MONEY)
    created_by = by_user()
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("province_id", "plan__")

    Meta = meta(
        _("经费下达"),
        ordering=["plan", "task__number", "province__sort_order", "pk"],
        constraints=[
            models.UniqueConstraint(
                fields=["plan", "task", "province"],
                condition=Q(project__isnull=True),
                name="one_allocation_per_task_and_unit",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(project__isnull=False),
                name="one_allocation_per_project",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
            models.CheckConstraint(condition=Q(paid__lte=F("amount")), name="paid_within_amount"),
        ],
    )

    def __str__(self) -> str:
        if self.project_id:
            return f"{self.plan.year} {self.province} · {self.project.applicant}"
        return f"{self.plan.year} {self.province} · {self.task}"

    def get_absolute_url(self) -> str:
        return reverse("funding:allocation_detail", args=[self.pk])

    KEPT = frozenset({"paid", "spent"})

    def save(self, *args, **kwargs) -> None:
        """Saving a changed allocation never writes the kept figures: an instance read
        before a payment landed would otherwise put back what was paid then."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.KEPT
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.task_id and self.plan_id and self.task.plan_id != self.plan_id:
            raise ValidationError({"task": gettext("任务不属于该年度计划。")})
        if self.task_id and (problem := task_funding_problem(self.task)):
            raise ValidationError({"task": problem})
        if self.project_id and self.project.province_id != self.province_id:
            raise ValidationError({"project": gettext("项目不属于该执行单位。")})
        if self.project_id and self.project.call.task_id != self.task_id:
            raise ValidationError({"project": gettext("项目不属于该任务。")})
        if self.project_id:
            problem = project_allocation_problem(self.project, self.amount)
            if problem:
                raise ValidationError({"project": problem})


def task_funding_problem(task) -> str:
    """Why nothing may be allocated under ``task`` (it gives no 资金支持), or "" if it may.

    The one rule: the model's ``clean`` (page, admin, API through the service) and the
    import's rows ask it."""
    if task.funded and task.funding_mode:
        return ""
    return gettext("任务（%(n)s）不提供资金支持，不能下达经费。") % {"n": task.numeral}


# A project is allocated money once approved (立项) or under its agreement, never as a draft,
# under review or rejected.
ALLOCATABLE = tuple(Application.PROJECTS)


def project_ceiling(project: Application) -> Decimal | None:
    """What a project may be allocated: its agreement's budget, else the budget granted."""
    agreement = getattr(project, "agreement", None)
    return agreement.budget if agreement is not None else project.budget_granted


def project_allocation_problem(project: Application, amount: Decimal | None) -> str:
    """Why ``amount`` may not be allocated to ``project`` (in Chinese), or "" if it may.

    The one rule for a project's allocation: the model's ``clean`` (pages, admin, the API
    through the service) and the import's rows ask it.
    """
    if project.state not in ALLOCATABLE:
        return gettext("项目“%(project)s”当前状态为“%(state)s”，立项或签订协议后才能下达经费。") % {
            "project": project.applicant,
            "state": project.get_state_display(),
        }
    ceiling = project_ceiling(project)
    if ceiling is None:
        return gettext("项目“%(project)s”尚无资助经费，不能下达经费。") % {
            "project": project.applicant
        }
    if amount is not None and amount > ceiling:
        return gettext(
            "下达经费 %(amount)s 万元超过项目“%(project)s”的资助经费 %(ceiling)s 万元。"
        ) % {"amount": amount, "project": project.applicant, "ceiling": ceiling}
    return ""


def below_paid_problem(allocation: Allocation, amount: Decimal) -> str:
    """Why ``allocation`` may not be changed to ``amount`` (less than it has been paid), or
    "": the service and the import's rows ask it."""
    if amount < allocation.paid:
        return gettext(
            "%(unit)s已拨付 %(paid)s 万元，下达经费不能改为少于已拨付的金额（%(amount)s 万元）。"
        ) % {"unit": allocation.province, "paid": allocation.paid, "amount": amount}
    return ""


class Payment(Scoped):
    """拨付: one tranche actually paid against an allocation (on signing, on acceptance…)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("拨付金额（万元）"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    date = models.DateField(_("拨付日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = by_user()
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope = ("allocation__province_id", "allocation__plan__")

    Meta = meta(
        _("拨付"),
        ordering=["date", "pk"],
        constraints=[
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ],
    )

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.amount}"


class SpendingCategory(models.Model):
    """A line of a spending report (劳务、会议、培训、资料、差旅、其他); HQ configures them."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    Meta = meta(_("支出类别"), ordering=["sort_order", "pk"])

    def __str__(self) -> str:
        return self.name


class SpendingReport(Scoped, ConfirmedSubmission):
    """经费使用情况: what a unit spent of one allocation, by category, with evidence."""

    allocation = models.OneToOneField(
        Allocation, on_delete=models.PROTECT, related_name="spending_report"
    )
    note = models.TextField(_("使用情况说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ("allocation__province_id", "allocation__plan__")

    Meta = meta(_("经费使用情况"), ordering=["allocation__plan", "allocation__task__number", "pk"])

    def __str__(self) -> str:
        return str(self.allocation)

    def get_absolute_url(self) -> str:
        return reverse("funding:spending", args=[self.allocation_id])

    # --- what the lifecycle asks of a spending report --------------------------------
    def unit_id(self) -> int | None:
        return self.allocation.province_id

    def check_open(self) -> None:
        self.allocation.plan.ensure_open()

    def missing_for_submission(self) -> list[str]:
        if not any(line.amount for line in self.lines.all()):
            return [gettext("支出明细")]
        return []

    def submission_deadline(self) -> date | None:
        return year_end(self.allocation.plan)

    def submit(self, by, *, now=None) -> None:
        """Hand in, unless it reports more than was paid (paid may have changed since)."""
        problem = overspending(self.allocation, sum((x.amount for x in self.lines.all()), ZERO))
        if problem:
            raise TransitionRefused(problem, current_state=self.state)
        super().submit(by, now=now)

    def transitioned(self, transition: str) -> None:
        """Handed in, returned or reopened: the allocation's ``spent`` follows."""
        recount_money(Allocation.objects.filter(pk=self.allocation_id))

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), ZERO)


def overspending(allocation: Allocation, total: Decimal) -> str:
    """The refusal of a report spending ``total`` of ``allocation``, or "" if it fits."""
    paid = Allocation.objects.values_list("paid", flat=True).get(pk=allocation.pk)
    if total > paid:
        return gettext(
            "支出合计 %(total)s 万元，超过已拨付的 %(paid)s 万元（下达 %(allocated)s 万元）：不能超支报送。"
        ) % {"total": total, "paid": paid, "allocated": allocation.amount}
    return ""


class SpendingLine(models.Model):
    """One category's amount in a spending report."""

    report = models.ForeignKey(SpendingReport, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(SpendingCategory, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（万元）"), validators=[MinValueValidator(ZERO)], **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    Meta = meta(
        _("支出明细"),
        ordering=["category__sort_order", "pk"],
        constraints=[
            models.UniqueConstraint(fields=["report", "category"], name="one_line_per_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_not_negative"),
        ],
    )

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"


class SpendingEvidence(StoredFile):
    """A file backing a spending report (invoices, vouchers, a signed statement)."""

    upload_dir = "spending"
    owner_field = "report"
    report = models.ForeignKey(SpendingReport, on_delete=models.CASCADE, related_name="evidence")

    Meta = meta(_("经费使用凭证"), base=StoredFile.Meta)


def recount_money(allocations: models.QuerySet | None = None) -> int:
    """Write each allocation's ``paid`` (its payments) and ``spent`` (the lines of its
    report, once handed in) from the rows themselves: after a payment or a spending
    transition (one allocation, in that transaction), in the data migration,
    ``manage.py recount_money`` and the tests' yardstick. The allocations are locked first,
    so the sums are read after any writer of the same allocation has committed. Returns
    how many allocations were wrong (0 when every kept figure equalled its recount)."""
    allocations = Allocation.objects.all() if allocations is None else allocations
    money = models.DecimalField(**MONEY)
    paid = (
        Payment.objects.filter(allocation=OuterRef("pk"))
        .values("allocation")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    spent = (
        SpendingLine.objects.filter(
            report__allocation=OuterRef("pk"), report__state__in=SpendingReport.HANDED_IN
        )
        .values("report__allocation")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    counted = {
        "paid": Coalesce(Subquery(paid, output_field=money), Value(ZERO), output_field=money),
        "spent": Coalesce(Subquery(spent, output_field=money), Value(ZERO), output_field=money),
    }
    with transaction.atomic():
        locked = list(allocations.order_by("pk").select_for_update().values_list("pk", flat=True))
        return (
            Allocation.objects.filter(pk__in=locked)
            .alias(counted_paid=counted["paid"], counted_spent=counted["spent"])
            .exclude(paid=F("counted_paid"), spent=F("counted_spent"))
            .update(**counted)
        )
