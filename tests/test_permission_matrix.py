"""Every URL × every role → the expected status. A URL missing from the matrix fails.

Roles: anonymous, staff of the owning province (江西), staff of another province (河南),
an expert, an HQ reviewer and an administrator. "Owning" objects belong to 江西.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import client_for, make_user

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
ROLES = ["anonymous", "owner", "other", "expert", "hq", "admin"]

# Named shapes of expectation, to keep the table readable.
LOGIN = 302  # anonymous on a page: sent to the login page
DENIED_API = 401


def page(owner=200, other=200, expert=200, hq=200, admin=200, anonymous=LOGIN):
    return dict(anonymous=anonymous, owner=owner, other=other, expert=expert, hq=hq, admin=admin)


def api(owner=200, other=200, expert=200, hq=200, admin=200, anonymous=DENIED_API):
    return dict(anonymous=anonymous, owner=owner, other=other, expert=expert, hq=hq, admin=admin)


PUBLIC_TO_USERS = page()
OWN_PROVINCE = page(other=404, expert=404)
HQ_ONLY = page(owner=404, other=404, expert=404)
ADMIN_ONLY = page(owner=302, other=302, expert=302, hq=302)
OWN_JOB = page(other=404, expert=404, hq=404, admin=404)  # a job is seen by who started it

# url name → (path builder taking the world, expected statuses by role)
MATRIX: dict[str, tuple[Callable[[dict], str], dict[str, int]]] = {
    "home": (lambda w: "/", page(owner=302, other=302, expert=302, hq=302, admin=302)),
    "login": (
        lambda w: "/accounts/login/",
        page(anonymous=200, owner=302, other=302, expert=302, hq=302, admin=302),
    ),
    "password_change": (lambda w: "/accounts/password/", page()),
    "api_token": (lambda w: "/accounts/token/", page()),
    "health": (lambda w: "/health/", page(anonymous=200)),
    "planning:plan_list": (lambda w: "/plans/", PUBLIC_TO_USERS),
    "planning:plan_detail": (lambda w: "/plans/2018/", PUBLIC_TO_USERS),
    "planning:plan_units": (lambda w: "/plans/2018/units/", HQ_ONLY),
    "planning:task_detail": (lambda w: "/plans/2018/tasks/2/", PUBLIC_TO_USERS),
    "planning:import_notice": (lambda w: "/plans/import/", ADMIN_ONLY),
    "provinces:province_list": (lambda w: "/provinces/", HQ_ONLY),
    "provinces:province_detail": (lambda w: "/provinces/360000/", OWN_PROVINCE),
    "provinces:todo": (
        lambda w: "/provinces/todo/",
        page(other=200, expert=404, hq=404, admin=404),
    ),
    "provinces:board": (lambda w: "/provinces/board/", HQ_ONLY),
    "provinces:review_queue": (lambda w: "/provinces/review/", HQ_ONLY),
    "provinces:registration": (
        lambda w: f"/provinces/assignments/{w['jiangxi_assignment'].pk}/",
        OWN_PROVINCE,
    ),
    "provinces:ledger_list": (lambda w: "/provinces/ledger/", page(expert=404)),
    "provinces:ledger_new": (
        lambda w: "/provinces/ledger/new/",
        page(expert=404, hq=404, admin=404),
    ),
    "provinces:ledger_edit": (
        lambda w: f"/provinces/ledger/{w['jiangxi_entry'].pk}/edit/",
        page(other=404, expert=404, hq=404, admin=404),
    ),
    "provinces:ledger_import": (lambda w: "/provinces/ledger/import/", page(expert=404)),
    "provinces:ledger_template": (lambda w: "/provinces/ledger/template.xlsx", page()),
    "provinces:ledger_export": (lambda w: "/provinces/ledger/export.xlsx", page(expert=404)),
    "provinces:evidence_download": (
        lambda w: f"/provinces/evidence/{w['jiangxi_evidence'].pk}/",
        OWN_PROVINCE,
    ),
    "provinces:contacts": (lambda w: "/provinces/contacts/", page(expert=404)),
    "workflow:import_job": (lambda w: f"/imports/{w['import_job'].pk}/", OWN_JOB),
    "workflow:import_status": (lambda w: f"/imports/{w['import_job'].pk}/status/", OWN_JOB),
    "provinces:contacts_import": (lambda w: "/provinces/contacts/import/", page(expert=404)),
    "provinces:contacts_template": (lambda w: "/provinces/contacts/template.xlsx", page()),
    "notifications:reminder_log": (lambda w: "/notifications/reminders/", HQ_ONLY),
    "notifications:remind_unit": (lambda w: "/notifications/remind/360000/", HQ_ONLY),
    "notifications:remind_late": (lambda w: "/notifications/remind/late/?task=2", HQ_ONLY),
    "projects:call_list": (lambda w: "/projects/", page(expert=404)),
    "projects:export": (lambda w: "/projects/export.xlsx", page(expert=404)),
    "projects:call_detail": (lambda w: f"/projects/calls/{w['call'].pk}/", page(expert=404)),
    "projects:application_new": (
        lambda w: f"/projects/calls/{w['call'].pk}/apply/",
        page(expert=404, hq=404, admin=404),
    ),
    "projects:application_detail": (
        lambda w: f"/projects/applications/{w['application'].pk}/",
        page(other=404, expert=302),
    ),
    "projects:application_edit": (
        lambda w: f"/projects/applications/{w['application'].pk}/edit/",
        page(owner=302, other=404, expert=404, hq=404, admin=404),  # under review: back to it
    ),
    "projects:my_reviews": (
        lambda w: "/projects/reviews/",
        page(owner=404, other=404, hq=404, admin=404),
    ),
    "projects:review": (
        lambda w: f"/projects/reviews/{w['review_assignment'].pk}/",
        page(owner=404, other=404, hq=404, admin=404),
    ),
    "projects:totals": (lambda w: "/projects/totals/", page(expert=404)),
    "projects:totals_export": (lambda w: "/projects/totals.xlsx", page(expert=404)),
    "projects:call_new": (lambda w: "/projects/calls/new/", HQ_ONLY),
    "projects:attachment_download": (
        lambda w: f"/projects/attachments/{w['attachment'].pk}/",
        page(other=404),  # the expert is assigned to this application
    ),
    "v1:application-totals": (lambda w: "/api/v1/applications/totals/", api(expert=403)),
    "projects:report_list": (lambda w: "/projects/reports/", page(expert=404)),
    "projects:report": (lambda w: f"/projects/reports/{w['project_report'].pk}/", OWN_PROVINCE),
    "projects:report_file": (
        lambda w: f"/projects/report-files/{w['report_file'].pk}/",
        OWN_PROVINCE,
    ),
    "projects:project_reporting": (
        lambda w: f"/projects/applications/{w['project'].pk}/reporting/",
        OWN_PROVINCE,
    ),
    "projects:acceptance": (
        lambda w: f"/projects/applications/{w['project'].pk}/acceptance/",
        HQ_ONLY,
    ),
    "v1:project-report-list": (lambda w: "/api/v1/project-reports/", api(expert=403)),
    "v1:project-report-detail": (
        lambda w: f"/api/v1/project-reports/{w['project_report'].pk}/",
        api(other=404, expert=403),
    ),
    "v1:project-report-schedule": (
        lambda w: f"/api/v1/project-reports/schedules/{w['project'].pk}/",
        api(other=404, expert=403),
    ),
    "notifications:inbox": (lambda w: "/notifications/", page()),
    "notifications:open": (
        lambda w: f"/notifications/{w['notification'].pk}/open/",
        page(owner=302, other=404, expert=404, hq=404, admin=404),
    ),
    "notifications:calendar_feed": (
        lambda w: f"/notifications/calendar/{w['calendar_token']}.ics",
        page(anonymous=200),  # the private token is the key, for calendar apps
    ),
    "provinces:my_deadlines": (
        lambda w: "/provinces/deadlines/",
        page(expert=404, hq=404, admin=404),
    ),
    "planning:deadline_list": (lambda w: "/plans/deadlines/", HQ_ONLY),
    "planning:deadline_new": (lambda w: "/plans/deadlines/new/", HQ_ONLY),
    "planning:deadline_edit": (
        lambda w: f"/plans/deadlines/{w['plan'].deadlines.first().pk}/",
        HQ_ONLY,
    ),
    "notifications:extension_list": (lambda w: "/notifications/extensions/", HQ_ONLY),
    "notifications:extension_detail": (
        lambda w: f"/notifications/extensions/{w['extension'].pk}/",
        OWN_PROVINCE,
    ),
    "v1:review-assignment-list": (lambda w: "/api/v1/review-assignments/", api()),
    "v1:review-assignment-detail": (
        lambda w: f"/api/v1/review-assignments/{w['review_assignment'].pk}/",
        api(owner=404, other=404),  # the assigned expert and HQ
    ),
    "v1:application-scores": (
        lambda w: f"/api/v1/applications/{w['application'].pk}/scores/",
        api(owner=403, other=403, expert=403),  # HQ only
    ),
    "v1:call-list": (lambda w: "/api/v1/calls/", api()),
    "v1:call-detail": (lambda w: f"/api/v1/calls/{w['call'].pk}/", api(expert=404)),
    "v1:application-list": (lambda w: "/api/v1/applications/", api()),
    "v1:application-detail": (
        lambda w: f"/api/v1/applications/{w['application'].pk}/",
        api(other=404),
    ),
    "reporting:home": (
        lambda w: "/reporting/",
        page(owner=302, other=302, expert=302, hq=302, admin=302),
    ),
    "reporting:digest_home": (
        lambda w: "/reporting/digest/",
        page(owner=404, other=404, expert=404, hq=302, admin=302),
    ),
    "reporting:case_list": (lambda w: "/reporting/cases/", page(expert=404)),
    "reporting:case_new": (lambda w: "/reporting/cases/new/", page(expert=404, hq=404, admin=404)),
    "reporting:case": (lambda w: f"/reporting/cases/{w['case'].pk}/", OWN_PROVINCE),
    "reporting:case_edit": (
        lambda w: f"/reporting/cases/{w['case'].pk}/edit/",
        page(other=404, expert=404, hq=404, admin=404),
    ),
    "reporting:case_evidence": (
        lambda w: f"/reporting/case-evidence/{w['case_evidence'].pk}/",
        OWN_PROVINCE,
    ),
    "reporting:bulletin_list": (lambda w: "/reporting/bulletins/", page(expert=404)),
    "reporting:bulletin_new": (lambda w: "/reporting/bulletins/new/", HQ_ONLY),
    "reporting:bulletin": (lambda w: f"/reporting/bulletins/{w['bulletin'].pk}/", page(expert=404)),
    "reporting:bulletin_edit": (
        lambda w: f"/reporting/bulletins/{w['bulletin'].pk}/edit/",
        page(owner=404, other=404, expert=404, hq=302, admin=302),
    ),
    "reporting:bulletin_pdf": (
        lambda w: f"/reporting/bulletins/{w['bulletin'].pk}/pdf/",
        page(expert=404),
    ),
    "reporting:summary_list": (
        lambda w: "/reporting/2018/summaries/",
        page(owner=302, other=302, expert=404),
    ),
    "reporting:summary": (lambda w: "/reporting/2018/summaries/360000/", OWN_PROVINCE),
    "reporting:trends": (lambda w: "/reporting/trends/", page(expert=404)),
    "reporting:trends_export": (lambda w: "/reporting/trends/export/", page(expert=404)),
    "v1:trends": (lambda w: "/api/v1/trends/", api(expert=403)),
    "reporting:digest": (lambda w: "/reporting/2018/digest/", HQ_ONLY),
    "reporting:digest_workbook": (lambda w: "/reporting/2018/digest.xlsx", HQ_ONLY),
    "reporting:digest_status": (lambda w: f"/reporting/digests/{w['digest'].pk}/status/", HQ_ONLY),
    "reporting:digest_download": (
        lambda w: f"/reporting/digests/{w['digest'].pk}/download/",
        HQ_ONLY,
    ),
    "v1:plan-list": (lambda w: "/api/v1/plans/", api()),
    "v1:plan-detail": (lambda w: "/api/v1/plans/2018/", api()),
    "v1:task-list": (lambda w: "/api/v1/tasks/", api()),
    "v1:task-detail": (lambda w: f"/api/v1/tasks/{w['task2'].pk}/", api()),
    "v1:province-list": (lambda w: "/api/v1/provinces/", api()),
    "v1:province-detail": (lambda w: "/api/v1/provinces/360000/", api(other=404, expert=404)),
    "v1:assignment-list": (lambda w: "/api/v1/assignments/", api()),
    "v1:assignment-detail": (
        lambda w: f"/api/v1/assignments/{w['jiangxi_assignment'].pk}/",
        api(other=404, expert=404),
    ),
    "v1:registration-list": (lambda w: "/api/v1/registrations/", api()),
    "v1:registration-detail": (
        lambda w: f"/api/v1/registrations/{w['jiangxi_registration'].pk}/",
        api(other=404, expert=404),
    ),
    "v1:ledger-entry-list": (lambda w: "/api/v1/ledger-entries/", api()),
    "v1:contact-list": (lambda w: "/api/v1/contacts/", api()),  # each sees their own scope
    "v1:ledger-entry-detail": (
        lambda w: f"/api/v1/ledger-entries/{w['jiangxi_entry'].pk}/",
        api(other=404, expert=404),
    ),
    "funding:overview": (lambda w: "/funding/", page(expert=404)),
    "funding:export": (lambda w: "/funding/export.xlsx", page(expert=404)),
    "funding:allocation_list": (lambda w: "/funding/allocations/", page(expert=404)),
    "funding:allocation_detail": (
        lambda w: f"/funding/allocations/{w['allocation'].pk}/",
        OWN_PROVINCE,
    ),
    "funding:task_grid": (lambda w: "/funding/allocations/task/2/", HQ_ONLY),
    "funding:project_allocation": (
        lambda w: f"/funding/allocations/project/{w['application'].pk}/",
        HQ_ONLY,
    ),
    "funding:allocation_import": (lambda w: "/funding/allocations/import/", HQ_ONLY),
    "funding:allocation_template": (lambda w: "/funding/allocations/template.xlsx", HQ_ONLY),
    "funding:payment_list": (lambda w: "/funding/payments/", page(expert=404)),
    "funding:spending": (
        lambda w: f"/funding/allocations/{w['allocation'].pk}/spending/",
        OWN_PROVINCE,
    ),
    "funding:spending_list": (lambda w: "/funding/spending/", page(expert=404)),
    "funding:evidence_download": (
        lambda w: f"/funding/evidence/{w['spending_evidence'].pk}/",
        OWN_PROVINCE,
    ),
    "v1:allocation-list": (lambda w: "/api/v1/allocations/", api(expert=403)),
    "v1:allocation-summary": (lambda w: "/api/v1/allocations/summary/", api(expert=403)),
    "v1:allocation-detail": (
        lambda w: f"/api/v1/allocations/{w['allocation'].pk}/",
        api(other=404, expert=403),
    ),
    "v1:payment-list": (lambda w: "/api/v1/payments/", api(expert=403)),
    "v1:payment-detail": (
        lambda w: f"/api/v1/payments/{w['allocation'].payments.first().pk}/",
        api(other=404, expert=403),
    ),
    "v1:spending-report-list": (lambda w: "/api/v1/spending-reports/", api(expert=403)),
    "v1:spending-report-detail": (
        lambda w: f"/api/v1/spending-reports/{w['spending'].pk}/",
        api(other=404, expert=403),
    ),
    # --- the year end, deadlines, the inbox and the board in the API (branch apires) -------
    "v1:case-list": (lambda w: "/api/v1/cases/", api(expert=403)),
    "v1:case-detail": (
        lambda w: f"/api/v1/cases/{w['case'].pk}/",
        api(other=404, expert=403),  # 江西's draft; a published case every unit reads
    ),
    "v1:summary-list": (lambda w: "/api/v1/summaries/", api(expert=403)),
    "v1:summary-detail": (
        lambda w: f"/api/v1/summaries/{jiangxi_summary(w).pk}/",
        api(other=404, expert=403),
    ),
    "v1:bulletin-list": (lambda w: "/api/v1/bulletins/", api(expert=403)),
    "v1:bulletin-detail": (
        lambda w: f"/api/v1/bulletins/{w['bulletin'].pk}/",
        api(expert=403),  # published: every unit reads it
    ),
    "v1:deadline-list": (lambda w: "/api/v1/deadlines/", api()),
    "v1:deadline-detail": (
        lambda w: f"/api/v1/deadlines/{w['plan'].deadlines.first().pk}/",
        api(),  # whoever sees the plan sees its deadlines
    ),
    "v1:extension-request-list": (lambda w: "/api/v1/extension-requests/", api(expert=403)),
    "v1:extension-request-detail": (
        lambda w: f"/api/v1/extension-requests/{w['extension'].pk}/",
        api(other=404, expert=403),
    ),
    "v1:notification-list": (lambda w: "/api/v1/notifications/", api()),  # each their own
    "v1:notification-detail": (
        lambda w: f"/api/v1/notifications/{w['notification'].pk}/",
        api(other=404, expert=404, hq=404, admin=404),  # 江西's staff member's inbox only
    ),
    "v1:board-list": (lambda w: "/api/v1/board/", api(owner=403, other=403, expert=403)),
    # --- end of branch apires ------------------------------------------------------------
    # --- the service network and training classes ---------------------------------
    "provinces:network_list": (lambda w: "/provinces/network/", page(expert=404)),
    "provinces:network_new": (
        lambda w: "/provinces/network/new/",
        page(expert=404, hq=404, admin=404),  # units keep their own network
    ),
    "provinces:network_edit": (
        lambda w: f"/provinces/network/{w['jiangxi_entity'].pk}/edit/",
        page(other=404, expert=404, hq=404, admin=404),
    ),
    "provinces:network_import": (
        lambda w: "/provinces/network/import/",
        page(expert=404, hq=404, admin=404),
    ),
    "provinces:network_template": (lambda w: "/provinces/network/template.xlsx", page(expert=404)),
    "provinces:network_export": (lambda w: "/provinces/network/export.xlsx", page(expert=404)),
    "provinces:network_counts": (lambda w: "/provinces/network/counts/", HQ_ONLY),
    "provinces:training_list": (lambda w: "/provinces/trainings/", page(expert=404)),
    "provinces:training_new": (lambda w: "/provinces/trainings/new/", page(expert=404)),
    "provinces:training_detail": (
        lambda w: f"/provinces/trainings/{w['jiangxi_training'].pk}/",
        OWN_PROVINCE,
    ),
    "provinces:training_edit": (
        lambda w: f"/provinces/trainings/{w['jiangxi_training'].pk}/edit/",
        page(other=404, expert=404, hq=404, admin=404),  # HQ edits only the classes HQ held
    ),
    "provinces:training_export": (lambda w: "/provinces/trainings/export.xlsx", page(expert=404)),
    "provinces:roster_import": (lambda w: "/provinces/trainings/roster/import/", page(expert=404)),
    "provinces:roster_template": (
        lambda w: "/provinces/trainings/roster/template.xlsx",
        page(expert=404),
    ),
    "provinces:training_material_download": (
        lambda w: f"/provinces/training-materials/{w['jiangxi_material'].pk}/",
        OWN_PROVINCE,
    ),
    "v1:service-network-list": (lambda w: "/api/v1/service-network/", api()),
    "v1:service-network-detail": (
        lambda w: f"/api/v1/service-network/{w['jiangxi_entity'].pk}/",
        api(other=404, expert=404),
    ),
    "v1:training-list": (lambda w: "/api/v1/trainings/", api()),
    "v1:training-detail": (
        lambda w: f"/api/v1/trainings/{w['jiangxi_training'].pk}/",
        api(other=404, expert=404),
    ),
    "provinces:task_report_list": (lambda w: "/provinces/task-reports/", page(expert=404)),
    "provinces:task_report_definition_new": (lambda w: "/provinces/task-reports/new/", HQ_ONLY),
    "provinces:task_report": (
        lambda w: f"/provinces/task-reports/{w['task_report_definition'].pk}/",
        page(expert=404),  # 河南 may take task 7 up: it sees the definition, files nothing
    ),
    "provinces:task_report_definition_edit": (
        lambda w: f"/provinces/task-reports/{w['task_report_definition'].pk}/edit/",
        HQ_ONLY,
    ),
    "provinces:task_report_submission": (
        lambda w: f"/provinces/task-reports/submissions/{w['task_report'].pk}/",
        OWN_PROVINCE,
    ),
    "provinces:task_report_export": (
        lambda w: f"/provinces/task-reports/{w['task_report_definition'].pk}/export.xlsx",
        HQ_ONLY,
    ),
    "provinces:notice_receipts_export": (
        lambda w: f"/provinces/notices/{w['notice'].pk}/receipts.xlsx",
        HQ_ONLY,
    ),
    "provinces:notice_list": (lambda w: "/provinces/notices/", page(expert=404)),
    "provinces:notice_new": (lambda w: "/provinces/notices/new/", HQ_ONLY),
    "provinces:notice": (lambda w: f"/provinces/notices/{w['notice'].pk}/", OWN_PROVINCE),
    "provinces:notice_edit": (
        lambda w: f"/provinces/notices/{w['draft_notice'].pk}/edit/",
        HQ_ONLY,
    ),
    "provinces:notice_attachment": (
        lambda w: f"/provinces/notices/files/{w['notice_attachment'].pk}/",
        OWN_PROVINCE,
    ),
    "provinces:notice_reply_file": (
        lambda w: f"/provinces/notices/reply-files/{w['notice_reply_file'].pk}/",
        OWN_PROVINCE,
    ),
    "v1:task-report-list": (lambda w: "/api/v1/task-reports/", api(expert=403)),
    "v1:task-report-detail": (
        lambda w: f"/api/v1/task-reports/{w['task_report_definition'].pk}/",
        api(expert=403),
    ),
    "v1:task-report-submission-list": (
        lambda w: "/api/v1/task-report-submissions/",
        api(expert=403),
    ),
    "v1:task-report-submission-detail": (
        lambda w: f"/api/v1/task-report-submissions/{w['task_report'].pk}/",
        api(other=404, expert=403),
    ),
    "v1:notice-list": (lambda w: "/api/v1/notices/", api(expert=403)),
    "v1:notice-detail": (
        lambda w: f"/api/v1/notices/{w['notice'].pk}/",
        api(other=404, expert=403),
    ),
    "schema": (lambda w: "/api/schema/", api(anonymous=200)),
    "api-docs": (lambda w: "/api/docs/", api(anonymous=200)),
}


def jiangxi_summary(w):
    """江西's 2018 summary (made on first use, so the shared world stays as it is)."""
    from reporting.models import AnnualSummary

    return AnnualSummary.objects.get_or_create(
        plan=w["plan"], province=w["jiangxi_assignment"].province
    )[0]


