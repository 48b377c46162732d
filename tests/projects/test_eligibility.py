"""Calls fit their task, and only eligible units apply: one rule for service, page, API and admin.

The 2018 plan's tests bases are 北京 and 江苏 (重点), 天津, 浙江 and 山东 (基础); 海南 is none.
"""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from projects import services
from projects.models import Application, Call
from provinces.models import Province
from tests.conftest import client_for, make_user
from workflow.machine import TransitionRefused

pytestmark = pytest.mark.django_db

NOT_A_KEY_BASE = "海南不是2018年度承担重点项目的基地，不能申报“基地重点项目”。"
NOT_WESTERN_UNIT = "江西不是任务（五）的执行单位，不能申报“西部省区帮扶”。"
WESTERN_UNDER_TASK_3 = (
    "任务（三）“促进专利文献服务网点作用发挥”没有资金支持，不能在其下发布申报通知。"
)
FORM = {
    "applicant": "某单位",
    "partner_agency": "",
    "contact_name": "刘",
    "contact_phone": "13800138000",
    "budget_requested": "20",
    "plan_text": "方案",
}


def open_call(plan, hq, number: int, project_type: str) -> Call:
    now = timezone.now()
    return services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=number),
        project_type=project_type,
        title=f"任务{number} {project_type}",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        criteria=[("方案可行", 100)],
    )


def staff_of(short_name: str):
    return make_user(f"staff_{short_name}", Role.PROVINCE_STAFF, short_name)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- which calls open under which task ------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "project_type"),
    [
        (1, "key_base"),
        (1, "basic_base"),
        (2, "cultivation"),
        (4, "enterprise_pilot"),
        (5, "western_support"),
        (6, "push_pilot"),
        (7, "makerspace_pilot"),
        (8, "talent"),
    ],
)
def test_each_funded_task_opens_its_own_type(plan_2018, hq_reviewer, number, project_type):
    call = open_call(plan_2018, hq_reviewer, number, project_type)
    assert call.criteria.count() == 1


@pytest.mark.parametrize(
    ("number", "project_type", "message"),
    [
        (3, "western_support", WESTERN_UNDER_TASK_3),
        (9, "talent", "任务（九）“开展全国专利信息传播利用工作交流机制建设”没有资金支持，"),
        (5, "talent", "任务（五）的资金直接支持执行单位，不设经评审确定的“专利信息人才项目”"),
        (4, "key_base", "任务（四）的资金经项目申报评审确定，不能发布直接支持执行单位的"),
        (2, "key_base", "任务（二）没有由承担重点项目的基地执行的类别"),
        (2, "western_support", "任务（二）的执行单位不全是西部省区"),
        (8, "enterprise_pilot", "与“企业专利信息利用能力建设试点”无关"),
        (7, "push_pilot", "与“筛选及主动推送试点”无关"),
    ],
)
def test_a_call_that_does_not_fit_its_task_is_refused(
    plan_2018, hq_reviewer, number, project_type, message
):
    with pytest.raises(TransitionRefused) as refused:
        open_call(plan_2018, hq_reviewer, number, project_type)
    assert message in refused.value.message
    assert not Call.objects.exists()


def test_western_support_under_task_3_is_refused_on_the_page(as_user, plan_2018, hq_reviewer):
    task = plan_2018.tasks.get(number=3)
    response = as_user(hq_reviewer).post(
        "/projects/calls/new/?year=2018",
        {
            "task": task.pk,
            "project_type": "western_support",
            "title": "西部帮扶",
            "opens_at": "2018-07-01T09:00",
            "closes_at": "2018-08-01T09:00",
            "reviews_required": 2,
            "criteria": "方案可行 100",
        },
    )
    assert response.status_code == 200
    assert WESTERN_UNDER_TASK_3 in text_of(response)
    assert not Call.objects.exists()


