"""The main pages of every role, with enough data behind them to show what people see.

Shared by the accessibility gate (axe-core in a browser) and the Nu HTML checker, so both
look at the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from funding import services as funding_services
from funding.models import SpendingCategory
from projects import services as project_services
from projects.models import Application, Call, Criterion
from provinces import services as province_services
from provinces.models import Assignment, LedgerEntry, Registration
from tests.conftest import make_user
from tests.loop.conftest import fill


@dataclass
class Cast:
    users: dict[str, str]  # role → username (password pw-for-tests-only)
    pages: dict[str, list[str]]  # role → paths


def set_the_stage(plan) -> Cast:
    """One person per role and a little of everything: a returned registration, a submitted
    one waiting for review, a ledger entry, an application under review with an expert."""
    staff = make_user("jx_pages", "province_staff", "江西")
    henan = make_user("hn_pages", "province_staff", "河南")
    hq = make_user("hq_pages", "hq_reviewer")
    expert = make_user("expert_pages", "expert", "北京")
    admin = make_user("admin_pages", "administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()

    returned = fill(
        Registration.objects.create(
            assignment=Assignment.objects.get(
                task__plan=plan, task__number=2, province=staff.province
            )
        )
    )
    province_services.submit_registration(returned, staff)
    province_services.return_registration(returned, hq, "请把进度安排细化到月")
    waiting = fill(
        Registration.objects.create(
            assignment=Assignment.objects.get(
                task__plan=plan, task__number=2, province=henan.province
            )
        )
    )
    province_services.submit_registration(waiting, henan)
    LedgerEntry.objects.create(
        assignment=returned.assignment,
        date=plan.issue_date + timedelta(days=30),
        kind=LedgerEntry.Kind.choices[0][0],
        description="举办专利信息利用培训班",
        responsible_person="李江",
        classes_held=1,
        trainees=120,
    )
    now = timezone.now()
    call = Call.objects.create(
        plan=plan,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="企业专利信息利用能力建设试点",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    Criterion.objects.create(call=call, name="需求明确", weight=40)
    Criterion.objects.create(call=call, name="方案可行", weight=60)
    application = Application.objects.create(
        call=call,
        province=staff.province,
        applicant="江西某机电有限公司",
        contact_name="刘经理",
        contact_phone="13900139000",
        budget_requested=Decimal("20"),
        plan_text="围绕研发节点开展专利信息利用。",
    )
    project_services.submit_application(application, staff)
    review = project_services.assign_expert(application, expert, hq)

    allocation, _created = funding_services.allocate(
        plan.tasks.get(number=2),
        staff.province,
        amount=Decimal("20"),
        date=plan.issue_date + timedelta(days=20),
        document_number="国知办函〔2018〕21号",
        by=hq,
    )
    funding_services.record_payment(
        allocation, amount=Decimal("12"), date=plan.issue_date + timedelta(days=40), by=hq
    )
    spending = funding_services.save_spending(
        funding_services.report_for(allocation),
        staff,
        note="培训与会议",
        amounts={SpendingCategory.objects.get(name="培训").pk: Decimal("6")},
    )
    spending.submit(staff)
    spending_of = f"/funding/allocations/{allocation.pk}/spending/"

    registration_of = f"/provinces/assignments/{returned.assignment_id}/"
    year = plan.year
    return Cast(
        users={
            "province_staff": staff.username,
            "hq_reviewer": hq.username,
            "expert": expert.username,
            "administrator": admin.username,
        },
        pages={
            "province_staff": [
                "/provinces/todo/",
                registration_of,
                "/provinces/ledger/",
                "/provinces/ledger/new/",
                "/provinces/ledger/import/",
                "/provinces/contacts/",
                "/notifications/",
                "/provinces/deadlines/",
                f"/plans/{year}/",
                f"/projects/calls/{call.pk}/",
                f"/projects/applications/{application.pk}/",
                f"/reporting/{year}/summaries/{staff.province.code}/",
                "/reporting/cases/",
                "/funding/",
                spending_of,
                "/reporting/trends/",
            ],
            "hq_reviewer": [
                f"/provinces/board/?year={year}",
                "/provinces/review/",
                f"/provinces/assignments/{waiting.assignment_id}/",
                "/provinces/ledger/",
                "/provinces/",
                f"/projects/calls/{call.pk}/",
                f"/projects/applications/{application.pk}/",
                "/projects/totals/",
                "/notifications/extensions/",
                "/plans/deadlines/",
                "/notifications/reminders/",
                f"/notifications/remind/late/?year={year}",
                f"/reporting/{year}/summaries/",
                f"/reporting/{year}/digest/",
                f"/funding/?year={year}",
                f"/funding/allocations/?year={year}",
                f"/funding/allocations/task/2/?year={year}",
                f"/funding/allocations/{allocation.pk}/",
                spending_of,
                "/reporting/trends/",
            ],
            "expert": ["/projects/reviews/", f"/projects/reviews/{review.pk}/"],
            "administrator": ["/plans/", "/plans/import/", f"/plans/{year}/tasks/1/"],
        },
    )
