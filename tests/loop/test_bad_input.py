"""Bad input to the loop's pages and API answers 400 or a form error, never a 500."""

from __future__ import annotations

import pytest

from provinces.models import Milestone
from tests.loop.test_registration import form_data

pytestmark = pytest.mark.django_db


def save_step(client, assignment, due: str, done: str):
    return client.post(
        f"/provinces/assignments/{assignment.pk}/",
        form_data(**{"ms-0-due_date": due, "ms-0-done_on": done}),
    )


@pytest.mark.parametrize(
    "due,done", [("0001-01-01", ""), ("0001-01-01", "0001-01-01"), ("0001-01-01", "0001-06-30")]
)
def test_a_schedule_step_dated_year_one_is_answered_not_a_500(
    as_user, jiangxi_task2, jiangxi_staff, due, done
):
    response = save_step(as_user(jiangxi_staff), jiangxi_task2, due, done)
    # Saved as typed (302), or refused by the shared date bounds with a form error (200).
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    "due,done,refused",
    [
        ("2020-02-29", "2020-03-01", False),  # a leap day has no counterpart a year before
        ("2020-02-29", "2019-03-01", False),
        ("2020-02-29", "2019-02-27", True),
    ],
)
def test_done_more_than_a_year_before_due_is_checked_by_days(
    as_user, plan_2018, notice_text, jiangxi_staff, due, done, refused
):
    from provinces.models import Assignment
    from provinces.plans import import_plan

    plan = import_plan(notice_text.replace("2019", "2020").replace("2018", "2019")).plan
    plan.publish(None)  # 2020 in window; a unit works only in a published plan
    assignment = Assignment.objects.get(
        task__plan__year=2019, task__number=2, province__short_name="江西"
    )
    response = save_step(as_user(jiangxi_staff), assignment, due, done)
    if refused:
        assert response.status_code == 200
        assert "实际完成日期早于计划完成日期一年以上" in response.content.decode()
        assert not Milestone.objects.exists()
    else:
        assert response.status_code == 302
        assert [str(d) for d in Milestone.objects.values_list("done_on", flat=True)] == [done]


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_a_json_body_nested_too_deep_answers_400(as_user, jiangxi_staff, depth):
    response = as_user(jiangxi_staff).post(
        "/api/v1/registrations/",
        "[" * depth + "]" * depth,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]
