"""Project reports to the HQ contact (issue 20): contacts, schedule, reports, acceptance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notifications.models import Notification, ReminderLog
from notifications.obligations import everything_owed
from notifications.services import sweep
from projects import digest as projects_digest
from projects import services
from projects.demo import seed_reporting_project
from projects.models import Application, ProjectReport, ProjectReportDue, ReportFrequency
from provinces.plans import rollover_plan
from reporting.models import Bulletin
from tests.conftest import make_user
from workflow.machine import TransitionRefused, history

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
SECTIONS = {
    "work_done": "完成两期企业专利信息利用培训。",
    "results": "形成研发节点专利检索流程。",
    "experience": "以研发节点为抓手。",
    "problems": "企业人员流动大。",
    "next_steps": "开展海外参展预警。",
}


def running(call, staff, hq, frequency: str = "quarterly", applicant="某机电公司") -> Application:
    app = Application.objects.create(
        call=call,
        province=staff.province,
        applicant=applicant,
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
        created_by=staff,
    )
    services.submit_application(app, staff)
    services.approve(app, hq, app.applicant, Decimal("15"))
    services.sign_agreement(
        app,
        hq,
        number=f"WX-{app.pk}",
        budget=Decimal("15"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
        deliverables=[services.DeliverableLine("分析报告", date(2018, 11, 30))],
        report_frequency=frequency,
    )
    app.refresh_from_db()
    return app


def submitted_report(app, staff, due=None) -> ProjectReport:
    due = due or app.report_dues.order_by("due_date").first()
    report = services.new_report(app, due, staff, SECTIONS, [app.deliverables.get().pk])
    services.submit_report(report, staff)
    return report


# --- the schedule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("final", [date(2018, 12, 31)]),
        ("quarterly", [date(2018, 9, 30), date(2018, 12, 31)]),
        ("half_yearly", [date(2018, 12, 31)]),
        (
            "monthly",
            [date(2018, m, d) for m, d in [(7, 31), (8, 31), (9, 30), (10, 31), (11, 30)]]
            + [date(2018, 12, 31)],
        ),
    ],
)
def test_schedule_makes_a_report_due_per_period_and_a_final_one(frequency, expected):
    got = services.report_due_dates(frequency, date(2018, 7, 1), date(2018, 12, 31))
    assert got == expected


def test_monthly_periods_from_the_31st_keep_to_each_months_last_day():
    got = services.report_due_dates("monthly", date(2019, 1, 31), date(2019, 4, 15))
    assert got == [date(2019, 2, 27), date(2019, 3, 30), date(2019, 4, 15)]


def test_dates_chosen_by_hand_must_lie_in_the_agreement():
    start, end = date(2018, 7, 1), date(2018, 12, 31)
    assert services.report_due_dates("custom", start, end, [date(2018, 10, 15)]) == [
        date(2018, 10, 15)
    ]
    with pytest.raises(TransitionRefused, match="实施期内"):
        services.report_due_dates("custom", start, end, [date(2018, 6, 1)])
    with pytest.raises(TransitionRefused, match="至少填写一个"):
        services.report_due_dates("custom", start, end, [])


def test_agreement_sets_schedule_and_contacts(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    assert app.hq_contact == hq_reviewer  # who decided
    assert app.unit_contact == jiangxi_staff  # who applied
    assert app.report_schedule.frequency == ReportFrequency.QUARTERLY
    dues = list(app.report_dues.values_list("due_date", "period_start", "is_final"))
    assert dues == [
        (date(2018, 9, 30), date(2018, 7, 1), False),
        (date(2018, 12, 31), date(2018, 10, 1), True),
    ]


def test_changing_the_schedule_keeps_reports_already_written(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    services.set_report_schedule(app, hq_reviewer, "final")
    dates = sorted(app.report_dues.values_list("due_date", flat=True))
    assert dates == [date(2018, 9, 30), date(2018, 12, 31)]  # the reported one stays
    assert ProjectReportDue.objects.get(report=report).is_final is False
    services.set_report_schedule(app, hq_reviewer, "monthly")
    assert app.report_dues.count() == 6


def test_contacts_must_be_a_hq_reviewer_and_the_units_own_staff(
    call, jiangxi_staff, henan_staff, hq_reviewer, hq_reviewer_2
):
    app = running(call, jiangxi_staff, hq_reviewer)
    with pytest.raises(TransitionRefused, match="专利文献部"):
        services.set_contacts(app, hq_reviewer, hq_contact=jiangxi_staff, unit_contact=None)
    with pytest.raises(TransitionRefused, match="江西"):
        services.set_contacts(app, hq_reviewer, hq_contact=hq_reviewer_2, unit_contact=henan_staff)
    services.set_contacts(app, hq_reviewer, hq_contact=hq_reviewer_2, unit_contact=jiangxi_staff)
    app.refresh_from_db()
    assert app.hq_contact == hq_reviewer_2


# --- reports through the lifecycle ----------------------------------------------------


def test_submitted_report_lands_in_the_hq_contacts_inbox_and_mail_on_commit(
    call, jiangxi_staff, hq_reviewer, hq_reviewer_2, mailoutbox, django_capture_on_commit_callbacks
):
    app = running(call, jiangxi_staff, hq_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted_report(app, jiangxi_staff)
    assert report.state == "submitted"
    note = Notification.objects.get(user=hq_reviewer, kind="report")
    assert "某机电公司" in note.text and note.link == report.get_absolute_url()
    assert not Notification.objects.filter(user=hq_reviewer_2).exists()
    assert [m.to for m in mailoutbox] == [[hq_reviewer.email]]


def test_report_needs_its_work_and_results_before_submission(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = services.new_report(app, app.report_dues.first(), jiangxi_staff, {"work_done": "x"})
    with pytest.raises(TransitionRefused, match="工作成果"):
        services.submit_report(report, jiangxi_staff)


def test_return_requires_a_reason_and_tells_the_unit(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    with pytest.raises(TransitionRefused):
        services.return_report(report, hq_reviewer, "  ")
    services.return_report(report, hq_reviewer, "请补充培训人数。")
    assert report.state == "returned"
    notes = Notification.objects.filter(user=jiangxi_staff, kind="returned")
    assert any("请补充培训人数" in n.text for n in notes)
    services.save_report(report, jiangxi_staff, {**SECTIONS, "results": "培训 120 人次。"})
    services.submit_report(report, jiangxi_staff)
    assert report.state == "resubmitted"


def test_only_the_projects_hq_contact_reviews_its_reports(
    call, jiangxi_staff, hq_reviewer, hq_reviewer_2
):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    with pytest.raises(TransitionRefused, match="项目联系人"):
        services.confirm_report(report, hq_reviewer_2)
    services.confirm_report(report, hq_reviewer)
    report.refresh_from_db()
    assert report.state == "confirmed" and report.confirmed_at is not None


def test_a_confirmed_report_cannot_be_changed(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    services.confirm_report(report, hq_reviewer)
    with pytest.raises(TransitionRefused, match="已锁定"):
        services.save_report(report, jiangxi_staff, {"results": "改"})


def test_another_province_cannot_write_the_report(call, jiangxi_staff, henan_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer)
    with pytest.raises(TransitionRefused, match="本单位"):
        services.new_report(app, app.report_dues.first(), henan_staff, SECTIONS)


def test_unit_question_goes_to_the_hq_contacts_inbox(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    response = as_user(jiangxi_staff).post(
        f"/projects/applications/{app.pk}/reporting/ask/", {"text": "经费可以调整吗？"}
    )
    assert response.status_code == 302
    notes = Notification.objects.filter(user=hq_reviewer, kind="question")
    assert any("经费可以调整吗" in n.text for n in notes)
    assert app.questions.get().asked_by == jiangxi_staff


# --- obligations and reminders ------------------------------------------------------


def test_due_report_is_owed_reminded_to_unit_and_hq_contact_until_handed_in(
    plan_2018, call, jiangxi_staff, hq_reviewer, mailoutbox
):
    app = running(call, jiangxi_staff, hq_reviewer)
    first = app.report_dues.order_by("due_date").first()
    owed = [o for o in everything_owed(plan_2018) if o.key == f"project-report:{first.pk}"]
    assert len(owed) == 1
    assert owed[0].recipients == sorted([jiangxi_staff.email, hq_reviewer.email])
    assert owed[0].due == date(2018, 9, 30) and owed[0].province == app.province
    at = timezone.make_aware(timezone.datetime(2018, 9, 23, 9, 0))
    with time_machine.travel(at, tick=False):
        sweep(date(2018, 9, 23))  # 7 days before
    sent = ReminderLog.objects.filter(deadline_key=f"project-report:{first.pk}")
    assert set(sent.values_list("recipient", flat=True)) == {jiangxi_staff.email, hq_reviewer.email}
    assert Notification.objects.filter(user=hq_reviewer, kind="reminder").exists()
    submitted_report(app, jiangxi_staff, first)
    assert not [o for o in everything_owed(plan_2018) if o.key == f"project-report:{first.pk}"]


def test_due_report_is_on_the_units_to_do_until_handed_in(
    plan_2018, call, jiangxi_staff, hq_reviewer, as_user
):
    app = running(call, jiangxi_staff, hq_reviewer)
    first = app.report_dues.order_by("due_date").first()
    page = as_user(jiangxi_staff).get(f"/provinces/todo/?year={plan_2018.year}")
    assert page.status_code == 200
    assert first.label in page.content.decode() and app.applicant in page.content.decode()
    submitted_report(app, jiangxi_staff, first)
    page = as_user(jiangxi_staff).get(f"/provinces/todo/?year={plan_2018.year}")
    assert f"（{first.label}）" not in page.content.decode()


# --- acceptance ---------------------------------------------------------------------


def test_acceptance_with_reports_owed_needs_hq_to_confirm_the_count(
    call, jiangxi_staff, hq_reviewer, as_user
):
    app = running(call, jiangxi_staff, hq_reviewer)
    submitted_report(app, jiangxi_staff)
    services.request_acceptance(app, jiangxi_staff, "已完成。")
    with pytest.raises(TransitionRefused, match="1 份项目报告未报送"):
        services.accept(app, hq_reviewer)
    client = as_user(hq_reviewer)
    page = client.get(f"/projects/applications/{app.pk}/acceptance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="confirm_owed" value="1"' in html
    assert "形成研发节点专利检索流程" in html and "分析报告" in html  # side by side
    client.post(f"/projects/applications/{app.pk}/acceptance/", {"reason": "通过"})
    app.refresh_from_db()
    assert app.state == "acceptance_requested"  # not ticked: refused
    client.post(f"/projects/applications/{app.pk}/acceptance/", {"confirm_owed": "1"})
    app.refresh_from_db()
    assert app.state == "accepted"


def test_acceptance_with_every_report_in_needs_no_confirmation(call, jiangxi_staff, hq_reviewer):
    app = running(call, jiangxi_staff, hq_reviewer, frequency="final")
    submitted_report(app, jiangxi_staff)
    services.request_acceptance(app, jiangxi_staff, "已完成。")
    services.accept(app, hq_reviewer)
    assert app.state == "accepted"


# --- the board ----------------------------------------------------------------------


def test_hq_board_shows_each_units_project_reports_due_and_overdue(
    call, jiangxi_staff, hq_reviewer, as_user
):
    """Quarterly from 2018-07-01: the first report is due at the end of September. A week
    before, the board shows 江西's project with one report due soon; after it, overdue (red);
    once handed in, nothing. The link opens the project's reports."""
    app = running(call, jiangxi_staff, hq_reviewer)
    first = app.report_dues.order_by("due_date").first()
    client = as_user(hq_reviewer)

    def rows(day: date) -> tuple[str, str, str]:
        with time_machine.travel(
            timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9))
        ):
            page = client.get("/provinces/board/?year=2018")
        assert page.status_code == 200
        html = page.content.decode()

        def row(unit: str) -> str:
            start = html.index(f">{unit}</a>")
            return html[start : html.index("</tr>", start)]

        return html, row("江西"), row("河南")

    _html, jiangxi, _henan = rows(first.due_date - timedelta(days=30))
    assert "某机电公司" not in jiangxi  # a month ahead: not yet on the board
    html, jiangxi, _henan = rows(first.due_date - timedelta(days=5))
    assert 'id="column-project-reports"' in html and "某机电公司：1 份即将到期" in jiangxi
    assert f"/projects/applications/{app.pk}/reporting/" in jiangxi
    _html, jiangxi, henan = rows(first.due_date + timedelta(days=3))
    assert 'class="error"' in jiangxi and "某机电公司：1 份未报，1 份逾期" in jiangxi
    assert "某机电公司" not in henan
    submitted_report(app, jiangxi_staff, first)
    _html, jiangxi, _henan = rows(first.due_date + timedelta(days=3))
    assert "某机电公司" not in jiangxi


