"""Bad input to the projects pages and API answers with a message and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from projects.models import Application, ExpertAssignment, Review
from provinces.models import Province

pytestmark = pytest.mark.django_db


def make(call, state: str) -> Application:
    return Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="江西某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
        state=state,
    )


def page_errors(response) -> list[str]:
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@pytest.mark.parametrize(
    "budget", ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "1e400", "123456789012", "1.234"]
)
def test_approve_with_a_budget_that_is_not_money_is_refused(as_user, call, hq_reviewer, budget):
    app = make(call, "under_review")
    client = as_user(hq_reviewer)
    response = client.post(
        f"/projects/applications/{app.pk}/approve/",
        {"undertaking_unit": "江西某公司", "budget_granted": budget, "allow_over": "1"},
    )
    assert page_errors(response) == ["资助经费应为金额（万元），最多两位小数，例如 12.50。"]
    response = client.post(
        f"/api/v1/applications/{app.pk}/approve/",
        {"undertaking_unit": "江西某公司", "budget_granted": budget, "allow_over": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and "budget_granted" in response.json()
    app.refresh_from_db()
    assert (app.state, app.budget_granted) == ("under_review", None)


@pytest.mark.parametrize("due", ["2018-02-30", "2018-13-01", "0000-01-01", "99999-01-01"])
def test_rectify_with_an_impossible_date_is_refused(as_user, call, hq_reviewer, due):
    app = make(call, "acceptance_requested")
    client = as_user(hq_reviewer)
    response = client.post(
        f"/projects/applications/{app.pk}/rectify/", {"reason": "材料不全", "due": due}
    )
    assert page_errors(response) == ["整改期限应为有效日期，例如 2018-12-31。"]
    response = client.post(
        f"/api/v1/applications/{app.pk}/rectify/",
        {"reason": "材料不全", "due": due},
        content_type="application/json",
    )
    assert response.status_code == 400 and "due" in response.json()
    app.refresh_from_db()
    assert app.state == "acceptance_requested"


@pytest.mark.parametrize("huge", [2**63, 2**64 + 1, 10**30, 0, -1])
def test_batch_decision_with_ids_out_of_range_answers_400(as_user, call, hq_reviewer, huge):
    app = make(call, "under_review")
    response = as_user(hq_reviewer).post(
        f"/api/v1/calls/{call.pk}/decide/",
        {"applications": [app.pk, huge], "decision": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "applications" in response.json()
    app.refresh_from_db()
    assert app.state == "under_review"


def test_recommendation_outside_the_choices_is_refused(as_user, call, expert):
    app = make(call, "under_review")
    assignment = ExpertAssignment.objects.create(application=app, expert=expert)
    scores = {f"score-{c.pk}": "80" for c in call.criteria.all()}
    client = as_user(expert)
    response = client.post(
        f"/projects/reviews/{assignment.pk}/",
        {**scores, "recommendation": "<script>alert(1)</script>", "comment": ""},
    )
    assert response.status_code == 200
    assert "请选择评审建议" in response.content.decode()
    response = client.post(
        f"/api/v1/review-assignments/{assignment.pk}/review/",
        {
            "scores": {c.name: 80 for c in call.criteria.all()},
            "recommendation": "<script>",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "recommendation" in response.json()
    assert not Review.objects.exists()
    response = client.post(
        f"/projects/reviews/{assignment.pk}/", {**scores, "recommendation": "approve"}
    )
    assert response.status_code == 302 and Review.objects.get().recommendation == "approve"
