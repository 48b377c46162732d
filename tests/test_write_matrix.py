"""Every POST-only URL and every API write method × every role → the expected status.

The other half of the permission matrix (tests/test_permission_matrix.py covers GET). Each
role's request runs in its own savepoint that is rolled back, so every role meets the same
world. An API route with a write method that is not listed here fails the coverage test.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import client_for
from tests.test_permission_matrix import PNG, ROLES, world  # noqa: F401, F811 - the shared fixture


def st(owner, other=404, expert=404, hq=404, admin=404, anonymous=302):
    """Pages: anonymous goes to log in; another province's object answers 404."""
    return dict(anonymous=anonymous, owner=owner, other=other, expert=expert, hq=hq, admin=admin)


def hq_page(hq, admin=None, owner=404, other=404, expert=404):
    return st(owner, other, expert, hq, hq if admin is None else admin)


def api(owner, other=404, expert=403, hq=403, admin=403, anonymous=401):
    """Staff writes: other roles are refused by role (403), another province gets 404."""
    return dict(anonymous=anonymous, owner=owner, other=other, expert=expert, hq=hq, admin=admin)


def hq_api(hq, owner=403, other=403, expert=403, anonymous=401):
    return dict(anonymous=anonymous, owner=owner, other=other, expert=expert, hq=hq, admin=hq)


class Multipart(dict):
    """A body sent as multipart/form-data (file uploads), even to the API."""


Builder = Callable[[dict], str]
Data = Callable[[dict], dict]


def registration(w) -> int:
    return w["jiangxi_registration"].pk


def application(w) -> int:
    return w["application"].pk


