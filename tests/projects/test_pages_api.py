"""Projects on pages and API: scoping, the expert's narrow view, conflict of interest, query counts."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from projects import services
from projects.models import Application, Call, ExpertAssignment
from provinces.models import Province
from provinces.plans import rollover_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def make_app(call, short, staff=None, submit=True):
    app = Application.objects.create(
        call=call,
        province=Province.objects.get(short_name=short),
        applicant=f"{short}某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
    )
    if submit:
        services.submit_application(app, staff)
    return app


def test_staff_apply_and_submit_on_pages(as_user, call, jiangxi_staff):
    client = as_user(jiangxi_staff)
    response = client.post(
        f"/projects/calls/{call.pk}/apply/",
        {
            "applicant": "江西某公司",
            "partner_agency": "",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "budget_requested": "20",
            "plan_text": "方案",
        },
    )
    app = Application.objects.get()
    assert (
        response.status_code == 302 and app.province.short_name == "江西" and app.state == "draft"
    )
    client.post(f"/projects/applications/{app.pk}/submit/")
    app.refresh_from_db()
    assert app.state == "submitted"


def test_other_province_application_is_404(as_user, call, jiangxi_staff, henan_staff):
    app = make_app(call, "江西", jiangxi_staff)
    assert as_user(henan_staff).get(f"/projects/applications/{app.pk}/").status_code == 404
    assert as_user(henan_staff).get(f"/api/v1/applications/{app.pk}/").status_code == 404


def test_expert_sees_only_assigned_applications(
    as_user, call, jiangxi_staff, henan_staff, hq_reviewer, expert
):
    mine = make_app(call, "江西", jiangxi_staff)
    other = make_app(call, "河南", henan_staff)
    assignment = services.assign_expert(mine, expert, hq_reviewer)
    client = as_user(expert)
    assert client.get(f"/projects/reviews/{assignment.pk}/").status_code == 200
    assert client.get(f"/projects/applications/{other.pk}/").status_code == 404
    assert [a["id"] for a in client.get("/api/v1/applications/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/applications/{other.pk}/").status_code == 404
    assert client.get("/projects/").status_code == 404
    page = client.get("/projects/reviews/").content.decode()
    assert "江西某公司" in page and "河南某公司" not in page


def test_expert_scores_through_the_page(as_user, call, jiangxi_staff, hq_reviewer, expert):
    app = make_app(call, "江西", jiangxi_staff)
    assignment = services.assign_expert(app, expert, hq_reviewer)
    c1, c2 = call.criteria.all()
    as_user(expert).post(
        f"/projects/reviews/{assignment.pk}/",
        {f"score-{c1.pk}": "90", f"score-{c2.pk}": "70", "recommendation": "approve"},
    )
    assert ExpertAssignment.objects.get(pk=assignment.pk).review.weighted_total == Decimal("80.00")
    page = as_user(hq_reviewer).get(f"/projects/applications/{app.pk}/").content.decode()
    assert "80.00" in page


def test_expert_reads_a_submitted_review_and_may_change_it_only_under_review(
    as_user, call, jiangxi_staff, hq_reviewer, expert
):
    app = make_app(call, "江西", jiangxi_staff)
    assignment = services.assign_expert(app, expert, hq_reviewer)
    c1, c2 = call.criteria.all()
    url = f"/projects/reviews/{assignment.pk}/"
    client = as_user(expert)
    client.post(
        url,
        {
            f"score-{c1.pk}": "90",
            f"score-{c2.pk}": "70",
            "recommendation": "revise",
            "comment": "好",
        },
    )
    page = client.get(url).content.decode()
    assert 'id="submitted-review"' in page and "80.00" in page
    assert f'name="score-{c1.pk}" required value="90"' in page and "保存修改" in page
    assert '<option value="revise" selected>' in page
    client.post(url, {f"score-{c1.pk}": "60", f"score-{c2.pk}": "70", "recommendation": "approve"})
    assert ExpertAssignment.objects.get(pk=assignment.pk).review.weighted_total == Decimal("65.00")

    services.approve(app, hq_reviewer, "江西某公司", Decimal("10"))
    page = client.get(url).content.decode()
    assert 'id="submitted-review"' in page and "65.00" in page and 'id="review-locked"' in page
    assert 'id="review-form"' not in page and "提交评审" not in page
    response = client.post(
        url,
        {f"score-{c1.pk}": "100", f"score-{c2.pk}": "100", "recommendation": "approve"},
        follow=True,
    )
    assert "该申报已不在评审阶段" in response.content.decode()
    assert ExpertAssignment.objects.get(pk=assignment.pk).review.weighted_total == Decimal("65.00")


def test_conflicted_expert_refused_on_the_page(as_user, call, jiangxi_staff, hq_reviewer):
    app = make_app(call, "江西", jiangxi_staff)
    jx_expert = make_user("jx_exp", "expert", "江西")
    response = as_user(hq_reviewer).post(
        f"/projects/applications/{app.pk}/assign/", {"expert": jx_expert.pk}, follow=True
    )
    assert "回避" in response.content.decode()
    assert not ExpertAssignment.objects.exists()
    assert as_user(jx_expert).get("/api/v1/applications/").json()["count"] == 0


def test_hq_decides_on_the_page_and_staff_cannot(as_user, call, jiangxi_staff, hq_reviewer):
    app = make_app(call, "江西", jiangxi_staff)
    assert (
        as_user(jiangxi_staff)
        .post(
            f"/projects/applications/{app.pk}/approve/",
            {"undertaking_unit": "x", "budget_granted": "10"},
        )
        .status_code
        == 404
    )
    as_user(hq_reviewer).post(
        f"/projects/applications/{app.pk}/approve/",
        {"undertaking_unit": "江西某公司", "budget_granted": "10"},
    )
    app.refresh_from_db()
    assert app.state == "approved" and app.budget_granted == Decimal("10")


def test_page_actions_say_what_happened_to_what_and_ask_first(
    as_user, call, jiangxi_staff, hq_reviewer, expert
):
    app = make_app(call, "江西", jiangxi_staff, submit=False)
    staff, hq = as_user(jiangxi_staff), as_user(hq_reviewer)
    said = staff.post(f"/projects/applications/{app.pk}/submit/", follow=True).content.decode()
    assert "申报“江西某公司”已提交，等待专利文献部评审。" in said
    said = hq.post(
        f"/projects/applications/{app.pk}/assign/", {"expert": expert.pk}, follow=True
    ).content.decode()
    assert f"已分配专家 {expert.display_name()} 评审“江西某公司”。" in said
    page = hq.get(f"/projects/applications/{app.pk}/").content.decode()
    assert 'data-confirm="确认立项？立项后不能撤销。"' in page
    assert 'data-confirm="确认不予立项？此决定不能撤销。"' in page
    said = hq.post(
        f"/projects/applications/{app.pk}/approve/",
        {"undertaking_unit": "江西某公司", "budget_granted": "10"},
        follow=True,
    ).content.decode()
    assert "项目“江西某公司”已立项，资助经费 10 万元。" in said and "已处理" not in said


def test_export_is_scoped(as_user, call, jiangxi_staff, henan_staff):
    make_app(call, "江西", jiangxi_staff)
    make_app(call, "河南", henan_staff)
    content = as_user(jiangxi_staff).get("/projects/export.xlsx").content
    values = [
        c.value
        for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()
        for c in row
    ]
    assert "江西某公司" in values and "河南某公司" not in values


def test_list_pages_and_api_query_counts_are_fixed(
    as_user, call, jiangxi_staff, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    make_app(call, "江西", jiangxi_staff)
    with django_assert_max_num_queries(8):
        assert client.get("/projects/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/projects/calls/{call.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/applications/")
    assert response.status_code == 200 and response.json()["count"] == 1
    for short in ["河南", "贵州", "陕西", "北京", "天津", "上海", "江苏"]:
        make_app(call, short, None, submit=False)
    with django_assert_max_num_queries(8):
        assert client.get("/projects/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/projects/calls/{call.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/applications/")
    assert response.status_code == 200 and response.json()["count"] == 8


def test_application_page_rounds_the_spread_and_states_the_upload_limit(
    as_user, call, jiangxi_staff, hq_reviewer, expert
):
    app = make_app(call, "江西", jiangxi_staff)
    second = make_user("expert_2", "expert", "河南")
    c1, c2 = call.criteria.all()
    for who, scores in ((expert, (90, 70)), (second, (85, 60))):
        assignment = services.assign_expert(app, who, hq_reviewer)
        services.submit_review(assignment, {c1.name: scores[0], c2.name: scores[1]}, "approve", "")
    page = as_user(hq_reviewer).get(f"/projects/applications/{app.pk}/").content.decode()
    spread = services.score_summary(app)["spread"]
    assert spread == Decimal("7.50")
    assert "专家间分差 7.50。" in page and "0000" not in page
    staff_page = as_user(jiangxi_staff).get(f"/projects/applications/{app.pk}/").content.decode()
    assert "不超过限制大小" not in staff_page


def test_review_assignments_api_lists_the_working_plan_or_year(
    as_user, call, plan_2018, jiangxi_staff, henan_staff, hq_reviewer, expert
):
    old = services.assign_expert(make_app(call, "江西", jiangxi_staff), expert, hq_reviewer)
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    plan_2019.publish(None, "测试")
    now = timezone.now()
    call_2019 = Call.objects.create(
        plan=plan_2019,
        task=plan_2019.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="2019 试点申报",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    new = services.assign_expert(make_app(call_2019, "河南", henan_staff), expert, hq_reviewer)
    for user in (expert, hq_reviewer):
        client = as_user(user)
        listed = client.get("/api/v1/review-assignments/?year=2018").json()
        assert [a["id"] for a in listed["results"]] == [old.pk]
        listed = client.get("/api/v1/review-assignments/?year=2019").json()
        assert [a["id"] for a in listed["results"]] == [new.pk]
        # without a year, the working plan's (the newest published) and not every year's
        listed = client.get("/api/v1/review-assignments/").json()
        assert [a["id"] for a in listed["results"]] == [new.pk]
        # an assignment of another year is still read by its id
        assert client.get(f"/api/v1/review-assignments/{old.pk}/").status_code == 200, user