# --- pages --------------------------------------------------------------------------


def test_project_page_names_both_contacts(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    html = as_user(jiangxi_staff).get(app.get_absolute_url()).content.decode()
    assert hq_reviewer.display_name() in html and jiangxi_staff.display_name() in html
    assert f"/projects/applications/{app.pk}/reporting/" in html


def test_unit_writes_uploads_and_submits_on_the_page(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    client = as_user(jiangxi_staff)
    due = app.report_dues.order_by("due_date").first()
    response = client.post(f"/projects/applications/{app.pk}/reporting/write/", {"due": due.pk})
    report = ProjectReport.objects.get(due=due)
    assert response.url == report.get_absolute_url()
    client.post(
        f"/projects/reports/{report.pk}/upload/",
        {"files": SimpleUploadedFile("照片.png", PNG)},
    )
    assert report.files.count() == 1
    client.post(
        report.get_absolute_url(),
        {**SECTIONS, "deliverables": [app.deliverables.get().pk], "submit": "1"},
    )
    report.refresh_from_db()
    assert report.state == "submitted" and report.deliverables.count() == 1
    download = as_user(hq_reviewer).get(f"/projects/report-files/{report.files.get().pk}/")
    assert download.status_code == 200


def test_hq_returns_on_the_page_with_a_reason(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    client = as_user(hq_reviewer)
    client.post(f"/projects/reports/{report.pk}/return/", {"reason": ""})
    report.refresh_from_db()
    assert report.state == "submitted"
    client.post(f"/projects/reports/{report.pk}/return/", {"reason": "请补充数据"})
    report.refresh_from_db()
    assert report.state == "returned"


def test_hq_sets_schedule_on_the_page(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    as_user(hq_reviewer).post(
        f"/projects/applications/{app.pk}/reporting/schedule/",
        {"frequency": "custom", "dates": "2018-08-15\n2018-12-31"},
    )
    assert list(app.report_dues.values_list("due_date", flat=True)) == [
        date(2018, 8, 15),
        date(2018, 12, 31),
    ]
    assert (
        as_user(jiangxi_staff)
        .post(f"/projects/applications/{app.pk}/reporting/schedule/", {"frequency": "final"})
        .status_code
        == 404
    )  # HQ's to set


def test_other_province_and_experts_see_no_reports(
    call, jiangxi_staff, henan_staff, hq_reviewer, expert, as_user
):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    assert as_user(henan_staff).get(report.get_absolute_url()).status_code == 404
    assert as_user(henan_staff).get(f"/api/v1/project-reports/{report.pk}/").status_code == 404
    assert as_user(henan_staff).get("/api/v1/project-reports/").json()["count"] == 0
    assert as_user(expert).get("/api/v1/project-reports/").status_code == 403
    assert as_user(expert).get(report.get_absolute_url()).status_code == 404


# --- bulletins and the digest ---------------------------------------------------------


def test_confirmed_report_goes_into_a_bulletin_and_the_digest(
    plan_2018, call, jiangxi_staff, hq_reviewer, as_user
):
    app = running(call, jiangxi_staff, hq_reviewer)
    report = submitted_report(app, jiangxi_staff)
    draft = submitted_report(app, jiangxi_staff, app.report_dues.order_by("due_date").last())
    bulletin = Bulletin.objects.create(
        plan=plan_2018, title="第三季度进展", period_start="2018-07-01", period_end="2018-09-30"
    )
    client = as_user(hq_reviewer)
    form = client.get(f"/reporting/bulletins/{bulletin.pk}/edit/").content.decode()
    assert f'value="{report.pk}"' not in form  # not confirmed yet
    services.confirm_report(report, hq_reviewer)
    client.post(
        f"/reporting/bulletins/{bulletin.pk}/edit/",
        {
            "title": "第三季度进展",
            "period_start": "2018-07-01",
            "period_end": "2018-09-30",
            "project_reports": [report.pk, draft.pk],
        },
    )
    assert list(bulletin.project_reports.all()) == [report]  # only the confirmed one
    assert "形成研发节点专利检索流程" in client.get(bulletin.get_absolute_url()).content.decode()
    with pytest.raises(TransitionRefused):
        services.select_report(draft, hq_reviewer, True)
    assert projects_digest.report_rows(plan_2018) == []
    client.post(f"/projects/reports/{report.pk}/select/", {"digest": "1"})
    rows = projects_digest.report_rows(plan_2018)
    assert [r["results"] for r in rows] == [SECTIONS["results"]]


# --- the API ------------------------------------------------------------------------


def test_api_report_lifecycle_and_schedule(call, jiangxi_staff, hq_reviewer, as_user):
    app = running(call, jiangxi_staff, hq_reviewer)
    unit, hq = as_user(jiangxi_staff), as_user(hq_reviewer)
    due = app.report_dues.order_by("due_date").first()
    created = unit.post(
        "/api/v1/project-reports/",
        {"application": app.pk, "due": due.pk, "work_done": "培训两期"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["hq_contact"]["id"] == hq_reviewer.pk
    named = unit.get(f"/api/v1/applications/{app.pk}/").json()
    assert named["hq_contact"]["name"] == hq_reviewer.display_name()
    assert named["unit_contact"]["id"] == jiangxi_staff.pk
    assert unit.post(f"/api/v1/project-reports/{pk}/submit/").status_code == 409  # no results
    patched = unit.patch(
        f"/api/v1/project-reports/{pk}/",
        {"results": "流程一套", "deliverables": [app.deliverables.get().pk]},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["deliverables"]
    assert unit.post(f"/api/v1/project-reports/{pk}/submit/").json()["state"] == "submitted"
    assert (
        hq.post(
            f"/api/v1/project-reports/{pk}/return/", {"reason": ""}, content_type="application/json"
        ).status_code
        == 409
    )
    assert hq.post(f"/api/v1/project-reports/{pk}/confirm/").json()["state"] == "confirmed"
    schedule = unit.get(f"/api/v1/project-reports/schedules/{app.pk}/").json()
    assert schedule["frequency"] == "quarterly" and schedule["owed"] == 1
    assert schedule["dues"][0]["report_state"] == "confirmed"
    assert (
        unit.put(
            f"/api/v1/project-reports/schedules/{app.pk}/",
            {"frequency": "final"},
            content_type="application/json",
        ).status_code
        == 403
    )
    changed = hq.put(
        f"/api/v1/project-reports/schedules/{app.pk}/",
        {"frequency": "monthly", "unit_contact": None},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["unit_contact"] is None and len(changed.json()["dues"]) == 6
    assert unit.get("/api/v1/project-reports/?year=2018").json()["count"] == 1
    assert unit.get("/api/v1/project-reports/?year=2019").status_code in (200, 400)


def test_report_list_page_and_api_query_counts_are_fixed(
    call, jiangxi_staff, hq_reviewer, as_user, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    app = running(call, jiangxi_staff, hq_reviewer)
    submitted_report(app, jiangxi_staff)

    def measure():
        with django_assert_max_num_queries(5):
            assert client.get("/projects/reports/").status_code == 200
        with django_assert_max_num_queries(7):  # with the plans, read once for the working plan
            response = client.get("/api/v1/project-reports/")
        assert response.status_code == 200
        return response.json()["count"]

    assert measure() == 1
    for n in range(6):
        other = running(call, jiangxi_staff, hq_reviewer, applicant=f"企业{n}")
        submitted_report(other, jiangxi_staff)
    assert measure() == 7


def test_live_demo_runs_a_quarterly_project_with_reports_in_three_states(plan_2018, hq_reviewer):
    today = timezone.localdate()
    live = rollover_plan(plan_2018, today.year, None)
    live.publish(None, "演示")
    make_user("hq", "hq_reviewer")
    staff = make_user("demo_jiangxi", "province_staff", "江西")
    seed_reporting_project(lambda message: None)
    app = Application.objects.get(call__plan=live)
    assert app.state == "in_progress" and app.report_schedule.frequency == "quarterly"
    assert app.unit_contact == staff and app.hq_contact.username == "hq"
    # three reports apart: one confirmed, one returned with a reason, one due soon unwritten
    confirmed = app.reports.get(state="confirmed")
    returned = app.reports.get(state="returned")
    assert app.reports.count() == 2 and confirmed.due.due_date < today
    assert "专利数量" in history_reasons(returned)
    owed = services.reports_still_owed(app)
    assert all(d.due_date >= today for d in owed)  # nothing overdue in the live demo
    due_soon = owed[0]
    assert timedelta(days=1) <= due_soon.due_date - today <= timedelta(days=7)
    assert not ProjectReport.objects.filter(due=due_soon).exists()  # not written yet
    assert due_soon.pk not in {confirmed.due_id, returned.due_id}
    assert not any(o.due < today for o in everything_owed(live) if o.key.startswith("project"))
    seed_reporting_project(lambda message: None)  # idempotent
    assert Application.objects.filter(call__plan=live).count() == 1


def history_reasons(obj) -> str:
    return " ".join(h.reason for h in history(obj))