def test_western_support_under_task_3_is_refused_in_the_admin(plan_2018, administrator):
    task = plan_2018.tasks.get(number=3)
    response = client_for(administrator).post(
        "/admin/projects/call/add/",
        {
            "plan": plan_2018.pk,
            "task": task.pk,
            "project_type": "western_support",
            "title": "西部帮扶",
            "opens_at_0": "2018-07-01",
            "opens_at_1": "09:00",
            "closes_at_0": "2018-08-01",
            "closes_at_1": "09:00",
            "reviews_required": 2,
            "criteria-TOTAL_FORMS": 0,
            "criteria-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert WESTERN_UNDER_TASK_3 in text_of(response)
    assert not Call.objects.exists()


def test_an_unfunded_task_opens_no_call_whatever_its_number(plan_2018, hq_reviewer):
    """Funding is the task's property, not its number: unfunded, task 4 opens no call."""
    task = plan_2018.tasks.get(number=4)
    type(task).objects.filter(pk=task.pk).update(funded=False, funding_mode="")
    with pytest.raises(TransitionRefused, match="没有资金支持"):
        open_call(plan_2018, hq_reviewer, 4, "enterprise_pilot")


# --- who may apply --------------------------------------------------------------------------


def test_hainan_is_refused_a_key_base_call(plan_2018, hq_reviewer):
    call = open_call(plan_2018, hq_reviewer, 1, "key_base")
    hainan = staff_of("海南")
    with pytest.raises(TransitionRefused) as refused:
        services.start_application(call, hainan, FORM)
    assert refused.value.message == NOT_A_KEY_BASE
    assert not Application.objects.exists()


def test_hainan_is_refused_alike_on_the_page_and_in_the_api(plan_2018, hq_reviewer):
    call = open_call(plan_2018, hq_reviewer, 1, "key_base")
    client = client_for(staff_of("海南"))
    page = client.post(f"/projects/calls/{call.pk}/apply/", FORM, follow=True)
    assert page.status_code == 200 and NOT_A_KEY_BASE in text_of(page)
    api = client.post("/api/v1/applications/", {**FORM, "call": call.pk})
    assert api.status_code == 409
    assert api.json()["detail"] == NOT_A_KEY_BASE
    assert not Application.objects.exists()


def test_base_projects_go_to_the_bases_of_their_level(plan_2018, hq_reviewer):
    key = open_call(plan_2018, hq_reviewer, 1, "key_base")
    basic = open_call(plan_2018, hq_reviewer, 1, "basic_base")
    assert services.ineligibility(key, Province.objects.get(short_name="北京")) == ""
    assert services.ineligibility(basic, Province.objects.get(short_name="天津")) == ""
    assert services.ineligibility(basic, Province.objects.get(short_name="北京")) == (
        "北京不是2018年度承担基础项目的基地，不能申报“基地基础项目”。"
    )


def test_western_support_only_for_task_5s_units(plan_2018, hq_reviewer, guizhou_staff):
    call = open_call(plan_2018, hq_reviewer, 5, "western_support")
    app = services.start_application(call, guizhou_staff, FORM)
    assert app.province.short_name == "贵州" and app.state == "draft"
    with pytest.raises(TransitionRefused) as refused:
        services.start_application(call, staff_of("江西"), FORM)
    assert refused.value.message == NOT_WESTERN_UNIT


def test_enterprise_pilots_for_any_unit(plan_2018, hq_reviewer):
    call = open_call(plan_2018, hq_reviewer, 4, "enterprise_pilot")
    assert all(services.ineligibility(call, p) == "" for p in Province.objects.all())


def test_an_ineligible_draft_cannot_be_submitted(plan_2018, hq_reviewer):
    """A draft made behind the rule's back (or before the bases changed) is refused at submit."""
    call = open_call(plan_2018, hq_reviewer, 1, "key_base")
    hainan = staff_of("海南")
    app = Application.objects.create(
        call=call,
        province=hainan.province,
        applicant="海南某单位",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
    )
    response = client_for(hainan).post(f"/api/v1/applications/{app.pk}/submit/")
    assert response.status_code == 409
    assert response.json()["detail"] == NOT_A_KEY_BASE
    app.refresh_from_db()
    assert app.state == "draft"
