"""The loop's API: scoped exactly as the pages are, with the same transitions."""

from __future__ import annotations

import pytest

from provinces.models import Assignment, LedgerEntry, Registration
from tests.loop.conftest import fill

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "work_content": "建设站点",
    "expected_results": "培训 2 期",
    "contacts": [
        {
            "role": "responsible",
            "name": "李处长",
            "title": "处长",
            "phone": "0791-86000000",
            "email": "li@jx.cn",
        },
        {
            "role": "liaison",
            "name": "王",
            "title": "科员",
            "phone": "13800138000",
            "email": "w@jx.cn",
        },
    ],
    "milestones": [{"due_date": "2018-09-30", "description": "完成站点建设"}],
}


def test_staff_create_and_submit_through_the_api(as_user, jiangxi_task2, jiangxi_staff):
    client = as_user(jiangxi_staff)
    created = client.post(
        "/api/v1/registrations/",
        {**PAYLOAD, "assignment": jiangxi_task2.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    submitted = client.post(f"/api/v1/registrations/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    again = client.post(f"/api/v1/registrations/{pk}/submit/")
    assert again.status_code == 409 and "不能执行" in again.json()["detail"]


def test_bad_phone_is_400(as_user, jiangxi_task2, jiangxi_staff):
    body = {**PAYLOAD, "assignment": jiangxi_task2.pk}
    body["contacts"] = [{**PAYLOAD["contacts"][0], "phone": "123"}]
    response = as_user(jiangxi_staff).post(
        "/api/v1/registrations/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_cannot_register_for_another_province(as_user, henan_task2, jiangxi_staff):
    response = as_user(jiangxi_staff).post(
        "/api/v1/registrations/",
        {**PAYLOAD, "assignment": henan_task2.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_other_province_registration_is_404(as_user, submitted, henan_staff):
    client = as_user(henan_staff)
    assert client.get(f"/api/v1/registrations/{submitted.pk}/").status_code == 404
    assert client.post(f"/api/v1/registrations/{submitted.pk}/submit/").status_code == 404
    assert client.get("/api/v1/registrations/").json()["count"] == 0


def test_hq_return_needs_reason_then_confirm(as_user, submitted, hq_reviewer, jiangxi_staff):
    client = as_user(hq_reviewer)
    refused = client.post(
        f"/api/v1/registrations/{submitted.pk}/return/",
        {"reason": ""},
        content_type="application/json",
    )
    assert refused.status_code == 409
    ok = client.post(
        f"/api/v1/registrations/{submitted.pk}/return/",
        {"reason": "请细化"},
        content_type="application/json",
    )
    assert ok.json()["state"] == "returned"
    assert (
        as_user(jiangxi_staff).post(f"/api/v1/registrations/{submitted.pk}/confirm/").status_code
        == 403
    )


def test_confirmed_registration_cannot_be_edited_via_api(
    as_user, submitted, hq_reviewer, jiangxi_staff
):
    as_user(hq_reviewer).post(f"/api/v1/registrations/{submitted.pk}/confirm/")
    response = as_user(jiangxi_staff).patch(
        f"/api/v1/registrations/{submitted.pk}/",
        {"work_content": "改"},
        content_type="application/json",
    )
    assert response.status_code == 409 and "已锁定" in response.json()["detail"]
    assert response.json()["state"] == "confirmed"
    submitted.refresh_from_db()
    assert submitted.work_content != "改"


def test_registration_filters(as_user, submitted, hq_reviewer):
    client = as_user(hq_reviewer)
    assert client.get("/api/v1/registrations/?state=submitted&province=360000").json()["count"] == 1
    assert client.get("/api/v1/registrations/?state=confirmed").json()["count"] == 0
    assert client.get("/api/v1/registrations/?task=2&year=2018").json()["count"] == 1


def test_ledger_api_scoped_and_writable_by_staff(
    as_user, jiangxi_task2, henan_task2, jiangxi_staff, henan_staff, hq_reviewer
):
    client = as_user(jiangxi_staff)
    body = {
        "assignment": jiangxi_task2.pk,
        "date": "2018-07-01",
        "kind": "training",
        "description": "培训",
        "responsible_person": "李",
        "classes_held": 1,
    }
    created = client.post("/api/v1/ledger-entries/", body, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert as_user(henan_staff).get(f"/api/v1/ledger-entries/{pk}/").status_code == 404
    assert as_user(henan_staff).delete(f"/api/v1/ledger-entries/{pk}/").status_code == 404
    assert (
        client.post(
            "/api/v1/ledger-entries/",
            {**body, "assignment": henan_task2.pk},
            content_type="application/json",
        ).status_code
        == 400
    )
    assert (
        as_user(hq_reviewer)
        .post("/api/v1/ledger-entries/", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        as_user(hq_reviewer)
        .get("/api/v1/ledger-entries/?province=360000&date_from=2018-06-01")
        .json()["count"]
        == 1
    )


def test_api_list_query_counts_are_fixed(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    assignments = list(Assignment.objects.filter(task__number=3)[:30])
    for a in assignments[:3]:
        fill(Registration.objects.create(assignment=a))
        LedgerEntry.objects.create(
            assignment=a,
            date="2018-07-01",
            kind="training",
            description="x",
            responsible_person="y",
        )
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/registrations/")
    assert response.status_code == 200 and response.json()["count"] == 3
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/ledger-entries/")
    assert response.status_code == 200 and response.json()["count"] == 3
    for a in assignments[3:]:
        fill(Registration.objects.create(assignment=a))
        LedgerEntry.objects.create(
            assignment=a,
            date="2018-07-01",
            kind="training",
            description="x",
            responsible_person="y",
        )
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/registrations/")
    assert response.status_code == 200 and response.json()["count"] == 30
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/ledger-entries/")
    assert response.status_code == 200 and response.json()["count"] == 30


def test_contact_directory_api_is_scoped_filtered_and_fixed_in_queries(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, django_assert_max_num_queries
):
    from provinces.models import Assignment, Registration
    from tests.conftest import client_for
    from tests.loop.conftest import fill

    for province, task in (("江西", 2), ("江西", 3), ("河南", 2)):
        fill(
            Registration.objects.create(
                assignment=Assignment.objects.get(province__short_name=province, task__number=task)
            )
        )
    hq = client_for(hq_reviewer)
    # the session, the user, the plans (which is the working plan), the count, the page
    with django_assert_max_num_queries(5):
        response = hq.get("/api/v1/contacts/")
    assert response.status_code == 200
    everyone = response.json()
    assert everyone["count"] == 6
    assert {c["province_name"] for c in everyone["results"]} == {"江西", "河南"}
    task2 = hq.get("/api/v1/contacts/?year=2018&task=2&province=410000").json()["results"]
    assert [(c["province_name"], c["task"], c["role"]) for c in task2] == [
        ("河南", 2, "liaison"),
        ("河南", 2, "responsible"),
    ]
    own = client_for(henan_staff).get("/api/v1/contacts/").json()
    assert own["count"] == 2 and {c["province"] for c in own["results"]} == {"410000"}
    for province, task in (("河北", 3), ("山西", 3), ("广西", 2)):
        fill(
            Registration.objects.create(
                assignment=Assignment.objects.get(province__short_name=province, task__number=task)
            )
        )
    with django_assert_max_num_queries(5):
        response = hq.get("/api/v1/contacts/")
    assert response.status_code == 200 and response.json()["count"] == 12
