"""A call states how many expert reviews a decision needs; fewer needs HQ's override."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from projects import services
from projects.models import Application, Call
from tests.conftest import client_for, make_user
from tests.projects.test_pages_api import make_app
from workflow.machine import TransitionRefused
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def decisions() -> list[tuple[str, str]]:
    return list(
        TransitionLog.objects.filter(transition__in=["approve", "reject"]).values_list(
            "transition", "reason"
        )
    )


@pytest.fixture
def call(call):
    """The shared call asks for no reviews; here it asks for two, the default."""
    call.reviews_required = 2
    call.save(update_fields=["reviews_required"])
    return call


@pytest.fixture
def reviewed_once(call, jiangxi_staff, hq_reviewer, expert):
    """An application with one submitted review, under a call that asks for two."""
    app = make_app(call, "江西", jiangxi_staff)
    assignment = services.assign_expert(app, expert, hq_reviewer)
    services.submit_review(assignment, {"需求明确": 80, "方案可行": 70}, "approve", "")
    app.refresh_from_db()
    return app


def test_approval_below_the_minimum_is_refused_without_override(reviewed_once, hq_reviewer):
    with pytest.raises(TransitionRefused, match="只有 1 份专家评审.*至少 2 份"):
        services.approve(reviewed_once, hq_reviewer, "江西某公司", Decimal("10"), "方案好")
    with pytest.raises(TransitionRefused, match="须选择特批并填写理由"):
        services.approve(
            reviewed_once, hq_reviewer, "江西某公司", Decimal("10"), " ", override_reviews=True
        )
    reviewed_once.refresh_from_db()
    assert reviewed_once.state == "under_review" and reviewed_once.budget_granted is None
    assert decisions() == []


def test_approval_below_the_minimum_with_override_is_recorded(reviewed_once, hq_reviewer):
    services.approve(
        reviewed_once,
        hq_reviewer,
        "江西某公司",
        Decimal("10"),
        "第二位专家回避，时间紧",
        override_reviews=True,
    )
    reviewed_once.refresh_from_db()
    assert reviewed_once.state == "approved"
    assert decisions() == [("approve", "评审不足特批（1/2 份专家评审）：第二位专家回避，时间紧")]


def test_enough_reviews_decide_without_override(reviewed_once, hq_reviewer, henan_staff):
    second = make_user("expert_2", Role.EXPERT, "河南")
    assignment = services.assign_expert(reviewed_once, second, hq_reviewer)
    services.submit_review(assignment, {"需求明确": 60, "方案可行": 50}, "reject", "")
    services.reject(reviewed_once, hq_reviewer, "评分偏低")
    assert decisions() == [("reject", "评分偏低")]


def test_a_call_without_criteria_cannot_be_decided_unreviewed(
    plan_2018, jiangxi_staff, hq_reviewer
):
    """The talent call of the review: no criteria, so no scores; zero reviews never decide."""
    now = timezone.now()
    talent = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=8),
        project_type="talent",
        title="专利信息人才项目申报",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    assert talent.reviews_required == 2  # the default
    app = make_app(talent, "江西", jiangxi_staff)
    with pytest.raises(TransitionRefused, match="只有 0 份专家评审"):
        services.approve(app, hq_reviewer, "某人", Decimal("5"))
    page = client_for(hq_reviewer).get(talent.get_absolute_url()).content.decode()
    assert "尚未设置评分项" in page and "管理后台" in page
    assert "评分项</dt>" not in page  # no empty heading


def test_the_api_refuses_with_409_and_records_the_override(reviewed_once, hq_reviewer):
    client = client_for(hq_reviewer)
    url = f"/api/v1/applications/{reviewed_once.pk}/reject/"
    refused = client.post(url, {"reason": "不符合要求"}, content_type="application/json")
    assert refused.status_code == 409, refused.content
    assert "至少 2 份" in refused.json()["detail"]
    assert Application.objects.get(pk=reviewed_once.pk).state == "under_review"
    done = client.post(
        url, {"reason": "不符合要求", "override_reviews": True}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "rejected"
    assert decisions() == [("reject", "评审不足特批（1/2 份专家评审）：不符合要求")]


def test_the_page_refuses_with_a_message_and_records_the_override(reviewed_once, hq_reviewer):
    client = client_for(hq_reviewer)
    detail = client.get(reviewed_once.get_absolute_url()).content.decode()
    assert "已提交专家评审 1 份，本申报通知要求至少 2 份" in detail
    url = f"/projects/applications/{reviewed_once.pk}/approve/"
    body = {"undertaking_unit": "江西某公司", "budget_granted": "10", "reason": "急需"}
    page = client.post(url, body, follow=True).content.decode()
    assert "“江西某公司”只有 1 份专家评审" in page  # the refusal, as a message
    assert Application.objects.get(pk=reviewed_once.pk).state == "under_review"
    client.post(url, {**body, "override_reviews": "1"})
    assert Application.objects.get(pk=reviewed_once.pk).state == "approved"
    assert decisions() == [("approve", "评审不足特批（1/2 份专家评审）：急需")]


@pytest.mark.parametrize("way", ["page", "api"])
def test_a_batch_with_one_short_application_decides_none(
    way, call, reviewed_once, henan_staff, hq_reviewer
):
    """The batch is all or nothing: one application short of reviews stops the whole batch."""
    call.reviews_required = 1
    call.save(update_fields=["reviews_required"])
    unreviewed = make_app(call, "河南", henan_staff)
    ids = [reviewed_once.pk, unreviewed.pk]
    client = client_for(hq_reviewer)
    if way == "api":
        url = f"/api/v1/calls/{call.pk}/decide/"
        response = client.post(
            url, {"applications": ids, "decision": "approve"}, content_type="application/json"
        )
        assert response.status_code == 409
        assert "河南某公司" in response.json()["detail"]
        assert "本批未作任何决定" in response.json()["detail"]
    else:
        url = f"/projects/calls/{call.pk}/decide/"
        page = client.post(url, {"applications": ids, "decision": "approve"}, follow=True)
        assert "本批未作任何决定" in page.content.decode()
    assert set(Application.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "under_review",
        "submitted",
    }
    assert decisions() == []
    body = {"applications": ids, "decision": "approve", "reason": "专家不足", "override_reviews": 1}
    if way == "api":
        assert client.post(url, body, content_type="application/json").status_code == 200
    else:
        client.post(url, body)
    assert set(Application.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "approved"
    }
    # only the short one is recorded as an override; the reviewed one keeps the plain reason
    assert sorted(decisions()) == [
        ("approve", "专家不足"),
        ("approve", "评审不足特批（0/1 份专家评审）：专家不足"),
    ]


def test_the_call_form_sets_and_the_page_shows_the_minimum(as_user, plan_2018, hq_reviewer):
    data = {
        "task": plan_2018.tasks.get(number=7).pk,
        "project_type": "makerspace_pilot",
        "title": "助力创新创业试点申报",
        "opens_at": "2018-07-01T09:00",
        "closes_at": "2018-07-31T17:00",
        "reviews_required": "3",
        "criteria": "需求明确 50\n方案可行 50",
    }
    as_user(hq_reviewer).post("/projects/calls/new/", data)
    created = Call.objects.get()
    assert created.reviews_required == 3
    page = as_user(hq_reviewer).get(created.get_absolute_url()).content.decode()
    assert '<dd id="reviews-required">3</dd>' in page
    assert "尚未设置评分项" not in page
    api = as_user(hq_reviewer).get(f"/api/v1/calls/{created.pk}/").json()
    assert api["reviews_required"] == 3
