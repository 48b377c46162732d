"""Demo calls and applications across the lifecycle."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from planning.models import Plan
from provinces.models import Province

from . import services
from .models import Application, Call

CRITERIA = [("需求明确", 30), ("方案可行", 40), ("预期成效", 30)]
APPS = [
    ("江西", "江西某机电有限公司", "accepted"),
    ("河南", "河南某农机集团", "in_progress"),
    ("贵州", "贵州某大数据企业", "under_review"),
    ("陕西", "陕西某装备制造公司", "rectification"),
    ("河南", "郑州某新材料公司", "rejected"),
    ("江西", "南昌某生物医药企业", "submitted"),
]


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None or Call.objects.exists():
        return
    hq = User.objects.get(username="hq")
    tz = timezone.get_current_timezone()
    call = services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="2018年企业专利信息利用能力建设试点项目",
        opens_at=datetime(2018, 7, 1, tzinfo=tz),
        closes_at=datetime(2030, 12, 31, tzinfo=tz),
        criteria=CRITERIA,
    )
    services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=8),
        project_type="talent",
        title="2018年专利信息人才项目",
        opens_at=datetime(2018, 8, 1, tzinfo=tz),
        closes_at=datetime(2030, 12, 31, tzinfo=tz),
        criteria=[],
    )
    experts = {u.username: u for u in User.objects.filter(role="expert")}
    for short, applicant, target in APPS:
        province = Province.objects.get(short_name=short)
        staff = User.objects.filter(province=province).first()
        app = Application.objects.create(
            call=call,
            province=province,
            applicant=applicant,
            partner_agency="省知识产权服务中心",
            contact_name="刘经理",
            contact_phone="13900139000",
            budget_requested=Decimal("20"),
            plan_text="围绕研发立项、技术转移和海外参展等节点开展专利信息利用，形成节点工作流程。",
            created_by=staff,
        )
        services.submit_application(app, staff)
        if target == "submitted":
            continue
        for expert in experts.values():
            if expert.province_id != province.pk:
                a = services.assign_expert(app, expert, hq)
                services.submit_review(
                    a, {"需求明确": 85, "方案可行": 80, "预期成效": 78}, "approve", "方案具体可行。"
                )
        if target == "under_review":
            continue
        if target == "rejected":
            services.reject(app, hq, "与试点要求契合度不高。")
            continue
        # 江西's applications have one review (the 江西 expert stands aside): HQ overrides
        services.approve(app, hq, applicant, Decimal("15"), "专家建议立项。", override_reviews=True)
        services.sign_agreement(
            app,
            hq,
            number=f"WX-2018-{app.pk:03d}",
            budget=Decimal("15"),
            starts_on=date(2018, 8, 1),
            ends_on=date(2018, 12, 31),
            deliverables=[
                services.DeliverableLine("研发节点专利信息利用流程", date(2018, 11, 30)),
                services.DeliverableLine("企业专利信息分析报告", date(2018, 12, 20)),
            ],
        )
        if target == "in_progress":
            continue
        for d in app.deliverables.all():
            services.report_progress(
                d, staff, percent=100, note="已完成。", done_on=d.due_date, today=date(2018, 12, 31)
            )
        services.request_acceptance(app, staff, "完成节点专利信息利用流程和分析报告。")
        if target == "accepted":
            services.accept(app, hq)
        else:
            services.require_rectification(app, hq, "请补充企业应用效果数据。", date(2019, 3, 31))
    log(f"申报通知 2 个，项目申报 {len(APPS)} 份")
