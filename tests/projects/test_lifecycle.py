"""Projects: one state machine, tested transition by transition, with the refusals."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from projects import services
from projects.models import Application, Call, Criterion, ExpertAssignment
from provinces.models import Province
from tests.conftest import make_user
from workflow.machine import TransitionRefused, history

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(plan_2018):
    now = timezone.now()
    c = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="2018年企业专利信息利用能力建设试点项目申报",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        reviews_required=0,  # decisions here are about states; the minimum has its own tests
    )
    Criterion.objects.create(call=c, name="需求明确", weight=40)
    Criterion.objects.create(call=c, name="方案可行", weight=60)
    return c


@pytest.fixture
def application(call, jiangxi_staff):
    return Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="江西某机电有限公司",
        partner_agency="某专利服务机构",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="针对研发节点开展专利信息利用",
        created_by=jiangxi_staff,
    )


def test_submit_while_open_and_refuse_after_close(application, jiangxi_staff, call):
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    with pytest.raises(TransitionRefused, match="现在不能申报"):
        services.submit_application(application, jiangxi_staff)
    assert Application.objects.get(pk=application.pk).state == "draft"
    call.closes_at = timezone.now() + timedelta(days=1)
    call.save()
    services.submit_application(application, jiangxi_staff)
    assert application.state == "submitted"


def test_expert_from_the_same_province_is_refused(application, jiangxi_staff, hq_reviewer):
    services.submit_application(application, jiangxi_staff)
    jiangxi_expert = make_user("jx_expert", "expert", "江西")
    with pytest.raises(TransitionRefused, match="回避"):
        services.assign_expert(application, jiangxi_expert, hq_reviewer)
    assert not ExpertAssignment.objects.exists()


def test_review_scores_weighted_total_and_spread(application, jiangxi_staff, hq_reviewer, expert):
    services.submit_application(application, jiangxi_staff)
    a1 = services.assign_expert(application, expert, hq_reviewer)
    other = make_user("gz_expert", "expert", "贵州")
    a2 = services.assign_expert(application, other, hq_reviewer)
    assert Application.objects.get(pk=application.pk).state == "under_review"
    with pytest.raises(TransitionRefused):
        services.submit_review(a1, {"需求明确": 80}, "approve", "")
    services.submit_review(a1, {"需求明确": 80, "方案可行": 90}, "approve", "好")
    services.submit_review(a2, {"需求明确": 60, "方案可行": 70}, "revise", "")
    summary = services.score_summary(application)
    assert summary["mean"] == Decimal("76.00") and summary["spread"] == Decimal("20.00")


def test_full_lifecycle_to_acceptance(application, jiangxi_staff, hq_reviewer):
    services.submit_application(application, jiangxi_staff)
    with pytest.raises(TransitionRefused, match="超过申请经费"):
        services.approve(application, hq_reviewer, "江西某机电有限公司", Decimal("30"))
    services.approve(application, hq_reviewer, "江西某机电有限公司", Decimal("15"))
    application.start(hq_reviewer)
    application.request_acceptance(jiangxi_staff, "完成研发节点专利分析报告 3 份")
    with pytest.raises(TransitionRefused):
        application.require_rectification(hq_reviewer, "", date(2019, 3, 31))
    application.require_rectification(hq_reviewer, "报告缺少企业应用效果", date(2019, 3, 31))
    application.request_acceptance(jiangxi_staff, "补充了应用效果")
    application.accept(hq_reviewer)
    application.refresh_from_db()
    assert application.state == "accepted" and application.is_locked
    assert [h.transition for h in history(application)] == [
        "submit",
        "approve",
        "sign_agreement",
        "request_acceptance",
        "rectify",
        "request_acceptance",
        "accept",
    ]
    with pytest.raises(TransitionRefused):
        application.fail(hq_reviewer, "晚了")


def test_reject_needs_a_reason(application, jiangxi_staff, hq_reviewer):
    services.submit_application(application, jiangxi_staff)
    with pytest.raises(TransitionRefused):
        services.reject(application, hq_reviewer, "")
    services.reject(application, hq_reviewer, "需求不明确")
    assert Application.objects.get(pk=application.pk).state == "rejected"


def test_wrong_state_refusals(application, hq_reviewer, jiangxi_staff):
    with pytest.raises(TransitionRefused):
        application.accept(hq_reviewer)
    with pytest.raises(TransitionRefused):
        application.start(hq_reviewer)
    with pytest.raises(TransitionRefused):
        application.request_acceptance(jiangxi_staff, "x")
    assert Application.objects.get(pk=application.pk).state == "draft"


@pytest.mark.django_db(transaction=True)
def test_two_hq_users_deciding_at_once_record_one_decision(
    call, jiangxi_staff, hq_reviewer, hq_reviewer_2
):
    app = Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="x",
    )
    services.submit_application(app, jiangxi_staff)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, verb):
        mine = Application.objects.get(pk=app.pk)  # each thread: its own connection and copy
        barrier.wait(timeout=10)
        try:
            if verb == "approve":
                services.approve(mine, user, "某公司", Decimal("10"))
            else:
                services.reject(mine, user, "不符合条件")
            outcomes[user.username] = "ok"
        except TransitionRefused as exc:
            outcomes[user.username] = exc.message
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(hq_reviewer, "approve")),
        threading.Thread(target=decide, args=(hq_reviewer_2, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()).count("ok") == 1
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "当前状态为" in loser  # the loser is told what happened
    decisions = [
        h
        for h in history(Application.objects.get(pk=app.pk))
        if h.transition in ("approve", "reject")
    ]
    assert len(decisions) == 1


# Every transition × every state it may not start from: refused, and nothing changes.
SOURCES = {
    "submit": {"draft"},
    "start_review": {"submitted"},
    "approve": {"submitted", "under_review"},
    "reject": {"submitted", "under_review"},
    "start": {"approved"},
    "request_acceptance": {"in_progress", "rectification"},
    "accept": {"acceptance_requested"},
    "require_rectification": {"acceptance_requested"},
    "fail": {"acceptance_requested"},
}


def _call(app, name, user):
    args = {
        "submit": (),
        "start_review": (),
        "approve": (),
        "reject": ("理由",),
        "start": (),
        "request_acceptance": ("报告",),
        "accept": ("通过",),
        "require_rectification": ("补充", date(2019, 3, 31)),
        "fail": ("未完成",),
    }[name]
    kwargs = (
        {"undertaking_unit": "某公司", "budget_granted": Decimal("5")} if name == "approve" else {}
    )
    getattr(app, name)(user, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_transition_refuses_every_wrong_state(application, hq_reviewer, name):
    for state in [s for s, _label in Application.State.choices if s not in SOURCES[name]]:
        Application.objects.filter(pk=application.pk).update(state=state)
        application.state = state
        with pytest.raises(TransitionRefused):
            _call(application, name, hq_reviewer)
        assert Application.objects.get(pk=application.pk).state == state, (name, state)
    assert not history(application).exists()


def test_fail_needs_a_reason_and_records_who_when_why(application, hq_reviewer):
    Application.objects.filter(pk=application.pk).update(state="acceptance_requested")
    application.state = "acceptance_requested"
    with pytest.raises(TransitionRefused, match="理由"):
        application.fail(hq_reviewer, "  ")
    assert Application.objects.get(pk=application.pk).state == "acceptance_requested"
    before = timezone.now()
    application.fail(hq_reviewer, "年度任务未完成")
    log = history(application).get()
    assert (log.transition, log.from_state, log.to_state) == (
        "fail",
        "acceptance_requested",
        "failed",
    )
    assert log.actor == hq_reviewer and log.reason == "年度任务未完成" and log.at >= before
    assert Application.objects.get(pk=application.pk).is_locked


def test_conflicted_expert_refused_through_the_api(application, jiangxi_staff, hq_reviewer):
    from tests.conftest import client_for

    services.submit_application(application, jiangxi_staff)
    jiangxi_expert = make_user("jx_expert_api", "expert", "江西")
    response = client_for(hq_reviewer).post(
        f"/api/v1/applications/{application.pk}/assign-expert/",
        {"expert": jiangxi_expert.pk},
        content_type="application/json",
    )
    assert response.status_code == 409 and "回避" in response.json()["detail"]
    assert not ExpertAssignment.objects.exists()
    # and the conflicted expert cannot see the application at all
    listed = client_for(jiangxi_expert).get("/api/v1/applications/").json()
    assert application.pk not in [a["id"] for a in listed["results"]]


def test_a_closed_project_cannot_be_edited_in_the_admin(application, administrator):
    from tests.conftest import client_for

    admin = client_for(administrator)
    url = f"/admin/projects/application/{application.pk}/change/"
    body = {
        "call": application.call_id,
        "province": application.province_id,
        "applicant": "改过的名称",
        "contact_name": "刘",
        "contact_phone": "13800138000",
        "budget_requested": "20",
        "plan_text": "x",
        "deliverables-TOTAL_FORMS": "0",
        "deliverables-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    Application.objects.filter(pk=application.pk).update(state="accepted")
    page = admin.get(url)
    assert page.status_code == 200 and 'name="applicant"' not in page.content.decode()
    assert admin.post(url, body).status_code == 403
    assert admin.post(f"/admin/projects/application/{application.pk}/delete/").status_code == 403
    assert Application.objects.get(pk=application.pk).applicant == "江西某机电有限公司"


def test_a_draft_is_edited_on_the_page_and_api_and_locked_once_submitted(
    application, jiangxi_staff, henan_staff, as_user
):
    from tests.conftest import client_for

    staff = as_user(jiangxi_staff)
    url = f"/projects/applications/{application.pk}/edit/"
    assert "修改草稿" in staff.get(f"/projects/applications/{application.pk}/").content.decode()
    form = {
        "applicant": "江西某机电股份有限公司",
        "partner_agency": "",
        "contact_name": "刘",
        "contact_phone": "13800138000",
        "budget_requested": "18",
        "plan_text": "修订后的实施方案",
    }
    assert as_user(henan_staff).post(url, form).status_code == 404
    assert staff.post(url, {**form, "contact_phone": "12"}).status_code == 200  # form errors
    assert Application.objects.get(pk=application.pk).applicant == "江西某机电有限公司"
    assert staff.post(url, form).status_code == 302
    application.refresh_from_db()
    assert (application.applicant, application.budget_requested) == (
        "江西某机电股份有限公司",
        Decimal("18"),
    )
    api = client_for(jiangxi_staff)
    patched = api.patch(
        f"/api/v1/applications/{application.pk}/",
        {"plan_text": "第三版"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["plan_text"] == "第三版"
    services.submit_application(application, jiangxi_staff)
    refused = api.patch(
        f"/api/v1/applications/{application.pk}/",
        {"plan_text": "提交后再改"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert staff.post(url, {**form, "plan_text": "提交后再改"}).status_code == 302
    assert Application.objects.get(pk=application.pk).plan_text == "第三版"


def test_expert_scores_hq_compares_and_decides_a_batch_through_the_api(
    application, jiangxi_staff, hq_reviewer, expert
):
    from tests.conftest import client_for

    services.submit_application(application, jiangxi_staff)
    other = make_user("api_gz_expert", "expert", "贵州")
    first = services.assign_expert(application, expert, hq_reviewer)
    second = services.assign_expert(application, other, hq_reviewer)
    mine = client_for(expert).get("/api/v1/review-assignments/").json()["results"]
    assert [a["id"] for a in mine] == [first.pk]  # the narrow view: only what is assigned
    assert [c["name"] for c in mine[0]["criteria"]] == ["需求明确", "方案可行"]
    url = f"/api/v1/review-assignments/{first.pk}/review/"
    missing = client_for(expert).post(
        url,
        {"scores": {"需求明确": 80}, "recommendation": "approve"},
        content_type="application/json",
    )
    assert missing.status_code == 409  # every criterion must be scored
    assert client_for(other).post(url, {}, content_type="application/json").status_code == 404
    for who, a, scores in (
        (expert, first, {"需求明确": 80, "方案可行": 90}),
        (other, second, {"需求明确": 60, "方案可行": 70}),
    ):
        done = client_for(who).post(
            f"/api/v1/review-assignments/{a.pk}/review/",
            {"scores": scores, "recommendation": "approve"},
            content_type="application/json",
        )
        assert done.status_code == 200 and done.json()["review"]["scores"] == scores
    board = client_for(hq_reviewer).get(f"/api/v1/applications/{application.pk}/scores/").json()
    assert board["criteria"] == ["需求明确", "方案可行"]
    assert sorted(r["weighted_total"] for r in board["reviews"]) == ["66.00", "86.00"]
    assert (board["mean"], board["spread"]) == ("76.00", "20.00")
    assert (
        client_for(expert).get(f"/api/v1/applications/{application.pk}/scores/").status_code == 403
    )
    decided = client_for(hq_reviewer).post(
        f"/api/v1/calls/{application.call_id}/decide/",
        {"applications": [application.pk], "decision": "approve"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["decided"] == [{"id": application.pk, "state": "approved"}]


def test_a_call_without_criteria_cannot_be_scored(application, jiangxi_staff, hq_reviewer, expert):
    application.call.criteria.all().delete()
    services.submit_application(application, jiangxi_staff)
    assignment = services.assign_expert(application, expert, hq_reviewer)
    with pytest.raises(TransitionRefused, match="没有设置评分项"):
        services.submit_review(assignment, {}, "approve", "")


def test_deliverable_progress_through_the_api(application, jiangxi_staff, henan_staff, hq_reviewer):
    from tests.conftest import client_for

    services.submit_application(application, jiangxi_staff)
    services.approve(application, hq_reviewer, "江西某机电有限公司", Decimal("15"))
    services.sign_agreement(
        application,
        hq_reviewer,
        number="XY-2018-API",
        budget=Decimal("15"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
        deliverables=[services.DeliverableLine("专利分析报告", date(2018, 11, 30))],
    )
    deliverable = application.deliverables.get()
    url = f"/api/v1/applications/{application.pk}/progress/"
    body = {"deliverable": deliverable.pk, "percent": 60, "note": "完成两份报告"}
    assert (
        client_for(henan_staff).post(url, body, content_type="application/json").status_code == 404
    )
    assert (
        client_for(hq_reviewer).post(url, body, content_type="application/json").status_code == 403
    )
    done = client_for(jiangxi_staff).post(url, body, content_type="application/json")
    assert done.status_code == 200
    deliverable.refresh_from_db()
    assert (deliverable.percent, deliverable.progress_note, deliverable.reported_by) == (
        60,
        "完成两份报告",
        jiangxi_staff,
    )
    wrong = client_for(jiangxi_staff).post(
        url, {"deliverable": 999999, "percent": 10}, content_type="application/json"
    )
    assert wrong.status_code == 404
