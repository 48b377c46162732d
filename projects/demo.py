"""Demo calls and applications across the lifecycle: 2018's are finished history; the
current year has a call open now (applications submitted, one under expert review) and
running projects whose deliverables, rectification and acceptance lie ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from planning.demo import live_window, moment
from planning.models import Plan
from provinces.models import Province

from . import services
from .models import Application, Call, ProjectReport

CRITERIA = [("需求明确", 30), ("方案可行", 40), ("预期成效", 30)]
SCORES = {"需求明确": 85, "方案可行": 80, "预期成效": 78}
# 2018 is closed history: every project there has reached its end.
APPS_2018 = [
    ("江西", "江西某机电有限公司", "accepted"),
    ("河南", "河南某农机集团", "accepted"),
    ("贵州", "贵州某大数据企业", "failed"),
    ("陕西", "陕西某装备制造公司", "accepted"),
    ("河南", "郑州某新材料公司", "rejected"),
]
# The current year: a call open now, and an earlier call whose projects are running.
APPS_OPEN = [
    ("江西", "南昌某生物医药企业", "submitted"),
    ("河南", "洛阳某轴承企业", "submitted"),
    ("贵州", "贵阳某电子信息企业", "under_review"),
]
APPS_RUNNING = [
    ("河南", "河南某智能装备企业", "in_progress"),
    ("陕西", "西安某航空零部件企业", "rectification"),
]
TEXT = "围绕研发立项、技术转移和海外参展等节点开展专利信息利用，形成节点工作流程。"


def _application(call: Call, short: str, applicant: str, now: datetime) -> Application:
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
        plan_text=TEXT,
        created_by=staff,
    )
    services.submit_application(app, staff, now=now)
    return app


def _review(app: Application, hq, experts, *, submit: bool = True, now=None) -> None:
    for expert in experts:
        if expert.province_id != app.province_id:
            a = services.assign_expert(app, expert, hq, now=now)
            if not submit:
                return  # one expert assigned, the review still to come
            services.submit_review(a, SCORES, "approve", "方案具体可行。")


def _run(app, hq, number: str, starts: date, ends: date, deliverables, now=None) -> None:
    """Approved and the agreement signed (``now``: the day of both, by default today)."""
    services.approve(
        app, hq, app.applicant, Decimal("15"), "专家建议立项。", override_reviews=True, now=now
    )
    services.sign_agreement(
        app,
        hq,
        number=number,
        budget=Decimal("15"),
        starts_on=starts,
        ends_on=ends,
        deliverables=[services.DeliverableLine(t, d) for t, d in deliverables],
        now=now,
    )


def _finish(app, staff, today: date, now=None) -> None:
    for d in app.deliverables.all():
        services.report_progress(
            d, staff, percent=100, note="已完成。", done_on=d.due_date, today=today
        )
    services.request_acceptance(app, staff, "完成节点专利信息利用流程和分析报告。", now=now)


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None or Call.objects.exists():
        return
    hq = User.objects.get(username="hq")
    experts = list(User.objects.filter(role="expert").order_by("username"))
    tz = timezone.get_current_timezone()
    call = services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="2018年企业专利信息利用能力建设试点项目",
        opens_at=datetime(2018, 7, 1, tzinfo=tz),
        closes_at=datetime(2018, 9, 30, 17, tzinfo=tz),
        criteria=CRITERIA,
    )
    services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=8),
        project_type="talent",
        title="2018年专利信息人才项目",
        opens_at=datetime(2018, 8, 1, tzinfo=tz),
        closes_at=datetime(2018, 9, 30, 17, tzinfo=tz),
        criteria=[],
    )
    for short, applicant, target in APPS_2018:
        app = _application(call, short, applicant, datetime(2018, 7, 15, 10, tzinfo=tz))
        staff = app.created_by
        _review(app, hq, experts, now=moment(2018, 7, 20))
        decided = moment(2018, 7, 28)
        if target == "rejected":
            services.reject(app, hq, "与试点要求契合度不高。", now=decided)
            continue
        # 江西's applications have one review (the 江西 expert stands aside): HQ overrides
        _run(
            app,
            hq,
            f"WX-2018-{app.pk:03d}",
            date(2018, 8, 1),
            date(2018, 12, 31),
            [
                ("研发节点专利信息利用流程", date(2018, 11, 30)),
                ("企业专利信息分析报告", date(2018, 12, 20)),
            ],
            now=decided,
        )
        _finish(app, staff, date(2018, 12, 31), now=moment(2018, 12, 21))
        if target == "accepted":
            services.accept(app, hq, now=moment(2018, 12, 28))
        else:
            services.fail(app, hq, "未完成协议约定的交付成果。", now=moment(2018, 12, 28))
    made = len(APPS_2018) + seed_current_year(hq, experts)
    log(f"申报通知 {Call.objects.count()} 个，项目申报 {made} 份")


def seed_current_year(hq, experts) -> int:
    """The current year's calls (the plan rolled over from 2018), dated around today."""
    today = timezone.localdate()
    plan = Plan.objects.for_year(today.year)
    if plan is None or plan.year == 2018:
        return 0
    tz = timezone.get_current_timezone()
    now = timezone.now()
    start, end = live_window(today)
    middle = start + (end - start) // 2
    # Both under task 4 (every unit carries it): one open now, one closed months ago whose
    # projects are running.
    open_call = services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title=f"{plan.year}年企业专利信息利用能力建设试点项目（第二批）",
        opens_at=now - timedelta(days=14),
        closes_at=datetime.combine(end, datetime.min.time(), tzinfo=tz).replace(hour=17),
        criteria=CRITERIA,
    )
    running_call = services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title=f"{plan.year}年企业专利信息利用能力建设试点项目（第一批）",
        opens_at=now - timedelta(days=150),
        closes_at=now - timedelta(days=100),
        criteria=CRITERIA,
    )
    for short, applicant, target in APPS_OPEN:
        app = _application(open_call, short, applicant, now)
        if target == "under_review":
            _review(app, hq, experts, submit=False)
    for short, applicant, target in APPS_RUNNING:
        app = _application(
            running_call, short, applicant, running_call.opens_at + timedelta(days=1)
        )
        _review(app, hq, experts)
        if target == "in_progress":
            deliverables = [("研发节点专利信息利用流程", start), ("企业专利信息分析报告", middle)]
        else:  # finished early this year, then sent back to rectify
            deliverables = [("研发节点专利信息利用流程", today - timedelta(days=40))]
        _run(app, hq, f"WX-{plan.year}-{app.pk:03d}", today - timedelta(days=90), end, deliverables)
        if target == "rectification":
            _finish(app, app.created_by, today)
            services.require_rectification(app, hq, "请补充企业应用效果数据。", middle)
    return len(APPS_OPEN) + len(APPS_RUNNING)


