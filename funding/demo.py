"""Demo money: 2018's funded tasks allocated (1, 2, 5, 6, 7 to their units, task 1 by base
level; 4 and 8 per approved project), tranches paid, spending reports in every state, one
returned with a reason; and the current year's direct allocations, not yet paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from planning.demo import moment
from planning.models import Plan
from projects.models import Application
from provinces.models import Assignment, PlanUnit

from . import services
from .models import Allocation, SpendingCategory

DIRECT = {2: Decimal("20"), 5: Decimal("15"), 6: Decimal("10"), 7: Decimal("12")}
BASE_AMOUNTS = {"key": Decimal("50"), "basic": Decimal("30")}
FUNDED_PROJECTS = [
    Application.State.APPROVED,
    Application.State.IN_PROGRESS,
    Application.State.ACCEPTANCE_REQUESTED,
    Application.State.RECTIFICATION,
    Application.State.ACCEPTED,
]
# (unit, task) → what becomes of its spending report
REPORTS = [
    ("江西", 2, "confirmed"),
    ("河南", 2, "submitted"),
    ("陕西", 2, "returned"),
    ("贵州", 5, "draft"),
]


def _allocate_year(plan: Plan, hq, on: date, *, projects: bool) -> int:
    bases = PlanUnit.objects.bases(plan)
    n = 0
    for task in services.funded_tasks(plan):
        if task.number == 1 or task.number in DIRECT:
            for a in Assignment.objects.filter(task=task, taken_up=True).select_related("province"):
                amount = (
                    BASE_AMOUNTS.get(bases.get(a.province.code, ""), None)
                    if task.number == 1
                    else DIRECT[task.number]
                )
                if amount is None:
                    continue
                services.allocate(
                    task,
                    a.province,
                    amount=amount,
                    date=on,
                    document_number=f"国知办函〔{plan.year}〕{20 + task.number}号",
                    by=hq,
                )
                n += 1
        elif projects:
            for app in Application.objects.filter(
                call__task=task, state__in=FUNDED_PROJECTS, budget_granted__isnull=False
            ).select_related("province"):
                services.allocate(
                    task,
                    app.province,
                    project=app,
                    amount=app.budget_granted,
                    date=on,
                    document_number=f"国知办函〔{plan.year}〕40号",
                    by=hq,
                )
                n += 1
    return n


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None or Allocation.objects.filter(plan=plan).exists():
        return
    hq = User.objects.get(username="hq")
    n = _allocate_year(plan, hq, date(2018, 5, 15), projects=True)
    paid = 0
    for allocation in Allocation.objects.filter(plan=plan).select_related("province"):
        first = (allocation.amount * Decimal("0.6")).quantize(Decimal("0.01"))
        if not first:
            continue
        services.record_payment(
            allocation, amount=first, date=date(2018, 6, 20), note="首期拨付", by=hq
        )
        paid += 1
        if allocation.project_id or allocation.province.short_name in ("江西", "河南", "陕西"):
            services.record_payment(
                allocation,
                amount=allocation.amount - first,
                date=date(2018, 11, 10),
                note="验收后拨付余款" if allocation.project_id else "二期拨付",
                by=hq,
            )
    categories = {c.name: c.pk for c in SpendingCategory.objects.all()}
    for short, number, target in REPORTS:
        allocation = Allocation.objects.filter(
            plan=plan, task__number=number, province__short_name=short, project__isnull=True
        ).first()
        staff = User.objects.filter(role=Role.PROVINCE_STAFF, province__short_name=short).first()
        if allocation is None or staff is None:
            continue
        spent = allocation.paid
        amounts = {
            categories["培训"]: (spent * Decimal("0.5")).quantize(Decimal("0.01")),
            categories["会议"]: (spent * Decimal("0.2")).quantize(Decimal("0.01")),
            categories["资料"]: (spent * Decimal("0.15")).quantize(Decimal("0.01")),
        }
        report = services.save_spending(
            services.report_for(allocation),
            staff,
            note="用于专利信息利用培训班、工作会议和数据资料采购。",
            amounts=amounts,
        )
        if target == "draft":
            continue
        report.submit(staff, now=moment(plan.year, 12, 15))
        reviewed_at = moment(plan.year, 12, 18)
        if target == "confirmed":
            report.confirm(hq, "", now=reviewed_at)
        elif target == "returned":
            report.return_for_revision(
                hq, "培训费缺少签到表和发票，请补充凭证后重新报送。", now=reviewed_at
            )
    log(f"经费：{n} 笔经费下达，{paid} 笔拨付，{len(REPORTS)} 份经费使用情况")
    current = Plan.objects.for_year(timezone.localdate().year)
    if current is not None and current.pk != plan.pk:
        m = _allocate_year(current, hq, date(current.year, 3, 15), projects=False)
        log(f"经费：{current.year} 年度 {m} 笔经费下达（尚未拨付）")
