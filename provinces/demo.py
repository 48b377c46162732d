"""Demo data for the provincial loop: registrations in every state, ledgers with evidence."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Role, User
from notifications.extensions import approve_extension, request_extension
from notifications.models import ExtensionRequest, Notification
from notifications.obligations import owed_by
from notifications.services import offsets, sweep
from planning.demo import live_window
from planning.models import Plan
from workflow.review import save_draft

from . import services
from .models import Assignment, Contact, Evidence, LedgerEntry, Milestone, Registration

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "晓明", "海燕", "丽华", "志强", "文婷", "国庆", "秀英", "立新", "春梅"]
ACTIVITIES = [
    ("training", "举办专利信息利用培训班", 1, 80, 0),
    ("enterprise_service", "走访重点企业，开展专利信息检索分析服务", 0, 0, 6),
    ("publicity", "在知识产权宣传周开展专利信息公益讲座", 0, 150, 0),
    ("association", "与行业协会联合开展产业专利导航", 0, 30, 4),
    ("consultation", "为创新主体提供专利信息咨询", 0, 0, 3),
]
# Provinces that have worked on their registrations, and how far they got.
STATES = {
    "江西": "confirmed",
    "河南": "returned",
    "贵州": "submitted",
    "陕西": "confirmed",
    "北京": "confirmed",
    "江苏": "resubmitted",
    "浙江": "confirmed",
    "山东": "submitted",
    "湖北": "confirmed",
    "广西": "draft",
    "甘肃": "submitted",
    "天津": "confirmed",
    "湖南": "confirmed",
}


# The current year's plan: units still at work on their registrations (one already sent).
LIVE_STATES = {"江西": "draft", "河南": "draft", "广西": "draft", "贵州": "submitted"}


def person(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN)


def fill_registration(
    a: Assignment, staff, rnd: random.Random, steps: list[tuple[date, str, date | None]]
) -> Registration:
    """A demo registration's content, its two contacts and its schedule (due, what, done),
    saved as a draft through the one lifecycle."""
    return save_draft(
        Registration(assignment=a),
        staff,
        {
            "work_content": f"{a.province.short_name}围绕“{a.task.title}”，组织全省专利信息服务网点开展工作，建立工作台账，落实责任到人。",
            "expected_results": "举办专利信息利用培训班 2 期以上，服务企业 30 家以上，形成典型案例 1 个。",
        },
        {
            "contacts": [
                Contact(
                    role="responsible",
                    name=person(rnd),
                    title="处长",
                    phone=f"0{rnd.randint(10, 99)}-{rnd.randint(60000000, 89999999)}",
                    email=f"chu{a.pk}@ipo.example.cn",
                ),
                Contact(
                    role="liaison",
                    name=person(rnd),
                    title="主任科员",
                    phone=f"13{rnd.randint(100000000, 999999999)}",
                    email=f"lianluo{a.pk}@ipo.example.cn",
                ),
            ],
            "milestones": [
                Milestone(due_date=due, description=what, done_on=done) for due, what, done in steps
            ],
        },
    )


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None:
        return
    rnd = random.Random(2018)
    hq = User.objects.filter(username="hq").first()
    made = 0
    for a in (
        Assignment.objects.filter(task__plan=plan, province__short_name__in=STATES, taken_up=True)
        .select_related("province", "task")
        .order_by("province__sort_order", "task__number")
    ):
        target = STATES[a.province.short_name]
        staff = User.objects.filter(province=a.province, role=Role.PROVINCE_STAFF).first()
        if Registration.objects.filter(assignment=a).exists():
            continue
        made += 1
        reg = fill_registration(
            a,
            staff,
            rnd,
            [
                (date(2018, 7, 28), "制定实施方案", date(2018, 7, 25)),
                (date(2018, 9, 28), "举办培训班", None),
                (date(2018, 11, 28), "总结成果与典型案例", None),
            ],
        )
        if target == "draft":
            continue
        submitted_at = timezone.make_aware(
            timezone.datetime(2018, 6, rnd.choice([15, 18, 19, 22]), 10)
        )
        reviewed_at = submitted_at + timedelta(days=3)  # HQ's decision, three days later
        reg.submit(staff, now=submitted_at)
        if target == "returned":
            services.return_registration(
                reg,
                hq,
                "进度安排过于笼统，请按月细化，并补充预期成果的量化指标。",
                now=reviewed_at,
            )
        elif target == "resubmitted":
            services.return_registration(reg, hq, "请补充工作联系人的办公电话。", now=reviewed_at)
            reg.submit(staff, now=submitted_at + timedelta(days=5))
        elif target == "confirmed":
            services.confirm_registration(reg, hq, now=reviewed_at)
    log(f"任务分解报送 {made} 份")

    if LedgerEntry.objects.filter(assignment__task__plan=plan).exists():
        return
    entries = []
    start = date(2018, 7, 1)
    for a in Assignment.objects.filter(
        task__plan=plan, taken_up=True, province__short_name__in=STATES
    ).select_related("province"):
        staff = User.objects.filter(province=a.province).first()
        for _ in range(rnd.randint(2, 5)):
            kind, what, classes, trainees, firms = rnd.choice(ACTIVITIES)
            entries.append(
                LedgerEntry(
                    assignment=a,
                    date=start + timedelta(days=rnd.randint(0, 150)),
                    kind=kind,
                    description=f"{a.province.short_name}{what}",
                    responsible_person=person(rnd),
                    classes_held=classes,
                    trainees=trainees + rnd.randint(0, 60) if trainees else 0,
                    enterprises_served=firms,
                    created_by=staff,
                )
            )
    LedgerEntry.objects.bulk_create(entries)
    for entry in LedgerEntry.objects.filter(kind="training")[:20]:
        Evidence.objects.create(
            entry=entry,
            file=ContentFile(PNG, name="photo.png"),
            original_name="培训现场照片.png",
            content_type="image/png",
            size=len(PNG),
        )
    log(f"工作台账 {len(entries)} 条")


def seed_current_year(log) -> None:
    """The current year's plan (rolled over from 2018): registrations in progress, their
    schedules ahead, and ledger entries dated earlier this year."""
    today = timezone.localdate()
    plan = Plan.objects.for_year(today.year)
    if plan is None or plan.year == 2018:
        return
    if Registration.objects.filter(assignment__task__plan=plan).exists():
        return  # a re-run keeps the year as the demo left it
    rnd = random.Random(today.year)
    start, end = live_window(today)
    middle = start + (end - start) // 2
    made = entries = 0
    for code, target in LIVE_STATES.items():
        staff = User.objects.filter(province__short_name=code).first()
        assignments = list(
            Assignment.objects.filter(task__plan=plan, province__short_name=code, taken_up=True)
            .select_related("province", "task")
            .order_by("task__number")
        )
        for index, a in enumerate(assignments[:2]):
            reg = fill_registration(
                a,
                staff,
                rnd,
                [
                    (start, "制定实施方案", None),
                    (middle, "举办培训班", None),
                    (end, "总结成果", None),
                ],
            )
            made += 1
            if target == "submitted" and index == 0:
                services.submit_registration(reg, staff)
        year_start = date(today.year, 1, 1)
        ledger = [
            LedgerEntry(
                assignment=a,
                date=year_start + timedelta(days=rnd.randint(0, (today - year_start).days)),
                kind=kind,
                description=f"{a.province.short_name}{what}",
                responsible_person=person(rnd),
                classes_held=classes,
                trainees=trainees + rnd.randint(0, 60) if trainees else 0,
                enterprises_served=firms,
                created_by=staff,
            )
            for a in assignments[:2]
            for kind, what, classes, trainees, firms in rnd.sample(ACTIVITIES, 2)
        ]
        LedgerEntry.objects.bulk_create(ledger)
        entries += len(ledger)
    log(f"{plan.year}年度：任务分解报送 {made} 份，工作台账 {entries} 条")


def seed_live_notifications(log) -> None:
    """江西 in the current year's plan: today's reminder as the daily sweep sends it, and two
    延期申请 through the extensions service, one pending and one approved by HQ.

    Runs after 2018 is closed, so the sweep sees only the live year's obligations."""
    today = timezone.localdate()
    plan = Plan.objects.for_year(today.year)
    staff = User.objects.filter(username="jiangxi").first()
    hq = User.objects.filter(username="hq").first()
    if plan is None or plan.year == 2018 or staff is None or hq is None:
        return
    province = staff.province
    owed = [o for o in owed_by(province, [plan]) if o.due >= today]
    # The reminder: the day the sweep reminds 江西 of its soonest item (today when it is due
    # on one of the reminder offsets); a sweep already sent leaves the inbox as it is.
    mine = [o for o in owed if staff.email in o.recipients]
    reminded = Notification.objects.filter(user=staff, kind=Notification.Kind.REMINDER)
    if mine and not reminded.exists():
        # an item due on one of its offsets from today, else the soonest one's nearest day
        due_now = [o for o in mine if (o.due - today).days in (o.offsets or offsets())]
        first = (due_now or mine)[0]
        days = max(d for d in (first.offsets or offsets()) if first.due - timedelta(d) >= today)
        result = sweep(today=first.due - timedelta(days=days))
        log(f"{plan.year}年度：到期提醒 {result.sent} 条")
    if ExtensionRequest.objects.filter(province=province, plan_year=plan.year).exists():
        return  # a re-run keeps the requests as the demo left them
    registration = next((o for o in owed if o.key.startswith("registration:")), None)
    other = next((o for o in owed if o.key.startswith("task-report:")), None)
    if registration is not None:
        request_extension(
            province,
            staff,
            key=registration.key,
            requested_due=registration.due + timedelta(days=14),
            reason="省内网点调整，部分任务的承担单位和联系人尚在确认，需延后两周报送任务分解。",
            today=today,
        )
    if other is not None:
        approved = request_extension(
            province,
            staff,
            key=other.key,
            requested_due=other.due + timedelta(days=21),
            reason="网点服务情况统计需汇总各地市数据，年初统计口径调整，申请延后三周报送。",
            today=today,
        )
        approve_extension(approved, hq, "同意延期，请按新的截止日期报送。")
    log(
        f"{plan.year}年度：延期申请 {ExtensionRequest.objects.filter(province=province).count()} 份"
    )
