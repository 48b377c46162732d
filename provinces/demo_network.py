"""Demo data for the service network and training classes: for 2018 and for the current
year (carried over from 2018 as a rollover would), several units' entities and classes,
and HQ's own classes of the 2018 notice (two 专利信息人才培训班, the 网点业务培训班 and the
公益讲座)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Role, User
from planning.models import Plan

from .models import Assignment, PlanUnit, Province
from .network import (
    EntityKind,
    EntityState,
    EntitySubkind,
    NetworkEntity,
    TrainingAttendee,
    TrainingClass,
    carry_network,
)

# unit → (kind, sub-kind, name, place, state); the base (if the unit hosts one) comes first
ENTITIES = {
    "江西": [
        (
            EntityKind.STATION,
            EntitySubkind.BRANCH,
            "赣州市专利信息传播利用分中心",
            "赣州市",
            "running",
        ),
        (
            EntityKind.STATION,
            EntitySubkind.SERVICE_STATION,
            "南昌高新区专利信息服务站",
            "南昌市高新区",
            "running",
        ),
        (EntityKind.STATION, EntitySubkind.LIAISON, "九江市专利信息联络点", "九江市", "preparing"),
        (EntityKind.OUTLET, "", "江西省图书馆专利文献服务网点", "南昌市", "running"),
        (EntityKind.MAKER_SPACE, "", "南昌大学科技园众创空间", "南昌市", "running"),
        (EntityKind.ENTERPRISE, EntitySubkind.PILOT, "江西铜业股份有限公司", "鹰潭市", "running"),
    ],
    "河南": [
        (
            EntityKind.STATION,
            EntitySubkind.SERVICE_STATION,
            "洛阳市专利信息服务站",
            "洛阳市",
            "running",
        ),
        (EntityKind.STATION, EntitySubkind.LIAISON, "新乡市专利信息联络点", "新乡市", "running"),
        (EntityKind.OUTLET, "", "郑州大学图书馆专利文献服务网点", "郑州市", "running"),
        (EntityKind.ENTERPRISE, EntitySubkind.SERVED, "宇通客车股份有限公司", "郑州市", "running"),
    ],
    "北京": [
        (
            EntityKind.STATION,
            EntitySubkind.SERVICE_STATION,
            "中关村专利信息服务站",
            "海淀区",
            "running",
        ),
        (
            EntityKind.STATION,
            EntitySubkind.LIAISON,
            "亦庄经济开发区专利信息联络点",
            "大兴区",
            "running",
        ),
        (EntityKind.OUTLET, "", "北京市科学技术情报研究所专利文献服务网点", "海淀区", "running"),
        (EntityKind.ASSOCIATION, "", "中关村知识产权促进会", "海淀区", "running"),
        (EntityKind.ALLIANCE, "", "首都新能源汽车产业知识产权联盟", "大兴区", "running"),
    ],
    "江苏": [
        (
            EntityKind.STATION,
            EntitySubkind.BRANCH,
            "苏州市专利信息传播利用分中心",
            "苏州市",
            "running",
        ),
        (EntityKind.OUTLET, "", "南京工业大学专利文献服务网点", "南京市", "running"),
        (EntityKind.MAKER_SPACE, "", "苏州工业园区创业苗圃", "苏州市", "running"),
        (EntityKind.ALLIANCE, "", "江苏省物联网产业知识产权联盟", "无锡市", "stopped"),
    ],
    "贵州": [
        (EntityKind.KEY_CONTACT, "", "贵州茅台酒股份有限公司", "仁怀市", "running"),
        (EntityKind.KEY_CONTACT, "", "贵州航天电器股份有限公司", "贵阳市", "running"),
        (EntityKind.OUTLET, "", "贵州大学专利文献服务网点", "贵阳市", "running"),
    ],
    "天津": [
        (EntityKind.MAKER_SPACE, "", "天津滨海新区众创空间", "滨海新区", "running"),
        (EntityKind.OUTLET, "", "天津大学专利文献服务网点", "南开区", "running"),
    ],
}
# (unit or None for HQ, task number, title, month, day, days, place, teachers, attendees)
CLASSES_2018 = [
    (
        None,
        8,
        "2018年第一期全国专利信息人才培训班",
        7,
        16,
        5,
        "北京",
        "专利文献部、专利检索咨询中心专家",
        120,
    ),
    (
        None,
        8,
        "2018年第二期全国专利信息人才培训班",
        10,
        15,
        5,
        "杭州",
        "专利文献部、浙江省知识产权局专家",
        115,
    ),
    (None, 3, "2018年专利文献服务网点业务培训班", 9, 10, 3, "北京", "专利文献部", 96),
    (
        None,
        8,
        "知识产权公益讲座：专利信息检索与利用",
        11,
        8,
        1,
        "国家知识产权局公益讲座平台（线上）",
        "专利文献部",
        860,
    ),
    (
        "北京",
        1,
        "专利质量提升工程专利信息利用培训班（第一期）",
        8,
        2,
        2,
        "北京",
        "北京市知识产权局专家",
        150,
    ),
    (
        "北京",
        1,
        "专利质量提升工程专利信息利用培训班（第二期）",
        10,
        25,
        2,
        "北京",
        "北京市知识产权局专家",
        132,
    ),
    (
        "江苏",
        1,
        "专利质量提升工程专利信息利用培训班",
        9,
        20,
        2,
        "南京",
        "江苏省知识产权局专家",
        140,
    ),
    (
        "江西",
        2,
        "江西省专利信息实务人才能力培训班",
        8,
        22,
        3,
        "南昌",
        "江西省知识产权局、南昌大学",
        88,
    ),
    ("河南", 2, "河南省专利信息利用能力培训班", 9, 12, 2, "郑州", "河南省知识产权局专家", 76),
]
ROSTER = [
    ("王建国", "江西铜业股份有限公司"),
    ("李晓明", "南昌大学"),
    ("张海燕", "江西省知识产权局"),
]


def _entities(plan: Plan) -> int:
    if NetworkEntity.objects.filter(plan=plan).exists():
        return 0
    bases = PlanUnit.objects.bases(plan)
    rows = []
    for short_name, entries in ENTITIES.items():
        province = Province.objects.get(short_name=short_name)
        base = None
        if province.code in bases:
            base = NetworkEntity.objects.create(
                plan=plan,
                province=province,
                kind=EntityKind.BASE,
                level=bases[province.code],
                name=f"{short_name}国家级专利信息传播利用基地",
                place=province.name,
                contact_name="张立新",
                contact_phone="010-62086172",
            )
        for kind, subkind, name, place, state in entries:
            rows.append(
                NetworkEntity(
                    plan=plan,
                    province=province,
                    kind=kind,
                    subkind=subkind,
                    name=name,
                    place=place,
                    state=EntityState(state),
                    parent=base if kind == EntityKind.STATION else None,
                    contact_name="王文婷",
                    contact_phone="13800138000",
                )
            )
    NetworkEntity.objects.bulk_create(rows)
    return NetworkEntity.objects.filter(plan=plan).count()


def _classes(plan: Plan, year: int, up_to: date | None = None) -> int:
    if TrainingClass.objects.filter(plan=plan).exists():
        return 0
    hq = User.objects.filter(username="hq").first()
    made = 0
    for unit, number, title, month, day, days, place, teachers, attendees in CLASSES_2018:
        start = date(year, month, day)
        if up_to is not None and start > up_to:
            continue
        task = plan.tasks.filter(number=number).first()
        province = Province.objects.get(short_name=unit) if unit else None
        if task is None or (
            province is not None
            and not Assignment.objects.filter(task=task, province=province).exists()
        ):
            continue
        staff = (
            User.objects.filter(province=province, role=Role.PROVINCE_STAFF).first()
            if province
            else hq
        )
        training = TrainingClass.objects.create(
            plan=plan,
            province=province,
            task=task,
            title=title.replace("2018", str(year)),
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            place=place,
            teachers=teachers,
            attendee_count=attendees,
            created_by=staff,
        )
        if unit == "江西":
            TrainingAttendee.objects.bulk_create(
                TrainingAttendee(training=training, name=n, organisation=o) for n, o in ROSTER
            )
        made += 1
    return made


def seed(log) -> None:
    plan = Plan.objects.for_year(2018)
    if plan is None:
        return
    entities = _entities(plan)
    classes = _classes(plan, 2018)
    log(f"2018年度：服务网络 {entities} 个，培训班 {classes} 期")


def seed_current_year(log) -> None:
    """The current year's network is 2018's carried over (as rollover carries it); its
    classes are 2018's, dated in this year."""
    today = timezone.localdate()
    plan = Plan.objects.for_year(today.year)
    source = Plan.objects.for_year(2018)
    if plan is None or source is None or plan.year == 2018:
        return
    carried = carry_network(source, plan)
    classes = _classes(plan, today.year)
    log(f"{plan.year}年度：结转服务网络 {carried} 个，培训班 {classes} 期")