def seed_reporting_project(log) -> None:
    """The live year: one running project with a quarterly report schedule, three reports
    apart: the first quarter's confirmed, an extra (unscheduled) report returned with a
    reason, and the second quarter's due five days from today, not yet written."""
    today = timezone.localdate()
    plan = Plan.objects.for_year(today.year)
    if plan is None or plan.year == 2018:
        return
    if Application.objects.filter(call__plan=plan, report_schedule__isnull=False).exists():
        return  # a re-run keeps the year as the demo left it
    hq = User.objects.get(username="hq")
    province = Province.objects.get(short_name="江西")
    staff = User.objects.filter(province=province, role="province_staff").first()
    now = timezone.now()
    task = plan.tasks.get(number=4)  # every unit carries it
    call = services.open_call(
        plan,
        hq,
        task=task,
        project_type="enterprise_pilot",
        title=f"{plan.year}年企业专利信息利用能力建设试点项目（年初批）",
        opens_at=now - timedelta(days=330),
        closes_at=now - timedelta(days=300),
        criteria=CRITERIA,
    )
    app = Application.objects.create(
        call=call,
        province=province,
        applicant="赣州某稀土材料公司",
        partner_agency="江西省知识产权服务中心",
        contact_name="陈经理",
        contact_phone="13900139001",
        budget_requested=Decimal("20"),
        plan_text="围绕稀土材料研发和海外市场开拓开展专利信息利用，建立专利预警机制。",
        created_by=staff,
    )
    services.submit_application(app, staff, now=call.opens_at + timedelta(days=1))
    services.approve(
        app, hq, app.applicant, Decimal("18"), "试点急需，特批立项。", override_reviews=True
    )
    # Quarterly from the agreement's start: the first report fell due three months ago
    # (confirmed), the second falls due five days from today (not written yet), so nothing
    # the live demo owes is overdue; the returned one is an extra report between them.
    starts_on = services.add_months(today + timedelta(days=6), -6)
    ends_on = services.add_months(starts_on, 12) - timedelta(days=1)
    services.sign_agreement(
        app,
        hq,
        number=f"WX-{plan.year}-{app.pk:03d}",
        budget=Decimal("18"),
        starts_on=starts_on,
        ends_on=ends_on,
        deliverables=[
            services.DeliverableLine("稀土材料专利预警报告", ends_on - timedelta(days=60)),
            services.DeliverableLine("企业专利信息利用工作规范", ends_on),
        ],
        report_frequency="quarterly",
    )
    first = app.report_dues.order_by("due_date").first()
    tz = timezone.get_current_timezone()

    def handed_in(due, fields) -> ProjectReport:
        report = services.new_report(app, due, staff, fields, [app.deliverables.first().pk])
        day = min(due.due_date, today - timedelta(days=2)) if due else today - timedelta(days=2)
        report.submit(staff, now=datetime.combine(day, time(10), tzinfo=tz))
        return report

    confirmed = handed_in(
        first,
        {
            "work_done": "完成企业研发节点梳理，开展专利信息检索培训 2 期。",
            "results": "形成研发立项前专利检索流程，检索报告 6 份。",
            "experience": "以研发立项为抓手，把专利检索嵌入立项评审。",
            "problems": "企业研发人员检索能力参差不齐。",
            "next_steps": "开展海外参展前专利预警。",
        },
    )
    services.confirm_report(confirmed, hq)
    confirmed.select_for_digest(hq, True)
    returned = handed_in(
        None,  # an extra report on the trade fair, outside the schedule
        {
            "work_done": "开展海外参展专利预警（专题报告）。",
            "results": "完成预警分析。",
            "next_steps": "整理工作规范。",
        },
    )
    services.return_report(returned, hq, "请补充预警分析涉及的专利数量和企业采纳情况。")
    log(
        f"{plan.year} 年运行中的项目 1 个（按季度报告：已确认 1 份、专题报告退回 1 份、"
        "5 天后到期 1 份未写）"
    )