# URLs left out of both matrices, with the reason (none today).
NOT_IN_MATRIX: dict[str, str] = {}  # every URL is in one of the two matrices now


def named_urls(patterns=None, prefix: str = "") -> set[str]:
    names = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns == "admin" or (p.app_name == "admin"):
                continue
            names |= named_urls(p.url_patterns, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_url_is_in_the_matrix():
    from tests.test_write_matrix import WRITE_MATRIX  # POST-only URLs and API writes

    written = {name for name, _method in WRITE_MATRIX}
    missing = {
        n
        for n in named_urls()
        if n not in MATRIX
        and n not in written
        and n not in NOT_IN_MATRIX
        and not n.endswith("-api-root")
    }
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


def network_world(plan) -> dict:
    """江西's network entity, training class and its material."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from provinces.models import NetworkEntity, Province, TrainingClass, TrainingMaterial

    jiangxi = Province.objects.get(short_name="江西")
    training = TrainingClass.objects.create(
        plan=plan,
        province=jiangxi,
        task=plan.tasks.get(number=2),
        title="江西省专利信息利用能力培训班",
        start_date=date(2018, 8, 22),
        end_date=date(2018, 8, 24),
        place="南昌",
        attendee_count=80,
    )
    return {
        "jiangxi_entity": NetworkEntity.objects.create(
            plan=plan, province=jiangxi, kind="outlet", name="江西省图书馆专利文献服务网点"
        ),
        "jiangxi_training": training,
        "jiangxi_material": TrainingMaterial.objects.create(
            training=training,
            file=SimpleUploadedFile("t.png", PNG),
            original_name="签到表.png",
            content_type="image/png",
            size=len(PNG),
        ),
    }


@pytest.fixture
def world(plan_2018):
    from provinces.models import Assignment

    users = {
        "anonymous": None,
        "owner": make_user("m_jiangxi", "province_staff", "江西"),
        "other": make_user("m_henan", "province_staff", "河南"),
        "expert": make_user("m_expert", "expert", "北京"),
        "hq": make_user("m_hq", "hq_reviewer"),
        "admin": make_user("m_admin", "administrator"),
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    from provinces.models import Evidence, LedgerEntry

    jiangxi_assignment = Assignment.objects.get(task__number=2, province__short_name="江西")
    entry = LedgerEntry.objects.create(
        assignment=jiangxi_assignment,
        date="2018-07-01",
        kind="training",
        description="培训",
        responsible_person="李",
    )
    evidence = Evidence.objects.create(
        entry=entry,
        file=SimpleUploadedFile("a.png", PNG),
        original_name="照片.png",
        content_type="image/png",
        size=len(PNG),
    )
    from django.core.files.base import ContentFile

    from provinces.models import Registration
    from reporting.models import DigestBuild
    from workflow.models import ImportJob

    digest = DigestBuild.objects.create(plan=plan_2018, state="done", progress=100)
    digest.file.save("d.pdf", ContentFile(b"%PDF-1.4 test"))
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from projects.models import Application, Call, ExpertAssignment
    from provinces.models import Province

    now = timezone.now()
    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )
    application = Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("10"),
        plan_text="x",
        state="under_review",
    )
    review_assignment = ExpertAssignment.objects.create(
        application=application, expert=users["expert"]
    )
    from notifications.models import ExtensionRequest, Notification

    notification = Notification.objects.create(
        user=users["owner"], kind="returned", message="退回", link="/provinces/todo/"
    )
    extension = ExtensionRequest.objects.create(
        deadline_key="registration:2018:360000",
        province=Province.objects.get(short_name="江西"),
        what="报送",
        plan_year=2018,
        due_date="2018-06-20",
        requested_due="2018-06-30",
        reason="人员调整",
    )
    from projects.models import Attachment

    attachment = Attachment.objects.create(
        application=application,
        purpose="application",
        file=SimpleUploadedFile("p.png", PNG),
        original_name="p.png",
        content_type="image/png",
        size=len(PNG),
    )
    from provinces.models import Case, CaseEvidence
    from reporting.models import Bulletin

    case = Case.objects.create(
        plan=plan_2018, province=Province.objects.get(short_name="江西"), title="案例", summary="s"
    )
    case_evidence = CaseEvidence.objects.create(
        case=case,
        file=SimpleUploadedFile("c.png", PNG),
        original_name="c.png",
        content_type="image/png",
        size=len(PNG),
    )
    bulletin = Bulletin.objects.create(
        plan=plan_2018,
        title="进展",
        period_start="2018-07-01",
        period_end="2018-09-30",
        state="published",
    )
    from funding import services as funding
    from funding.models import SpendingCategory, SpendingEvidence

    allocation, _created = funding.allocate(
        plan_2018.tasks.get(number=2),
        Province.objects.get(short_name="江西"),
        amount=Decimal("20"),
        date="2018-05-01",
        by=users["hq"],
    )
    funding.record_payment(allocation, amount=Decimal("10"), date="2018-06-01", by=users["hq"])
    spending = funding.save_spending(
        funding.report_for(allocation),
        users["owner"],
        note="会议",
        amounts={SpendingCategory.objects.get(name="会议").pk: Decimal("3")},
    )
    spending.submit(users["owner"])
    spending_evidence = SpendingEvidence.objects.create(
        report=spending,
        file=SimpleUploadedFile("f.png", PNG),
        original_name="发票.png",
        content_type="image/png",
        size=len(PNG),
    )
    from datetime import date

    from projects.models import (
        Agreement,
        Deliverable,
        ProjectReport,
        ProjectReportDue,
        ProjectReportFile,
    )

    project = Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="某报告企业",
        contact_name="吴",
        contact_phone="13800138002",
        budget_requested=Decimal("20"),
        budget_granted=Decimal("15"),
        plan_text="z",
        state="acceptance_requested",
        hq_contact=users["hq"],
    )
    Agreement.objects.create(
        application=project,
        number="WR-1",
        budget=Decimal("15"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
    )
    Deliverable.objects.create(application=project, title="流程", due_date=date(2018, 11, 30))
    first_due = ProjectReportDue.objects.create(
        application=project, due_date=date(2018, 9, 30), period_start=date(2018, 7, 1)
    )
    ProjectReportDue.objects.create(
        application=project,
        due_date=date(2018, 12, 31),
        period_start=date(2018, 10, 1),
        is_final=True,
    )
    project_report = ProjectReport.objects.create(
        application=project, due=first_due, work_done="w", results="r", state="submitted"
    )
    report_file = ProjectReportFile.objects.create(
        report=project_report,
        file=SimpleUploadedFile("r.png", PNG),
        original_name="r.png",
        content_type="image/png",
        size=len(PNG),
    )
    from provinces.models import (
        Notice,
        NoticeAttachment,
        NoticeReply,
        NoticeReplyFile,
        TaskReport,
        TaskReportDefinition,
    )
    from provinces.services import send_notice

    jiangxi = Province.objects.get(short_name="江西")
    definition = TaskReportDefinition.objects.create(
        task=plan_2018.tasks.get(number=7), title="众创空间评价指标", due_date="2018-11-30"
    )
    definition.fields.create(label="服务数量", kind="integer")
    notice = Notice.objects.create(
        plan=plan_2018,
        title="通知",
        body="正文",
        audience="chosen",
        reply_by="2018-12-10",
    )
    notice.units.set([jiangxi])
    notice_attachment = NoticeAttachment.objects.create(
        notice=notice,
        file=SimpleUploadedFile("n.png", PNG),
        original_name="n.png",
        content_type="image/png",
        size=len(PNG),
    )
    send_notice(notice, users["hq"])
    reply = NoticeReply.objects.create(notice=notice, province=jiangxi, text="收到")
    notice_reply_file = NoticeReplyFile.objects.create(
        reply=reply,
        file=SimpleUploadedFile("r.png", PNG),
        original_name="r.png",
        content_type="image/png",
        size=len(PNG),
    )
    return {
        "allocation": allocation,
        "spending": spending,
        "spending_evidence": spending_evidence,
        "project": project,
        "project_report": project_report,
        "report_file": report_file,
        **network_world(plan_2018),
        "task_report_definition": definition,
        "task_report": TaskReport.objects.create(definition=definition, province=jiangxi),
        "notice": notice,
        "draft_notice": Notice.objects.create(plan=plan_2018, title="草稿", body="正文"),
        "notice_attachment": notice_attachment,
        "notice_reply_file": notice_reply_file,
        "case": case,
        "case_evidence": case_evidence,
        "bulletin": bulletin,
        "call": call,
        "application": application,
        "attachment": attachment,
        "notification": notification,
        "extension": extension,
        "calendar_token": users["owner"].ensure_calendar_token(),
        "review_assignment": review_assignment,
        "digest": digest,
        "import_job": ImportJob.objects.create(
            kind="ledger", file_name="l.xlsx", state="done", requested_by=users["owner"]
        ),
        "jiangxi_registration": Registration.objects.create(assignment=jiangxi_assignment),
        "jiangxi_entry": entry,
        "jiangxi_evidence": evidence,
        "users": users,
        "plan": plan_2018,
        "task2": plan_2018.tasks.get(number=2),
        "jiangxi_assignment": Assignment.objects.get(task__number=2, province__short_name="江西"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(world, name):
    build, expected = MATRIX[name]
    path = build(world)
    got = {}
    for role in ROLES:
        response = client_for(world["users"][role]).get(path)
        got[role] = response.status_code
    assert got == expected, f"{name} {path}"
