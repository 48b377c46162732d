"""Demo task reports (专项报送) and follow-up notices (另行通知), for 2018 and the current year.

2018 has the notice's three reports: task 3's 网点开展专利信息服务情况, task 6's
企业应用成果报告 and task 7's 众创空间专利信息服务效果评价指标, with submissions in several
states (one returned with a reason), and a notice half read that asks for a reply.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Role, User
from planning.models import Plan

from . import services
from .models import (
    Assignment,
    FieldKind,
    Notice,
    NoticeReceipt,
    TaskReport,
    TaskReportDefinition,
    TaskReportField,
)

REPORTS = [
    (
        3,
        "网点开展专利信息服务情况",
        [
            ("服务网点数量（个）", FieldKind.INTEGER, True),
            ("提供检索咨询服务（人次）", FieldKind.INTEGER, True),
            ("举办公益讲座（场）", FieldKind.INTEGER, False),
            ("服务开展情况", FieldKind.LONG_TEXT, True),
        ],
    ),
    (
        6,
        "企业应用成果报告",
        [
            ("推送企业（家）", FieldKind.INTEGER, True),
            ("推送专利信息（条）", FieldKind.INTEGER, True),
            ("企业新增研发投入（万元）", FieldKind.DECIMAL, False),
            ("典型应用成果", FieldKind.LONG_TEXT, True),
        ],
    ),
    (
        7,
        "众创空间专利信息服务效果评价指标",
        [
            ("服务众创空间（家）", FieldKind.INTEGER, True),
            ("入驻创业团队覆盖率（%）", FieldKind.DECIMAL, True),
            ("专利申请量（件）", FieldKind.INTEGER, True),
            ("评价完成日期", FieldKind.DATE, False),
            ("效果评价", FieldKind.LONG_TEXT, True),
        ],
    ),
]
SAMPLE = {
    FieldKind.INTEGER: lambda i: 10 + 7 * i,
    FieldKind.DECIMAL: lambda i: f"{35 + i}.5",
    FieldKind.DATE: lambda i: None,
    FieldKind.TEXT: lambda i: "按计划完成",
    FieldKind.LONG_TEXT: lambda i: "围绕任务要求开展服务，建立工作台账，服务效果良好。",
}
RETURN_REASON = "请补充各网点的服务人次明细，并说明与上年相比的变化。"


def _define(plan: Plan, due: date, hq) -> list[TaskReportDefinition]:
    made = []
    for number, title, fields in REPORTS:
        task = plan.tasks.filter(number=number).first()
        if task is None:
            continue
        definition, created = TaskReportDefinition.objects.get_or_create(
            task=task,
            title=title,
            defaults={"due_date": due, "reminder_offsets": "14,7,1,0", "created_by": hq},
        )
        if created:
            TaskReportField.objects.bulk_create(
                TaskReportField(
                    definition=definition, label=label, kind=kind, required=req, order=i
                )
                for i, (label, kind, req) in enumerate(fields)
            )
        made.append(definition)
    return made


def _file(definition: TaskReportDefinition, limit: int, hq, states: list[str], when) -> int:
    """The first units carrying the task file their report, each to the given state."""
    made = 0
    carrying = (
        Assignment.objects.filter(task=definition.task, taken_up=True)
        .select_related("province")
        .order_by("province__sort_order")[:limit]
    )
    for index, assignment in enumerate(carrying):
        if TaskReport.objects.filter(definition=definition, province=assignment.province).exists():
            continue
        # A unit without a demo login files as the system (None), as the demo's history does.
        staff = User.objects.filter(province=assignment.province, role=Role.PROVINCE_STAFF).first()
        values = {}
        for i, f in enumerate(definition.fields.all()):
            value = SAMPLE[f.kind](i + index)
            if f.kind == FieldKind.DATE:
                value = (definition.due_date - timedelta(days=5)).isoformat()
            values[f.key] = value
        report = services.save_task_report(
            TaskReport(definition=definition, province=assignment.province), staff, values
        )
        made += 1
        state = states[index % len(states)]
        if state == "draft":
            continue
        report.submit(staff, now=when)
        if state == "returned":
            services.return_task_report(report, hq, RETURN_REASON, now=when + timedelta(days=2))
        elif state == "confirmed":
            services.confirm_task_report(report, hq, now=when + timedelta(days=2))
    return made


def _notice(plan: Plan, hq, reply_by: date | None, sent_at=None) -> Notice | None:
    title = f"关于报送{plan.year}年度网点专利信息服务情况的通知"
    if Notice.objects.filter(plan=plan, title=title).exists():
        return None
    notice = Notice.objects.create(
        plan=plan,
        title=title,
        number=f"知文献函〔{plan.year}〕21号",
        body=(
            "各省、自治区、直辖市及新疆生产建设兵团知识产权局：\n"
            "根据年度工作计划“具体事宜，另行通知”的安排，请按附表要求报送本地区专利文献服务网点"
            "开展专利信息服务的情况。"
        ),
        audience=Notice.Audience.ALL,
        reply_by=reply_by,
        created_by=hq,
    )
    services.send_notice(notice, hq, now=sent_at)
    receipts = list(notice.receipts.select_related("province").order_by("province__sort_order"))
    for receipt in receipts[: len(receipts) // 2]:  # half the units have read it
        staff = User.objects.filter(province=receipt.province, role=Role.PROVINCE_STAFF).first()
        if staff is not None:
            services.mark_notice_read(notice, staff)
        else:  # a unit without a demo login: read, by someone the demo does not know
            NoticeReceipt.objects.filter(pk=receipt.pk).update(read_at=timezone.now())
    return notice


def seed(log) -> None:
    hq = User.objects.filter(username="hq").first()
    plan = Plan.objects.for_year(2018)
    if plan is not None:
        when = timezone.make_aware(timezone.datetime(2018, 11, 26, 10))
        made = 0
        for definition in _define(plan, date(2018, 11, 30), hq):
            made += _file(definition, 4, hq, ["confirmed", "returned", "submitted", "draft"], when)
        _notice(plan, hq, date(2018, 12, 10), sent_at=when - timedelta(days=6))
        log(f"2018年度：专项报送 3 项，填报 {made} 份；通知 1 份（半数单位已读）")
    today = timezone.localdate()
    current = Plan.objects.for_year(today.year)
    if current is not None and current.year != 2018:
        made = 0
        for definition in _define(current, today + timedelta(days=30), hq):
            made += _file(definition, 2, hq, ["submitted", "draft"], timezone.now())
        _notice(current, hq, today + timedelta(days=20))
        log(f"{current.year}年度：专项报送 3 项，填报 {made} 份；通知 1 份")