# (url name, method) → (path, body, expected status by role)
WRITE_MATRIX: dict[tuple[str, str], tuple[Builder, Data, dict[str, int]]] = {
    # --- accounts and language: anyone ------------------------------------------------
    ("logout", "POST"): (lambda w: "/accounts/logout/", lambda w: {}, st(*[302] * 5, 302)),
    ("set_language", "POST"): (
        lambda w: "/i18n/setlang/",
        lambda w: {"language": "en", "next": "/"},
        st(*[302] * 5, 302),
    ),
    ("v1:token", "POST"): (
        lambda w: "/api/v1/auth/token/",
        lambda w: {"username": "nobody", "password": "wrong"},
        dict.fromkeys(ROLES, 400),
    ),
    # --- the provincial loop ----------------------------------------------------------
    ("provinces:take_up", "POST"): (
        lambda w: f"/provinces/assignments/{w['jiangxi_assignment'].pk}/take-up/",
        lambda w: {},
        st(302),  # mandatory task: refused with a message, nothing changes
    ),
    ("provinces:milestone_done", "POST"): (
        lambda w: f"/provinces/milestones/{w['milestone'].pk}/done/",
        lambda w: {"done_on": "2018-06-01"},
        st(302),
    ),
    ("provinces:registration_action", "POST"): (
        lambda w: f"/provinces/assignments/{w['jiangxi_assignment'].pk}/return/",
        lambda w: {"reason": "请补充"},
        hq_page(302),
    ),
    ("provinces:ledger_delete", "POST"): (
        lambda w: f"/provinces/ledger/{w['jiangxi_entry'].pk}/delete/",
        lambda w: {},
        st(302),
    ),
    ("workflow:import_confirm", "POST"): (
        lambda w: f"/imports/{w['import_job'].pk}/confirm/",
        lambda w: {},
        st(302),
    ),
    ("provinces:evidence_delete", "POST"): (
        lambda w: f"/provinces/evidence/{w['jiangxi_evidence'].pk}/delete/",
        lambda w: {},
        st(302),
    ),
    ("v1:registration-list", "POST"): (
        lambda w: "/api/v1/registrations/",
        lambda w: {"assignment": w["jiangxi_assignment"].pk},
        api(201, other=400),  # creates the draft or returns 江西's existing one
    ),
    ("v1:registration-detail", "PATCH"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/",
        lambda w: {"work_content": "组织培训"},
        api(200),
    ),
    ("v1:registration-detail", "PUT"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/",
        lambda w: {"assignment": w["jiangxi_assignment"].pk, "work_content": "组织培训"},
        api(200),
    ),
    ("v1:registration-submit", "POST"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/submit/",
        lambda w: {},
        api(409),  # incomplete: refused with the reason
    ),
    ("v1:registration-milestone-done", "POST"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/milestone-done/",
        lambda w: {"milestone": w["milestone"].pk, "done_on": "2018-06-01"},
        api(200),
    ),
    ("v1:registration-return-for-revision", "POST"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/return/",
        lambda w: {"reason": "请补充"},
        hq_api(409),  # a draft cannot be returned
    ),
    ("v1:registration-confirm", "POST"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/confirm/",
        lambda w: {},
        hq_api(409),
    ),
    ("v1:registration-reopen", "POST"): (
        lambda w: f"/api/v1/registrations/{registration(w)}/reopen/",
        lambda w: {"reason": "补充材料"},
        hq_api(409),
    ),
    ("v1:ledger-entry-list", "POST"): (
        lambda w: "/api/v1/ledger-entries/",
        lambda w: {
            "assignment": w["jiangxi_assignment"].pk,
            "date": "2018-07-02",
            "kind": "training",
            "description": "培训班",
            "responsible_person": "李",
        },
        api(201, other=400),  # 河南 cannot name 江西's assignment: "no such object"
    ),
    ("v1:ledger-entry-detail", "PATCH"): (
        lambda w: f"/api/v1/ledger-entries/{w['jiangxi_entry'].pk}/",
        lambda w: {"description": "培训班（修订）"},
        api(200),
    ),
    ("v1:ledger-entry-detail", "PUT"): (
        lambda w: f"/api/v1/ledger-entries/{w['jiangxi_entry'].pk}/",
        lambda w: {
            "assignment": w["jiangxi_assignment"].pk,
            "date": "2018-07-02",
            "kind": "training",
            "description": "培训班",
            "responsible_person": "李",
        },
        api(200),
    ),
    ("v1:ledger-entry-evidence", "POST"): (
        lambda w: f"/api/v1/ledger-entries/{w['jiangxi_entry'].pk}/evidence/",
        lambda w: Multipart(files=[SimpleUploadedFile("签到表.png", PNG)]),
        api(201),
    ),
    ("v1:ledger-entry-detail", "DELETE"): (
        lambda w: f"/api/v1/ledger-entries/{w['jiangxi_entry'].pk}/",
        lambda w: {},
        api(204),
    ),
    # --- funding ----------------------------------------------------------------------
    ("funding:payment_new", "POST"): (
        lambda w: f"/funding/allocations/{w['allocation'].pk}/pay/",
        lambda w: {"amount": "1", "date": "2018-09-01"},
        hq_page(302),
    ),
    ("funding:task_grid", "POST"): (
        lambda w: "/funding/allocations/task/2/",
        lambda w: {"date": "2018-05-01", "document_number": ""},
        hq_page(302),
    ),
    ("funding:project_allocation", "POST"): (
        lambda w: f"/funding/allocations/project/{application(w)}/",
        lambda w: {"amount": "1", "date": "2018-08-01"},
        hq_page(200),  # under review: refused with the reason on the page, nothing written
    ),
    ("funding:spending", "POST"): (
        lambda w: f"/funding/allocations/{w['allocation'].pk}/spending/",
        lambda w: {"note": "修改"},
        st(200),  # handed in: refused with the reason on the page, nothing changes
    ),
    ("funding:spending_action", "POST"): (
        lambda w: f"/funding/spending/{w['spending'].pk}/return/",
        lambda w: {"reason": "请补充凭证"},
        hq_page(302),
    ),
    ("v1:allocation-list", "POST"): (
        lambda w: "/api/v1/allocations/",
        lambda w: {
            "task": w["task2"].pk,
            "province": "360000",
            "amount": "25.00",
            "date": "2018-05-01",
        },
        hq_api(201),
    ),
    ("v1:allocation-detail", "PATCH"): (
        lambda w: f"/api/v1/allocations/{w['allocation'].pk}/",
        lambda w: {"amount": "30.00"},
        hq_api(200),
    ),
    ("v1:payment-list", "POST"): (
        lambda w: "/api/v1/payments/",
        lambda w: {"allocation": w["allocation"].pk, "amount": "1.00", "date": "2018-09-01"},
        hq_api(201),
    ),
    ("v1:spending-report-list", "POST"): (
        lambda w: "/api/v1/spending-reports/",
        lambda w: {"allocation": w["allocation"].pk, "note": "x"},
        api(409, other=400),  # handed in: locked; 河南 cannot name 江西's allocation
    ),
    ("v1:spending-report-detail", "PATCH"): (
        lambda w: f"/api/v1/spending-reports/{w['spending'].pk}/",
        lambda w: {"note": "x"},
        api(409),
    ),
    ("v1:spending-report-submit", "POST"): (
        lambda w: f"/api/v1/spending-reports/{w['spending'].pk}/submit/",
        lambda w: {},
        api(409),
    ),
    ("v1:spending-report-confirm", "POST"): (
        lambda w: f"/api/v1/spending-reports/{w['spending'].pk}/confirm/",
        lambda w: {},
        hq_api(200),
    ),
    ("v1:spending-report-return-for-revision", "POST"): (
        lambda w: f"/api/v1/spending-reports/{w['spending'].pk}/return/",
        lambda w: {"reason": "请补充凭证"},
        hq_api(200),
    ),
    # --- the service network and training classes -------------------------------------
    ("provinces:network_delete", "POST"): (
        lambda w: f"/provinces/network/{w['jiangxi_entity'].pk}/delete/",
        lambda w: {},
        st(302),
    ),
    ("provinces:training_delete", "POST"): (
        lambda w: f"/provinces/trainings/{w['jiangxi_training'].pk}/delete/",
        lambda w: {},
        st(302),  # HQ changes only the classes HQ held
    ),
    ("provinces:training_material_delete", "POST"): (
        lambda w: f"/provinces/training-materials/{w['jiangxi_material'].pk}/delete/",
        lambda w: {},
        st(302),
    ),
    ("v1:service-network-list", "POST"): (
        lambda w: "/api/v1/service-network/",
        lambda w: {"year": 2018, "kind": "outlet", "name": "新设专利文献服务网点"},
        api(201, other=201),  # each unit adds to its own network
    ),
    ("v1:service-network-detail", "PATCH"): (
        lambda w: f"/api/v1/service-network/{w['jiangxi_entity'].pk}/",
        lambda w: {"place": "南昌市"},
        api(200),
    ),
    ("v1:service-network-detail", "PUT"): (
        lambda w: f"/api/v1/service-network/{w['jiangxi_entity'].pk}/",
        lambda w: {"year": 2018, "kind": "outlet", "name": "江西省图书馆网点", "state": "running"},
        api(200),
    ),
    ("v1:service-network-detail", "DELETE"): (
        lambda w: f"/api/v1/service-network/{w['jiangxi_entity'].pk}/",
        lambda w: {},
        api(204),
    ),
    ("v1:training-list", "POST"): (
        lambda w: "/api/v1/trainings/",
        lambda w: {
            "task": w["task2"].pk,
            "title": "专利信息利用能力培训班",
            "start_date": "2018-09-01",
            "end_date": "2018-09-02",
            "place": "南昌",
            "attendee_count": 60,
        },
        api(201, other=201, hq=201, admin=201),  # a unit's own class, or one HQ holds
    ),
    ("v1:training-detail", "PATCH"): (
        lambda w: f"/api/v1/trainings/{w['jiangxi_training'].pk}/",
        lambda w: {"attendee_count": 90},
        api(200, hq=404, admin=404),
    ),
    ("v1:training-detail", "PUT"): (
        lambda w: f"/api/v1/trainings/{w['jiangxi_training'].pk}/",
        lambda w: {
            "task": w["task2"].pk,
            "title": "江西省专利信息利用能力培训班",
            "start_date": "2018-08-22",
            "end_date": "2018-08-24",
            "place": "南昌",
            "attendee_count": 90,
        },
        api(200, hq=404, admin=404),
    ),
    ("v1:training-detail", "DELETE"): (
        lambda w: f"/api/v1/trainings/{w['jiangxi_training'].pk}/",
        lambda w: {},
        api(204, hq=404, admin=404),
    ),
    # --- projects ---------------------------------------------------------------------
    ("projects:call_decide", "POST"): (
        lambda w: f"/projects/calls/{w['call'].pk}/decide/",
        lambda w: {"reason": "评审结果"},
        hq_page(302),
    ),
    ("projects:application_action", "POST"): (
        lambda w: f"/projects/applications/{application(w)}/reject/",
        lambda w: {"reason": "评分不足"},
        hq_page(302),
    ),
    ("projects:deliverable_progress", "POST"): (
        lambda w: f"/projects/deliverables/{w['deliverable'].pk}/progress/",
        lambda w: {"percent": 50, "progress_note": "完成一半"},
        st(302),
    ),
    ("v1:application-list", "POST"): (
        lambda w: "/api/v1/applications/",
        lambda w: {
            "call": w["call"].pk,
            "applicant": "某企业",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "budget_requested": "10.00",
            "plan_text": "方案",
        },
        api(201, other=201),  # each province applies for itself
    ),
    ("v1:application-detail", "PATCH"): (
        lambda w: f"/api/v1/applications/{application(w)}/",
        lambda w: {"plan_text": "修改后的方案"},
        api(409),  # under review: no longer a draft
    ),
    ("v1:application-detail", "PUT"): (
        lambda w: f"/api/v1/applications/{w['draft'].pk}/",
        lambda w: {
            "call": w["call"].pk,
            "applicant": "某企业（更名）",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "budget_requested": "12.00",
            "plan_text": "方案",
        },
        api(200),
    ),
    ("v1:application-progress", "POST"): (
        lambda w: f"/api/v1/applications/{w['running'].pk}/progress/",
        lambda w: {"deliverable": w["deliverable"].pk, "percent": 50, "note": "完成一半"},
        api(200),
    ),
    ("v1:call-decide", "POST"): (
        lambda w: f"/api/v1/calls/{w['call'].pk}/decide/",
        lambda w: {
            "applications": [w["application"].pk],
            "decision": "reject",
            "reason": "不足",
            "override_reviews": True,  # the world's application has no reviews
        },
        hq_api(200),
    ),
    ("v1:review-assignment-review", "POST"): (
        lambda w: f"/api/v1/review-assignments/{w['review_assignment'].pk}/review/",
        lambda w: {"scores": {"方案可行": 85}, "recommendation": "approve", "comment": "可行"},
        dict(anonymous=401, owner=403, other=403, expert=200, hq=403, admin=403),
    ),
    ("v1:application-submit", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/submit/",
        lambda w: {},
        api(409),  # already under review
    ),
    ("v1:application-assign-expert", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/assign-expert/",
        lambda w: {"expert": w["users"]["expert"].pk},
        hq_api(409),  # assigned already
    ),
    ("v1:application-approve", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/approve/",
        lambda w: {
            "undertaking_unit": "某公司",
            "budget_granted": "8.00",
            "reason": "同意",
            "override_reviews": True,
        },
        hq_api(200, expert=403),
    ),
    ("v1:application-reject", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/reject/",
        lambda w: {"reason": "评分不足", "override_reviews": True},
        hq_api(200, expert=403),
    ),
    ("v1:application-sign", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/sign/",
        lambda w: {
            "number": "XY-1",
            "budget": "8.00",
            "starts_on": "2018-07-01",
            "ends_on": "2018-12-31",
            "deliverables": [{"title": "报告", "due_date": "2018-12-01"}],
        },
        hq_api(409),  # not approved yet
    ),
    ("v1:application-request-acceptance", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/request-acceptance/",
        lambda w: {"final_report": "总结"},
        api(409),  # not in progress
    ),
    ("v1:application-accept", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/accept/",
        lambda w: {"reason": "通过"},
        hq_api(409),
    ),
    ("v1:application-rectify", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/rectify/",
        lambda w: {"reason": "补充", "due": "2019-01-31"},
        hq_api(409),
    ),
    ("v1:application-fail", "POST"): (
        lambda w: f"/api/v1/applications/{application(w)}/fail/",
        lambda w: {"reason": "未完成"},
        hq_api(409),
    ),
    # --- project reports --------------------------------------------------------------
    ("projects:report_action", "POST"): (
        lambda w: f"/projects/reports/{w['project_report'].pk}/confirm/",
        lambda w: {},
        hq_page(302),
    ),
    ("projects:project_reporting_action", "POST"): (
        lambda w: f"/projects/applications/{w['project'].pk}/reporting/ask/",
        lambda w: {"text": "经费可以调整吗？"},
        st(302),
    ),
    ("v1:project-report-list", "POST"): (
        lambda w: "/api/v1/project-reports/",
        lambda w: {
            "application": w["project"].pk,
            "due": w["project"].report_dues.get(is_final=True).pk,
            "work_done": "进展",
        },
        api(201),
    ),
    ("v1:project-report-detail", "PATCH"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/",
        lambda w: {"results": "改"},
        api(409),  # submitted: no longer a draft
    ),
    ("v1:project-report-detail", "PUT"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/",
        lambda w: {"application": w["project"].pk, "work_done": "w", "results": "改"},
        api(409),
    ),
    ("v1:project-report-submit", "POST"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/submit/",
        lambda w: {},
        api(409),  # submitted already
    ),
    ("v1:project-report-confirm", "POST"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/confirm/",
        lambda w: {},
        hq_api(200),
    ),
    ("v1:project-report-return-for-revision", "POST"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/return/",
        lambda w: {"reason": "请补充"},
        hq_api(200),
    ),
    ("v1:project-report-select", "POST"): (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/select/",
        lambda w: {"digest": True},
        hq_api(409),  # not confirmed yet
    ),
    ("v1:project-report-schedule", "PUT"): (
        lambda w: f"/api/v1/project-reports/schedules/{w['project'].pk}/",
        lambda w: {"frequency": "final"},
        hq_api(200),  # HQ may still change the schedule while acceptance is asked for
    ),
    # --- plans ------------------------------------------------------------------------
    ("planning:plan_transition", "POST"): (
        lambda w: "/plans/2018/close/",
        lambda w: {"reason": "年度工作已完成"},
        hq_page(302),  # HQ and administrators move a plan through its states
    ),
    ("planning:plan_rollover", "POST"): (
        lambda w: "/plans/2018/rollover/",
        lambda w: {"to_year": "2019", "confirm": "1"},
        hq_page(404, admin=302),  # only administrators make the next year's draft
    ),
    ("planning:switch_year", "POST"): (
        lambda w: "/plans/switch/",
        lambda w: {"year": "2018", "next": "/plans/"},
        st(*[302] * 5),  # everyone who logs in chooses their own working year
    ),
    # --- year end ---------------------------------------------------------------------
    ("reporting:case_action", "POST"): (
        lambda w: f"/reporting/cases/{w['case'].pk}/confirm/",
        lambda w: {"reason": "典型"},
        hq_page(302),  # HQ reviews cases; a draft cannot be confirmed: refused with a message
    ),
    ("reporting:summary_action", "POST"): (
        lambda w: "/reporting/2018/summaries/360000/return/",
        lambda w: {"reason": "请补充"},
        hq_page(302),  # HQ reviews summaries; a draft cannot be returned: refused, message
    ),
    ("reporting:bulletin_publish", "POST"): (
        lambda w: f"/reporting/bulletins/{w['bulletin'].pk}/publish/",
        lambda w: {},
        hq_page(302),
    ),
    # --- deadlines and notifications --------------------------------------------------
    ("notifications:mark_read", "POST"): (
        lambda w: "/notifications/read/",
        lambda w: {},
        st(*[302] * 5),  # each user marks their own
    ),
    ("notifications:calendar_renew", "POST"): (
        lambda w: "/notifications/calendar/renew/",
        lambda w: {},
        st(*[302] * 5),
    ),
    ("notifications:extension_request", "POST"): (
        lambda w: "/notifications/deadlines/extend/",
        lambda w: {
            "key": "summary:2018:360000",
            "requested_due": "2019-01-15",
            "reason": "数据统计延后",
        },
        st(302, other=302),  # 河南 asks about its own unit: the key is not its debt, refused
    ),
    ("provinces:deadline_report", "POST"): (
        lambda w: f"/provinces/deadlines/{w['other_deadline'].pk}/report/",
        lambda w: {"note": "已报送季度进展"},
        st(302, other=302),  # each unit reports for itself
    ),
    ("notifications:extension_decide", "POST"): (
        lambda w: f"/notifications/extensions/{w['extension'].pk}/approve/",
        lambda w: {"reason": "同意"},
        hq_page(302),
    ),
    ("notifications:remind_unit", "POST"): (
        lambda w: "/notifications/remind/360000/",
        lambda w: {"confirm": "1"},
        hq_page(302),
    ),
    # --- task reports and notices -----------------------------------------------------
    ("provinces:task_report_action", "POST"): (
        lambda w: f"/provinces/task-reports/submissions/{w['task_report'].pk}/confirm/",
        lambda w: {},
        hq_page(302),  # a draft cannot be confirmed: refused with a message
    ),
    ("provinces:notice_send", "POST"): (
        lambda w: f"/provinces/notices/{w['draft_notice'].pk}/send/",
        lambda w: {},
        hq_page(302),
    ),
    ("provinces:notice_chase", "POST"): (
        lambda w: f"/provinces/notices/{w['notice'].pk}/chase/",
        lambda w: {},
        hq_page(302),
    ),
    ("provinces:notice_reply", "POST"): (
        lambda w: f"/provinces/notices/{w['notice'].pk}/reply/",
        lambda w: {"text": "已收到，按要求办理。"},
        st(302),  # only 江西 is addressed: 河南 does not see the notice
    ),
    ("v1:task-report-submission-list", "POST"): (
        lambda w: "/api/v1/task-report-submissions/",
        lambda w: {"definition": w["task_report_definition"].pk, "values": {}},
        api(201, other=409),  # 河南 may see task 7's report but has not taken the task up
    ),
    ("v1:task-report-submission-detail", "PUT"): (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/",
        lambda w: {"definition": w["task_report_definition"].pk, "values": {}},
        api(200),
    ),
    ("v1:task-report-submission-detail", "PATCH"): (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/",
        lambda w: {"values": {}},
        api(200),
    ),
    ("v1:task-report-submission-submit", "POST"): (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/submit/",
        lambda w: {},
        api(409),  # its required field is blank
    ),
    ("v1:task-report-submission-return-for-revision", "POST"): (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/return/",
        lambda w: {"reason": "请补充"},
        hq_api(409),  # a draft cannot be returned
    ),
    ("v1:task-report-submission-confirm", "POST"): (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/confirm/",
        lambda w: {},
        hq_api(409),
    ),
    ("v1:notice-list", "POST"): (
        lambda w: "/api/v1/notices/",
        lambda w: {"year": 2018, "title": "通知", "body": "正文", "audience": "all"},
        hq_api(201),
    ),
    ("v1:notice-send", "POST"): (
        lambda w: f"/api/v1/notices/{w['draft_notice'].pk}/send/",
        lambda w: {},
        hq_api(200),
    ),
    ("v1:notice-chase", "POST"): (
        lambda w: f"/api/v1/notices/{w['notice'].pk}/chase/",
        lambda w: {},
        hq_api(200),  # 江西, the one unit addressed, has not read it
    ),
    ("v1:notice-read", "POST"): (
        lambda w: f"/api/v1/notices/{w['notice'].pk}/read/",
        lambda w: {},
        api(200),
    ),
    ("v1:notice-reply", "POST"): (
        lambda w: f"/api/v1/notices/{w['notice'].pk}/reply/",
        lambda w: {"text": "收到"},
        api(200),
    ),
    ("notifications:remind_late", "POST"): (
        lambda w: "/notifications/remind/late/",
        lambda w: {"task": 2, "confirm": "1"},
        hq_page(302),
    ),
    # --- the year end, deadlines, the inbox and the board in the API (branch apires) -------
    ("v1:case-list", "POST"): (
        lambda w: "/api/v1/cases/",
        lambda w: {"assignment": w["jiangxi_assignment"].pk, "title": "案例", "summary": "摘要"},
        api(201, other=400),  # 河南 cannot name 江西's task: "no such object"
    ),
    ("v1:case-detail", "PATCH"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/",
        lambda w: {"title": "案例（修订）"},
        api(200),
    ),
    ("v1:case-detail", "PUT"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/",
        lambda w: {"assignment": w["jiangxi_assignment"].pk, "title": "案例", "summary": "摘要"},
        api(200),
    ),
    ("v1:case-submit", "POST"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/submit/",
        lambda w: {},
        api(200),
    ),
    ("v1:case-return-for-revision", "POST"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/return/",
        lambda w: {"reason": "请补充"},
        hq_api(409),  # a draft cannot be returned
    ),
    ("v1:case-confirm", "POST"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/confirm/",
        lambda w: {},
        hq_api(409),
    ),
    ("v1:case-select", "POST"): (
        lambda w: f"/api/v1/cases/{w['case'].pk}/select/",
        lambda w: {"digest": True, "publication": True},
        hq_api(409),  # only a confirmed case is chosen
    ),
    ("v1:summary-list", "POST"): (
        lambda w: "/api/v1/summaries/",
        lambda w: {"year": 2018, "talent": "人才培养"},
        api(201, other=201),  # each unit writes its own (江西 changes the one it has)
    ),
    ("v1:summary-detail", "PATCH"): (
        lambda w: f"/api/v1/summaries/{w['summary'].pk}/",
        lambda w: {"talent": "人才培养"},
        api(200),
    ),
    ("v1:summary-detail", "PUT"): (
        lambda w: f"/api/v1/summaries/{w['summary'].pk}/",
        lambda w: {"year": 2018, "talent": "人才培养"},
        api(200),
    ),
    ("v1:summary-submit", "POST"): (
        lambda w: f"/api/v1/summaries/{w['summary'].pk}/submit/",
        lambda w: {},
        api(409),  # incomplete: refused with what is missing
    ),
    ("v1:summary-return-for-revision", "POST"): (
        lambda w: f"/api/v1/summaries/{w['summary'].pk}/return/",
        lambda w: {"reason": "请补充"},
        hq_api(409),
    ),
    ("v1:summary-confirm", "POST"): (
        lambda w: f"/api/v1/summaries/{w['summary'].pk}/confirm/",
        lambda w: {},
        hq_api(409),
    ),
    ("v1:bulletin-list", "POST"): (
        lambda w: "/api/v1/bulletins/",
        lambda w: {
            "year": 2018,
            "title": "第四季度工作进展",
            "period_start": "2018-10-01",
            "period_end": "2018-12-31",
        },
        hq_api(201),
    ),
    ("v1:bulletin-detail", "PATCH"): (
        lambda w: f"/api/v1/bulletins/{w['bulletin'].pk}/",
        lambda w: {"title": "改"},
        hq_api(409),  # published: no longer changed
    ),
    ("v1:bulletin-detail", "PUT"): (
        lambda w: f"/api/v1/bulletins/{w['bulletin'].pk}/",
        lambda w: {
            "year": 2018,
            "title": "改",
            "period_start": "2018-07-01",
            "period_end": "2018-09-30",
        },
        hq_api(409),
    ),
    ("v1:bulletin-publish", "POST"): (
        lambda w: f"/api/v1/bulletins/{w['bulletin'].pk}/publish/",
        lambda w: {},
        hq_api(409),  # published already
    ),
    ("v1:deadline-list", "POST"): (
        lambda w: "/api/v1/deadlines/",
        lambda w: {"year": 2018, "task": 3, "due_date": "2018-09-30", "description": "网点"},
        hq_api(201),
    ),
    ("v1:deadline-detail", "PATCH"): (
        lambda w: f"/api/v1/deadlines/{w['other_deadline'].pk}/",
        lambda w: {"reminder_offsets": "7,1"},
        hq_api(200),
    ),
    ("v1:deadline-detail", "PUT"): (
        lambda w: f"/api/v1/deadlines/{w['other_deadline'].pk}/",
        lambda w: {"year": 2018, "due_date": "2018-10-15", "description": "第三季度工作进展"},
        hq_api(200),
    ),
    ("v1:extension-request-list", "POST"): (
        lambda w: "/api/v1/extension-requests/",
        lambda w: {
            "key": "summary:2018:360000",
            "requested_due": "2019-01-15",
            "reason": "数据统计延后",
        },
        api(409, other=409),  # past its due date (江西); not 河南's debt: refused, as the page
    ),
    ("v1:extension-request-approve", "POST"): (
        lambda w: f"/api/v1/extension-requests/{w['extension'].pk}/approve/",
        lambda w: {"reason": "同意"},
        hq_api(200),
    ),
    ("v1:extension-request-refuse", "POST"): (
        lambda w: f"/api/v1/extension-requests/{w['extension'].pk}/refuse/",
        lambda w: {"reason": "节点不能推迟"},
        hq_api(200),
    ),
    ("v1:notification-read", "POST"): (
        lambda w: f"/api/v1/notifications/{w['notification'].pk}/read/",
        lambda w: {},
        api(200, expert=404, hq=404, admin=404),  # one's own inbox only
    ),
    ("v1:notification-read-all", "POST"): (
        lambda w: "/api/v1/notifications/read-all/",
        lambda w: {},
        api(200, other=200, expert=200, hq=200, admin=200),
    ),
    # --- end of branch apires ------------------------------------------------------------
}


