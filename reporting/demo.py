"""Demo year end: summaries for most provinces, typical cases, so the digest is a real document."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import Role, User
from planning.demo import moment
from planning.models import Plan
from provinces.models import Case, LedgerEntry, Province, TrainingClass
from workflow.review import save_draft

from . import services
from .models import AnnualSummary, Bulletin

YEAR_END = moment(2018, 12, 20)
REVIEWED = YEAR_END + timedelta(days=3)  # HQ's decisions on the year's summaries and cases

TEXT = {
    "policy_planning": "将专利信息传播利用工作纳入本省知识产权事业发展规划，制定年度实施方案，明确任务分工和时间节点。",
    "system_building": "依托省知识产权服务中心，在地市、园区设立专利信息服务站点，形成省、市、园区三级服务网络。",
    "utilisation": "举办专利信息利用培训班和公益讲座，组织企业开展专利检索分析，推动专利信息在研发和产品进出口中的利用。",
    "intelligence": "面向重点产业开展专利态势分析，向小微企业精准推送专利信息，形成产业专利分析报告。",
    "talent": "选派骨干参加全国专利信息人才培训，建立本省专利信息实务人才库，发挥人才在项目中的作用。",
    "problems": "基层服务站点能力参差不齐，企业对专利信息利用的认识仍需提高。",
    "improvements": "加强站点培训和考核，总结推广典型做法，扩大服务覆盖面。",
    "next_year_ideas": "下一年度将继续完善工作体系，以服务站点为依托扩大专利信息服务覆盖面。",
    "next_year_key_points": "重点推进企业专利信息利用能力建设和人才培养，计划举办培训班 4 期。",
}
CASES = [
    (
        "江西",
        "依托服务站点帮助中小企业开展专利预警",
        "南昌某企业在新产品研发前通过站点开展专利检索，规避侵权风险，节约研发投入。",
    ),
    (
        "陕西",
        "专利信息推送服务助力装备制造企业技术攻关",
        "向企业持续推送相关技术领域专利信息，企业据此调整技术路线，提交发明专利申请 5 件。",
    ),
    (
        "贵州",
        "西部帮扶：重点联系单位带动中小企业",
        "重点联系单位与本地中小企业结对，开展专利信息利用基本技能培训。",
    ),
]


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None:
        return
    hq = User.objects.filter(username="hq").first()
    made = 0
    for province in Province.objects.all()[:24]:
        if AnnualSummary.objects.filter(plan=plan, province=province).exists():
            continue
        made += 1
        staff = User.objects.filter(province=province, role=Role.PROVINCE_STAFF).first()
        summary = save_draft(AnnualSummary(plan=plan, province=province), staff, TEXT)
        summary.submit(staff, now=YEAR_END)
        if province.sort_order % 5 == 0:
            services.return_summary(
                summary, hq, "请补充情报服务部分的具体成果和数据。", now=REVIEWED
            )
        elif province.sort_order % 7 != 0:
            services.confirm_summary(summary, hq, now=REVIEWED)
    for short, title, text in CASES:
        province = Province.objects.get(short_name=short)
        if Case.objects.filter(plan=plan, province=province, title=title).exists():
            continue
        case = save_draft(
            Case(plan=plan, province=province), None, {"title": title, "summary": text}
        )
        case.submit(None, now=YEAR_END)
        case.confirm(hq, now=REVIEWED)
        case.select(hq, digest=True, publication=True, now=REVIEWED)
    log(f"年度工作总结 {made} 份，典型案例 {len(CASES)} 个")
    seed_bulletin(log)


def seed_bulletin(log) -> None:
    from datetime import date

    plan = Plan.objects.for_year(2018)
    hq = User.objects.filter(username="hq").first()
    if plan is None or Bulletin.objects.exists():
        return
    bulletin = Bulletin.objects.create(
        plan=plan,
        title="2018年第三季度全国专利信息传播利用工作进展",
        period_start=date(2018, 7, 1),
        period_end=date(2018, 9, 30),
        created_by=hq,
        introduction="第三季度，各地按照年度工作计划，围绕培训、企业服务和站点建设扎实推进各项工作。",
    )
    bulletin.entries.set(
        LedgerEntry.objects.filter(date__range=(bulletin.period_start, bulletin.period_end))[:12]
    )
    bulletin.cases.set(Case.objects.filter(state=Case.State.CONFIRMED)[:2])
    # The quarter's classes, HQ's and units'; the year's task reports are confirmed later.
    bulletin.trainings.set(
        TrainingClass.objects.filter(
            plan=plan, start_date__range=(bulletin.period_start, bulletin.period_end)
        )[:6]
    )
    bulletin.publish(hq, now=moment(2018, 10, 15))
    log("工作进展 1 期（已发布）")
