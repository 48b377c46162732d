"""Agreements and deliverable progress, attachments, batch decisions, calls, totals, API writes."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import Agreement, Application, Attachment, Call, Criterion
from tests.projects.test_pages_api import make_app
from workflow.machine import TransitionRefused
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LINES = [
    services.DeliverableLine("研发节点专利信息利用流程", date(2018, 11, 30)),
    services.DeliverableLine("企业专利信息分析报告", date(2018, 12, 20)),
]


def approved(call, staff, hq):
    app = make_app(call, "江西", staff)
    services.approve(app, hq, app.applicant, Decimal("15"))
    return app


def sign(app, hq, **overrides):
    kwargs = {
        "number": "WX-2018-001",
        "budget": Decimal("15"),
        "starts_on": date(2018, 8, 1),
        "ends_on": date(2018, 12, 31),
        "deliverables": LINES,
    }
    kwargs.update(overrides)
    return services.sign_agreement(app, hq, **kwargs)


# --- agreement ----------------------------------------------------------------------------


def test_sign_agreement_records_deliverables_and_starts_the_project(
    call, jiangxi_staff, hq_reviewer
):
    app = approved(call, jiangxi_staff, hq_reviewer)
    agreement = sign(app, hq_reviewer)
    app.refresh_from_db()
    assert app.state == "in_progress" and agreement.application == app
    assert [d.title for d in app.deliverables.all()] == [line.title for line in LINES]
    log = TransitionLog.objects.filter(object_id=str(app.pk), transition="sign_agreement").get()
    assert log.actor == hq_reviewer


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"budget": Decimal("16")}, "不能超过资助经费"),
        ({"deliverables": []}, "至少应有一项交付成果"),
        (
            {"deliverables": [services.DeliverableLine("x", date(2019, 1, 5))]},
            "不在实施期内",
        ),
        ({"ends_on": date(2018, 7, 1)}, "不能早于开始日期"),
        ({"number": " "}, "请填写协议编号"),
    ],
)
def test_bad_agreement_is_refused_and_changes_nothing(
    call, jiangxi_staff, hq_reviewer, overrides, message
):
    app = approved(call, jiangxi_staff, hq_reviewer)
    with pytest.raises(TransitionRefused, match=message):
        sign(app, hq_reviewer, **overrides)
    app.refresh_from_db()
    assert app.state == "approved"
    assert not Agreement.objects.exists() and not app.deliverables.exists()


def test_agreement_only_from_approved(call, jiangxi_staff, hq_reviewer):
    app = make_app(call, "江西", jiangxi_staff)
    with pytest.raises(TransitionRefused):
        sign(app, hq_reviewer)
    assert not Agreement.objects.exists() and not app.deliverables.exists()


def test_parse_deliverables_names_the_bad_line():
    assert services.parse_deliverables("2018-11-30 流程\n\n2018-12-01 报告") == [
        services.DeliverableLine("流程", date(2018, 11, 30)),
        services.DeliverableLine("报告", date(2018, 12, 1)),
    ]
    with pytest.raises(TransitionRefused, match="第 2 行"):
        services.parse_deliverables("2018-11-30 流程\n11月底 报告")


def test_sign_on_the_page(as_user, call, jiangxi_staff, hq_reviewer):
    app = approved(call, jiangxi_staff, hq_reviewer)
    client = as_user(hq_reviewer)
    response = client.post(
        f"/projects/applications/{app.pk}/sign/",
        {
            "number": "WX-1",
            "budget": "15",
            "starts_on": "2018-08-01",
            "ends_on": "2018-12-31",
            "deliverables": "2018-11-30 流程\n坏行",
        },
        follow=True,
    )
    assert "第 2 行" in response.content.decode()
    app.refresh_from_db()
    assert app.state == "approved"
    client.post(
        f"/projects/applications/{app.pk}/sign/",
        {
            "number": "WX-1",
            "budget": "15",
            "starts_on": "2018-08-01",
            "ends_on": "2018-12-31",
            "deliverables": "2018-11-30 流程",
        },
    )
    app.refresh_from_db()
    assert app.state == "in_progress" and app.agreement.number == "WX-1"


# --- progress -----------------------------------------------------------------------------


def test_progress_reported_by_the_undertaking_province(
    as_user, call, jiangxi_staff, henan_staff, hq_reviewer
):
    app = approved(call, jiangxi_staff, hq_reviewer)
    sign(app, hq_reviewer)
    d = app.deliverables.first()
    url = f"/projects/deliverables/{d.pk}/progress/"
    assert as_user(henan_staff).post(url, {"percent": "50", "note": "x"}).status_code == 404
    assert as_user(hq_reviewer).post(url, {"percent": "50", "note": "x"}).status_code == 404
    response = as_user(jiangxi_staff).post(
        url, {"percent": "60", "note": "", "done_on": ""}, follow=True
    )
    assert "请填写进展情况" in response.content.decode()
    as_user(jiangxi_staff).post(url, {"percent": "60", "note": "完成初稿。", "done_on": ""})
    d.refresh_from_db()
    assert (d.percent, d.progress_note, d.reported_by) == (60, "完成初稿。", jiangxi_staff)


@pytest.mark.parametrize(
    ("percent", "done_on", "message"),
    [
        (100, None, "请填写完成日期"),
        (50, date(2018, 11, 1), "完成进度应为 100%"),
        (101, None, "0 到 100"),
        (100, date(2030, 1, 1), "不能晚于今天"),
    ],
)
def test_inconsistent_progress_is_refused(
    call, jiangxi_staff, hq_reviewer, percent, done_on, message
):
    app = approved(call, jiangxi_staff, hq_reviewer)
    sign(app, hq_reviewer)
    d = app.deliverables.first()
    with pytest.raises(TransitionRefused, match=message):
        services.report_progress(
            d, jiangxi_staff, percent=percent, note="x", done_on=done_on, today=date(2018, 12, 1)
        )
    d.refresh_from_db()
    assert d.percent == 0 and d.reported_at is None


def test_no_progress_once_acceptance_is_requested(call, jiangxi_staff, hq_reviewer):
    app = approved(call, jiangxi_staff, hq_reviewer)
    sign(app, hq_reviewer)
    with pytest.raises(TransitionRefused, match="验收报告"):
        services.request_acceptance(app, jiangxi_staff, "  ")
    services.request_acceptance(app, jiangxi_staff, "完成。")
    with pytest.raises(TransitionRefused, match="已申请验收"):
        services.report_progress(
            app.deliverables.first(), jiangxi_staff, percent=10, note="x", done_on=None
        )


# --- attachments --------------------------------------------------------------------------


def test_attachments_upload_scope_and_download(
    as_user, call, jiangxi_staff, henan_staff, hq_reviewer, expert
):
    app = make_app(call, "江西", jiangxi_staff, submit=False)
    client = as_user(jiangxi_staff)
    url = f"/projects/applications/{app.pk}/upload/"
    response = client.post(
        url,
        {
            "purpose": "application",
            "files": [
                SimpleUploadedFile("方案.pdf", PDF),
                SimpleUploadedFile("fake.pdf", b"MZ not a pdf at all"),
            ],
        },
        follow=True,
    )
    assert "内容与扩展名不符" in response.content.decode()
    assert not Attachment.objects.exists()  # one bad file: none stored
    said = client.post(
        url,
        {"purpose": "application", "files": [SimpleUploadedFile("方案.pdf", PDF)]},
        follow=True,
    ).content.decode()
    # says what happened to what: the application, the count and the names (not "已处理。")
    assert "已为“江西某公司”上传 1 个文件：方案.pdf。" in said and "已处理" not in said
    attachment = Attachment.objects.get()
    assert attachment.purpose == "application" and attachment.original_name == "方案.pdf"
    download = f"/projects/attachments/{attachment.pk}/"
    assert client.get(download).status_code == 200
    assert as_user(hq_reviewer).get(download).status_code == 200
    assert as_user(henan_staff).get(download).status_code == 404
    assert as_user(expert).get(download).status_code == 404  # not assigned
    # acceptance evidence cannot be added to a draft
    client.post(url, {"purpose": "acceptance", "files": [SimpleUploadedFile("证.pdf", PDF)]})
    assert Attachment.objects.count() == 1
    services.submit_application(app, jiangxi_staff)
    services.assign_expert(app, expert, hq_reviewer)
    assert as_user(expert).get(download).status_code == 200
    client.post(url, {"purpose": "application", "files": [SimpleUploadedFile("晚.pdf", PDF)]})
    assert Attachment.objects.count() == 1  # submitted: application files are frozen


# --- batch decisions ----------------------------------------------------------------------


def test_batch_approve(as_user, call, jiangxi_staff, henan_staff, hq_reviewer):
    a = make_app(call, "江西", jiangxi_staff)
    b = make_app(call, "河南", henan_staff)
    as_user(hq_reviewer).post(
        f"/projects/calls/{call.pk}/decide/",
        {"applications": [a.pk, b.pk], "decision": "approve"},
    )
    for app in (a, b):
        app.refresh_from_db()
        assert app.state == "approved" and app.budget_granted == app.budget_requested
        assert app.undertaking_unit == app.applicant


def test_batch_is_all_or_nothing(as_user, call, jiangxi_staff, henan_staff, hq_reviewer):
    a = make_app(call, "江西", jiangxi_staff)
    b = make_app(call, "河南", henan_staff, submit=False)  # a draft cannot be decided
    response = as_user(hq_reviewer).post(
        f"/projects/calls/{call.pk}/decide/",
        {"applications": [a.pk, b.pk], "decision": "reject", "reason": "不符合要求"},
        follow=True,
    )
    assert "本批未作任何决定" in response.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, b.state) == ("submitted", "draft")
    assert not TransitionLog.objects.filter(transition="reject").exists()


def test_batch_reject_needs_reason_and_staff_cannot_batch(
    as_user, call, jiangxi_staff, hq_reviewer
):
    a = make_app(call, "江西", jiangxi_staff)
    url = f"/projects/calls/{call.pk}/decide/"
    assert (
        as_user(jiangxi_staff)
        .post(url, {"applications": [a.pk], "decision": "approve"})
        .status_code
        == 404
    )
    as_user(hq_reviewer).post(url, {"applications": [a.pk], "decision": "reject"})
    a.refresh_from_db()
    assert a.state == "submitted"


# --- calls ----------------------------------------------------------------------------------


def test_hq_opens_a_call_with_weighted_criteria(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    task = plan_2018.tasks.get(number=7)
    data = {
        "task": task.pk,
        "project_type": "makerspace_pilot",
        "title": "助力创新创业试点申报",
        "opens_at": "2018-07-01T09:00",
        "closes_at": "2018-07-31T17:00",
        "criteria": "需求明确 30\n方案可行 40\n预期成效 20",
        "reviews_required": "2",
    }
    response = as_user(hq_reviewer).post("/projects/calls/new/", data)
    assert "权重合计应为 100，现为 90" in response.content.decode()
    assert not Call.objects.exists()
    data["criteria"] += "\n示范作用 10"
    as_user(hq_reviewer).post("/projects/calls/new/", data)
    created = Call.objects.get()
    assert [(c.name, c.weight) for c in Criterion.objects.filter(call=created)] == [
        ("需求明确", 30),
        ("方案可行", 40),
        ("预期成效", 20),
        ("示范作用", 10),
    ]
    assert as_user(jiangxi_staff).get("/projects/calls/new/").status_code == 404


# --- totals ---------------------------------------------------------------------------------


def test_totals_by_task_province_and_state(as_user, call, jiangxi_staff, henan_staff, hq_reviewer):
    a = make_app(call, "江西", jiangxi_staff)
    make_app(call, "河南", henan_staff)
    services.approve(a, hq_reviewer, a.applicant, Decimal("12.5"))
    page = as_user(hq_reviewer).get("/projects/totals/").content.decode()
    assert "共 2 项申报，立项 1 项，资助经费合计 12.50 万元" in page
    api = as_user(hq_reviewer).get("/api/v1/applications/totals/").json()
    assert api["by_task"] == [
        {
            "task": 4,
            "project_type": "enterprise_pilot",
            "n": 2,
            "approved": 1,
            "asked": "40.00",
            "granted": "12.50",
        }
    ]
    assert {r["province"] for r in api["by_province"]} == {"360000", "410000"}
    mine = as_user(jiangxi_staff).get("/api/v1/applications/totals/").json()
    assert [r["province"] for r in mine["by_province"]] == ["360000"]
    wb = openpyxl.load_workbook(
        io.BytesIO(as_user(hq_reviewer).get("/projects/totals.xlsx").content)
    )
    assert wb.sheetnames == ["按任务和类型", "按省份", "按状态"]
    assert wb["按省份"].max_row == 3


def test_totals_and_call_pages_run_fixed_queries(
    as_user, call, jiangxi_staff, henan_staff, hq_reviewer
):
    client = as_user(hq_reviewer)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_app(call, "江西", jiangxi_staff)
    few = (count("/projects/totals/"), count(f"/projects/calls/{call.pk}/"))
    for short in ("河南", "贵州", "北京", "天津"):
        for _i in range(3):
            make_app(call, short)
    assert (count("/projects/totals/"), count(f"/projects/calls/{call.pk}/")) == few


# --- API writes ------------------------------------------------------------------------------


def test_api_lifecycle_with_scoping(as_user, call, jiangxi_staff, henan_staff, hq_reviewer, expert):
    staff = as_user(jiangxi_staff)
    created = staff.post(
        "/api/v1/applications/",
        {
            "call": call.pk,
            "applicant": "江西某公司",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "budget_requested": "20",
            "plan_text": "方案",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["province"] == "360000" and created.json()["state"] == "draft"
    assert as_user(henan_staff).post(f"/api/v1/applications/{pk}/submit/").status_code == 404
    assert staff.post(f"/api/v1/applications/{pk}/submit/").json()["state"] == "submitted"
    hq = as_user(hq_reviewer)
    assert (
        staff.post(
            f"/api/v1/applications/{pk}/approve/",
            {"undertaking_unit": "x", "budget_granted": "1"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assigned = hq.post(
        f"/api/v1/applications/{pk}/assign-expert/",
        {"expert": expert.pk},
        content_type="application/json",
    )
    assert assigned.json()["state"] == "under_review"
    refused = hq.post(f"/api/v1/applications/{pk}/accept/", {}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["state"] == "under_review"
    hq.post(
        f"/api/v1/applications/{pk}/approve/",
        {"undertaking_unit": "江西某公司", "budget_granted": "15"},
        content_type="application/json",
    )
    signed = hq.post(
        f"/api/v1/applications/{pk}/sign/",
        {
            "number": "API-1",
            "budget": "15",
            "starts_on": "2018-08-01",
            "ends_on": "2018-12-31",
            "deliverables": [{"title": "流程", "due_date": "2018-11-30"}],
        },
        content_type="application/json",
    )
    assert signed.json()["state"] == "in_progress", signed.content
    staff.post(
        f"/api/v1/applications/{pk}/request-acceptance/",
        {"final_report": "完成。"},
        content_type="application/json",
    )
    rectify = hq.post(
        f"/api/v1/applications/{pk}/rectify/",
        {"reason": "补充数据", "due": "2019-03-31"},
        content_type="application/json",
    )
    assert rectify.json()["state"] == "rectification"
    assert Application.objects.get(pk=pk).rectification_due == date(2019, 3, 31)


def test_api_staff_cannot_apply_for_another_province(as_user, call, jiangxi_staff):
    response = as_user(jiangxi_staff).post(
        "/api/v1/applications/",
        {
            "call": call.pk,
            "province": "410000",
            "applicant": "x",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "budget_requested": "-1",
            "plan_text": "方案",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "budget_requested" in response.json()
    assert not Application.objects.exists()