@pytest.fixture
def write_world(world):  # noqa: F811 - pytest's fixture by name
    from datetime import date, timedelta

    from django.utils import timezone

    from planning.models import Deadline
    from projects.models import Agreement, Application, Deliverable
    from provinces.models import Milestone, Province

    world["call"].criteria.create(name="方案可行", weight=100)
    world["milestone"] = Milestone.objects.create(
        registration=world["jiangxi_registration"],
        due_date=date(2018, 9, 30),
        description="完成站点建设",
    )
    running = Application.objects.create(
        call=world["call"],
        province=Province.objects.get(short_name="江西"),
        applicant="某服务机构",
        contact_name="周",
        contact_phone="13800138001",
        budget_requested=Decimal("20"),
        budget_granted=Decimal("15"),
        plan_text="y",
        state="in_progress",
    )
    Agreement.objects.create(
        application=running,
        number="WM-1",
        budget=Decimal("15"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
        signed_at=timezone.now() - timedelta(days=1),
    )
    world["draft"] = Application.objects.create(
        call=world["call"],
        province=running.province,
        applicant="某企业",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("10"),
        plan_text="x",
    )
    world["running"] = running
    world["deliverable"] = Deliverable.objects.create(
        application=running, title="服务报告", due_date=date(2018, 11, 30)
    )
    from reporting.models import AnnualSummary

    world["summary"] = AnnualSummary.objects.create(plan=world["plan"], province=running.province)
    world["other_deadline"] = Deadline.objects.create(
        plan=world["plan"],
        kind=Deadline.Kind.OTHER,
        due_date=date(2018, 9, 30),
        description="第三季度工作进展",
    )
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(WRITE_MATRIX), ids=lambda k: f"{k[1]} {k[0]}")
def test_write_matrix(write_world, key):
    name, method = key
    build, data, expected = WRITE_MATRIX[key]
    path = build(write_world)
    got = {}
    for role in ROLES:
        client = client_for(write_world["users"][role])
        send = getattr(client, method.lower())
        body = data(write_world)
        with transaction.atomic():
            if isinstance(body, Multipart) or (method == "POST" and not path.startswith("/api/")):
                response = send(path, dict(body))  # the test client's default: multipart
            else:
                response = send(path, body, content_type="application/json")
            transaction.set_rollback(True)
        got[role] = response.status_code
    assert got == expected, f"{name} {method} {path}"


def _api_write_routes(patterns=None, prefix: str = "") -> set[tuple[str, str]]:
    """(url name, METHOD) for every write method a DRF router exposes."""
    routes = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            routes |= _api_write_routes(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            actions = getattr(p.callback, "actions", None) or {}
            for method in actions:
                if method not in {"get", "head", "options"}:
                    routes.add((prefix + p.name, method.upper()))
    return routes


def test_every_api_write_method_is_in_the_matrix():
    missing = _api_write_routes() - set(WRITE_MATRIX)
    assert not missing, f"add these API writes to WRITE_MATRIX: {sorted(missing)}"
