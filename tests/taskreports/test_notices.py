"""HQ's follow-up notices: audience, sending (irreversible, confirmed first), read receipts,
chasing the unread once a day, the reply owed, and who may see a notice."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from notifications.obligations import everything_owed
from provinces import services
from provinces.models import Notice, NoticeReceipt
from provinces.services import ChasedToday
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

TASK7_UNITS = ["天津", "江苏", "江西", "重庆"]


def test_a_tasks_notice_reaches_that_tasks_units_only(
    draft_notice, hq_reviewer, jiangxi_staff, henan_staff
):
    services.send_notice(draft_notice, hq_reviewer)
    addressed = set(draft_notice.receipts.values_list("province__short_name", flat=True))
    assert addressed == set(TASK7_UNITS)  # 河南 may take task 7 up but has not
    assert jiangxi_staff.notifications.filter(kind="notice").exists()
    assert not henan_staff.notifications.exists()
    assert client_for(henan_staff).get(f"/provinces/notices/{draft_notice.pk}/").status_code == 404
    assert client_for(henan_staff).get(f"/api/v1/notices/{draft_notice.pk}/").status_code == 404
    draft_notice.refresh_from_db()
    assert draft_notice.state == "sent" and draft_notice.sent_by == hq_reviewer


def test_a_draft_is_hqs_alone_and_sending_is_once(draft_notice, hq_reviewer, jiangxi_staff, expert):
    assert (
        client_for(jiangxi_staff).get(f"/provinces/notices/{draft_notice.pk}/").status_code == 404
    )
    page = client_for(hq_reviewer).get(f"/provinces/notices/{draft_notice.pk}/")
    assert "data-confirm=" in page.content.decode()  # asked before the irreversible send
    hq = client_for(hq_reviewer)
    assert hq.post(f"/provinces/notices/{draft_notice.pk}/send/").status_code == 302
    assert hq.post(f"/api/v1/notices/{draft_notice.pk}/send/").status_code == 409
    assert NoticeReceipt.objects.filter(notice=draft_notice).count() == len(TASK7_UNITS)
    assert client_for(expert).get(f"/provinces/notices/{draft_notice.pk}/").status_code == 404
    assert client_for(expert).get("/api/v1/notices/").status_code == 403
    edit = hq.get(f"/provinces/notices/{draft_notice.pk}/edit/")
    assert edit.status_code == 302  # a sent notice cannot be changed


def test_the_first_reading_is_the_receipt(draft_notice, hq_reviewer, jiangxi_staff):
    services.send_notice(draft_notice, hq_reviewer)
    colleague = make_user("jiangxi_2", "province_staff", "江西")
    client_for(jiangxi_staff).get(f"/provinces/notices/{draft_notice.pk}/")
    receipt = draft_notice.receipts.get(province__short_name="江西")
    first = receipt.read_at
    assert first is not None and receipt.read_by == jiangxi_staff
    client_for(colleague).get(f"/provinces/notices/{draft_notice.pk}/")
    receipt.refresh_from_db()
    assert receipt.read_at == first and receipt.read_by == jiangxi_staff
    client_for(hq_reviewer).get(f"/provinces/notices/{draft_notice.pk}/")  # HQ is no reader
    assert draft_notice.receipts.filter(read_at__isnull=False).count() == 1
    hq_view = client_for(hq_reviewer).get(f"/api/v1/notices/{draft_notice.pk}/").json()
    read = {r["province_name"]: r["read_by"] for r in hq_view["receipts"] if r["read_at"]}
    assert read == {"江西": jiangxi_staff.display_name()}
    unit_view = client_for(jiangxi_staff).get(f"/api/v1/notices/{draft_notice.pk}/").json()
    assert unit_view["receipts"] is None  # a unit does not see the others' receipts


def test_chasing_the_unread_once_a_day_per_unit(
    draft_notice, hq_reviewer, jiangxi_staff, django_capture_on_commit_callbacks
):
    tianjin = make_user("tianjin_staff", "province_staff", "天津")
    services.send_notice(draft_notice, hq_reviewer)
    client_for(jiangxi_staff).get(f"/provinces/notices/{draft_notice.pk}/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.chase_unread(draft_notice, hq_reviewer, today=date(2018, 12, 1))
    recipients = {address for m in mail.outbox for address in m.to}
    assert reminded == 1 and tianjin.email in recipients  # 江西 read it; 江苏、重庆 have no staff
    assert jiangxi_staff.email not in recipients
    assert tianjin.notifications.filter(kind="reminder").count() == 1
    with pytest.raises(ChasedToday):
        services.chase_unread(draft_notice, hq_reviewer, today=date(2018, 12, 1))
    assert services.chase_unread(draft_notice, hq_reviewer, today=date(2018, 12, 2)) == 1
    assert tianjin.notifications.filter(kind="reminder").count() == 2


def test_a_reply_is_owed_until_given(draft_notice, hq_reviewer, jiangxi_staff, plan_2018):
    services.send_notice(draft_notice, hq_reviewer)
    key = f"notice-reply:{draft_notice.pk}"
    owing = {o.province.short_name for o in everything_owed(plan_2018) if o.key == key}
    assert owing == set(TASK7_UNITS)
    response = client_for(jiangxi_staff).post(
        f"/provinces/notices/{draft_notice.pk}/reply/", {"text": "已按要求报送。"}
    )
    assert response.status_code == 302
    owing = {o.province.short_name for o in everything_owed(plan_2018) if o.key == key}
    assert owing == set(TASK7_UNITS) - {"江西"}
    page = client_for(hq_reviewer).get(f"/provinces/notices/{draft_notice.pk}/")
    assert "已按要求报送。" in page.content.decode()


def test_a_notice_without_reply_date_asks_for_nothing(draft_notice, hq_reviewer, jiangxi_staff):
    Notice.objects.filter(pk=draft_notice.pk).update(reply_by=None)
    draft_notice.refresh_from_db()
    services.send_notice(draft_notice, hq_reviewer)
    response = client_for(jiangxi_staff).post(
        f"/api/v1/notices/{draft_notice.pk}/reply/",
        {"text": "收到"},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_hq_writes_a_notice_to_chosen_units_through_the_api(plan_2018, hq_reviewer, jiangxi_staff):
    hq = client_for(hq_reviewer)
    refused = hq.post(
        "/api/v1/notices/",
        {"year": 2018, "title": "通知", "body": "正文", "audience": "chosen", "units": []},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "units" in refused.json()
    created = hq.post(
        "/api/v1/notices/",
        {"year": 2018, "title": "通知", "body": "正文", "audience": "chosen", "units": ["360000"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client_for(jiangxi_staff).post("/api/v1/notices/", {}).status_code == 403
    assert hq.post(f"/api/v1/notices/{pk}/send/").json()["state"] == "sent"
    assert client_for(jiangxi_staff).get("/api/v1/notices/?year=2018").json()["count"] == 1


@pytest.mark.parametrize("units", [2, 5])
def test_the_lists_take_a_fixed_number_of_queries(
    plan_2018, hq_reviewer, jiangxi_staff, django_assert_max_num_queries, units
):
    for i in range(units):
        notice = Notice.objects.create(
            plan=plan_2018, title=f"通知{i}", body="正文", reply_by=date(2018, 12, 1)
        )
        services.send_notice(notice, hq_reviewer)
        client_for(jiangxi_staff).get(f"/provinces/notices/{notice.pk}/")
    for client in (client_for(hq_reviewer), client_for(jiangxi_staff)):
        with django_assert_max_num_queries(10):
            assert client.get("/provinces/notices/?year=2018").status_code == 200
        with django_assert_max_num_queries(12):
            response = client.get("/api/v1/notices/?year=2018")
        assert response.status_code == 200 and response.json()["count"] == units
