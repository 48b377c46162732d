"""Year after year: every record under an explicit plan, plan states, bases per plan."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications import extensions
from notifications.models import Notification
from notifications.obligations import owed_by
from planning.models import Deadline, Plan
from projects import services as project_services
from projects.models import Application, Call, ProjectReport
from projects.services import project_totals
from provinces.models import Assignment, Case, PlanUnit, Province, Registration
from provinces.plans import import_plan
from reporting.models import AnnualSummary
from tests.test_plan_import import another_year
from workflow.machine import TransitionRefused
from workflow.models import TransitionLog
from workflow.review import save_draft

pytestmark = pytest.mark.django_db


def bases(**levels: str) -> dict[str, str]:
    """bases(北京="key") → {"110000": "key"}."""
    return {Province.objects.get(short_name=name).code: lvl for name, lvl in levels.items()}


@pytest.fixture
def plan_2019(plan_2018, notice_text) -> Plan:
    """A 2019 plan next to 2018, published: the newest plan."""
    plan = import_plan(another_year(notice_text)).plan
    plan.publish(None)
    return plan


# --- the default plan: one rule -------------------------------------------------------


def make_plan(year: int, state: str) -> Plan:
    return Plan.objects.create(year=year, title=f"{year}年度计划", state=state)


def test_current_is_the_published_plan_of_this_year():
    this_year = timezone.localdate().year
    make_plan(this_year - 1, "closed")
    now = make_plan(this_year, "published")
    make_plan(this_year + 1, "published")
    make_plan(this_year + 2, "draft")
    assert Plan.objects.current() == now


def test_current_falls_back_to_the_newest_published_then_closed_never_a_draft():
    this_year = timezone.localdate().year
    make_plan(this_year - 3, "published")
    newest = make_plan(this_year - 2, "published")
    make_plan(this_year - 1, "closed")
    make_plan(this_year, "draft")
    assert Plan.objects.current() == newest
    Plan.objects.filter(state="published").update(state="closed")
    assert Plan.objects.current().year == this_year - 1
    Plan.objects.exclude(state="draft").delete()
    assert Plan.objects.current() is None


# --- records filed under the plan the user works in ------------------------------------


def case_data(year: int, **fields) -> dict:
    """A typical case of 江西 on its task 2 of the given year (the case form asks the task)."""
    assignment = Assignment.objects.get(
        task__plan__year=year, task__number=2, province__short_name="江西"
    )
    return {
        "assignment": assignment.pk,
        "kind": "typical_case",
        "title": "2018年站点帮助企业开展专利预警",
        "summary": "摘要",
        **fields,
    }


def test_case_posted_while_working_in_2018_is_filed_under_2018(as_user, plan_2019, jiangxi_staff):
    jiangxi_staff.working_year = 2018
    jiangxi_staff.save()
    as_user(jiangxi_staff).post("/reporting/cases/new/", case_data(2018))
    assert Case.objects.get().plan.year == 2018
    # a task of another year than the one the unit works in is not among the choices
    response = as_user(jiangxi_staff).post("/reporting/cases/new/", case_data(2019, title="x"))
    assert response.status_code == 200 and not Case.objects.filter(title="x").exists()


def test_case_posted_with_the_year_in_the_url_is_filed_under_that_year(
    as_user, plan_2019, jiangxi_staff
):
    as_user(jiangxi_staff).post("/reporting/cases/new/?year=2018", case_data(2018))
    assert Case.objects.get().plan.year == 2018
    # without a choice, the default rule: the newest published plan (no plan of this year)
    as_user(jiangxi_staff).post("/reporting/cases/new/", case_data(2019, title="另一案例"))
    assert Case.objects.get(title="另一案例").plan.year == 2019


def test_the_year_switcher_remembers_the_year_for_the_user(as_user, plan_2019, jiangxi_staff):
    client = as_user(jiangxi_staff)
    response = client.post("/plans/switch/", {"year": "2018", "next": "/reporting/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/reporting/cases/?year=2018"
    jiangxi_staff.refresh_from_db()
    assert jiangxi_staff.working_year == 2018
    page = client.get("/reporting/cases/").content.decode()
    assert 'id="year-switcher"' in page and '<option value="2018" selected>' in page


def test_the_switcher_refuses_a_year_the_user_cannot_see(as_user, plan_2018, jiangxi_staff):
    draft = import_plan(another_year(plan_2018.source_text)).plan
    assert draft.state == Plan.State.DRAFT
    response = as_user(jiangxi_staff).post("/plans/switch/", {"year": "2019", "next": "/"})
    assert response.status_code == 404
    assert as_user(jiangxi_staff).post("/plans/switch/", {"year": "abc"}).status_code == 404
    jiangxi_staff.refresh_from_db()
    assert jiangxi_staff.working_year is None


def call_data(plan: Plan) -> dict:
    return {
        "task": plan.tasks.get(number=7).pk,
        "project_type": "makerspace_pilot",
        "title": "助力创新创业试点申报",
        "opens_at": f"{plan.year}-07-01T09:00",
        "closes_at": f"{plan.year}-07-31T17:00",
        "criteria": "需求明确 50\n方案可行 50",
        "reviews_required": "2",
    }


def test_hq_opens_a_call_in_a_plan_that_is_not_the_newest(as_user, plan_2019, hq_reviewer):
    plan_2018 = Plan.objects.get(year=2018)
    response = as_user(hq_reviewer).post("/projects/calls/new/?year=2018", call_data(plan_2018))
    assert response.status_code == 302
    assert Call.objects.get().plan == plan_2018


def test_hq_manages_the_deadlines_of_a_plan_that_is_not_the_newest(as_user, plan_2019, hq_reviewer):
    client = as_user(hq_reviewer)
    page = client.get("/plans/deadlines/?year=2018").content.decode()
    assert "2018-06-20" in page and "2019-06-20" not in page
    response = client.post(
        "/plans/deadlines/new/?year=2018",
        {"description": "第三季度工作进展", "due_date": "2018-09-30", "reminder_offsets": ""},
    )
    assert response.status_code == 302
    added = Deadline.objects.get(kind=Deadline.Kind.OTHER)
    assert added.plan.year == 2018
    edit = client.get(f"/plans/deadlines/{added.pk}/?year=2018")
    assert edit.status_code == 200
    assert client.get(f"/plans/deadlines/{added.pk}/").status_code == 404


def test_the_chase_page_works_on_the_working_plan(as_user, plan_2019, hq_reviewer):
    client = as_user(hq_reviewer)
    assert client.get("/notifications/remind/late/").context["plan"] == plan_2019
    client.post("/plans/switch/", {"year": "2018", "next": "/"})
    assert client.get("/notifications/remind/late/").context["plan"].year == 2018
    assert client.get("/notifications/remind/360000/").context["plan"].year == 2018
    assert client.get("/notifications/remind/late/?year=2019").context["plan"] == plan_2019


def ask_extension(year: int, staff):
    return extensions.request_extension(
        staff.province,
        staff,
        key=f"registration:{year}:360000",
        requested_due=date(year, 6, 30),
        reason=f"{year}年人员调整",
        today=date(year, 6, 1),
    )


def test_extension_requests_are_listed_per_plan(as_user, plan_2019, jiangxi_staff, hq_reviewer):
    asked = {year: ask_extension(year, jiangxi_staff) for year in (2018, 2019)}
    assert asked[2018].plan_year == 2018 and asked[2019].plan_year == 2019
    client = as_user(hq_reviewer)
    page = client.get("/notifications/extensions/").content.decode()
    assert "2019年人员调整" in page and "2018年人员调整" not in page
    assert [r["id"] for r in client.get("/api/v1/extension-requests/").json()["results"]] == [
        asked[2019].pk
    ]
    listed = client.get("/api/v1/extension-requests/?year=2018").json()["results"]
    assert [(r["id"], r["plan_year"]) for r in listed] == [(asked[2018].pk, 2018)]
    client.post("/plans/switch/", {"year": "2018", "next": "/"})
    page = client.get("/notifications/extensions/").content.decode()
    assert "2018年人员调整" in page and "2019年人员调整" not in page
    listed = client.get("/api/v1/extension-requests/").json()["results"]
    assert [r["id"] for r in listed] == [asked[2018].pk]
    # one request is found whatever the year
    assert client.get(f"/api/v1/extension-requests/{asked[2019].pk}/").status_code == 200
    unit = as_user(jiangxi_staff).get("/api/v1/extension-requests/?year=2019").json()
    assert [r["id"] for r in unit["results"]] == [asked[2019].pk]


def apply(call: Call, short_name: str) -> Application:
    return Application.objects.create(
        call=call,
        province=Province.objects.get(short_name=short_name),
        applicant="某单位",
        contact_name="周",
        contact_phone="13800138001",
        budget_requested=Decimal("10"),
        plan_text="x",
    )


def test_project_totals_group_by_task_within_a_plan(plan_2019, hq_reviewer):
    now = timezone.now()
    calls = {
        plan.year: Call.objects.create(
            plan=plan,
            task=plan.tasks.get(number=8),
            project_type="talent",
            title=f"{plan.year}年专利信息人才项目",
            opens_at=now,
            closes_at=now + timedelta(days=10),
        )
        for plan in Plan.objects.all()
    }
    apply(calls[2018], "江西")
    apply(calls[2019], "江西")
    apply(calls[2019], "河南")
    totals = project_totals(hq_reviewer, Plan.objects.get(year=2018))
    assert [(r["call__task__number"], r["n"]) for r in totals["by_task"]] == [(8, 1)]
    assert totals["all"]["n"] == 1
    totals = project_totals(hq_reviewer, plan_2019)
    assert [(r["call__task"], r["n"]) for r in totals["by_task"]] == [(calls[2019].task_id, 2)]


def test_api_lists_work_on_the_working_plan(as_user, plan_2019, hq_reviewer):
    client = as_user(hq_reviewer)
    years = {r["year"] for r in client.get("/api/v1/assignments/?page_size=500").json()["results"]}
    assert years == {2019}
    years = {
        r["year"]
        for r in client.get("/api/v1/assignments/?year=2018&page_size=500").json()["results"]
    }
    assert years == {2018}
    client.post("/plans/switch/", {"year": "2018", "next": "/"})
    years = {r["year"] for r in client.get("/api/v1/assignments/?page_size=500").json()["results"]}
    assert years == {2018}


# --- plan states ----------------------------------------------------------------------


def test_import_makes_a_draft_units_do_not_see(as_user, plan_2018, jiangxi_staff, hq_reviewer):
    draft = import_plan(another_year(plan_2018.source_text)).plan
    assert draft.state == Plan.State.DRAFT
    unit = as_user(jiangxi_staff)
    assert unit.get("/plans/2019/").status_code == 404
    assert "2019" not in unit.get("/plans/").content.decode()
    assert unit.get("/provinces/todo/?year=2019").status_code == 404
    assert not Assignment.objects.visible_to(jiangxi_staff).filter(task__plan=draft).exists()
    assert unit.get("/api/v1/assignments/?year=2019").json()["count"] == 0
    assert as_user(hq_reviewer).get("/plans/2019/").status_code == 200
    # a draft owes nothing: no reminders, no to-dos
    assert all(o.due.year < 2020 and "2019" not in o.key for o in owed_by(jiangxi_staff.province))


def test_publishing_notifies_every_unit_that_carries_a_task(
    as_user, plan_2018, jiangxi_staff, guizhou_staff, hq_reviewer
):
    draft = import_plan(another_year(plan_2018.source_text)).plan
    response = as_user(hq_reviewer).post("/plans/2019/publish/", {"reason": "局务会审定"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Plan.State.PUBLISHED
    log = TransitionLog.objects.for_object(draft).get()
    assert (log.transition, log.actor, log.reason) == ("publish", hq_reviewer, "局务会审定")
    told = Notification.objects.filter(kind=Notification.Kind.PLAN, link="/plans/2019/")
    assert {n.user for n in told} == {jiangxi_staff, guizhou_staff}
    assert as_user(jiangxi_staff).get("/plans/2019/").status_code == 200


def test_a_unit_cannot_move_a_plan_and_a_wrong_transition_changes_nothing(
    as_user, plan_2018, jiangxi_staff, hq_reviewer
):
    assert as_user(jiangxi_staff).post("/plans/2018/close/").status_code == 404
    response = as_user(hq_reviewer).post("/plans/2018/publish/", follow=True)
    assert "当前状态为“已发布”，不能执行该操作。" in response.content.decode()
    assert as_user(hq_reviewer).post("/plans/2018/destroy/").status_code == 404
    plan_2018.refresh_from_db()
    assert plan_2018.state == Plan.State.PUBLISHED


def test_a_closed_plan_is_read_only_history(as_user, plan_2018, jiangxi_staff, hq_reviewer):
    closed = "2018年度工作计划已结束，只能查看，不能新增或修改。"
    assignment = Assignment.objects.filter(
        task__plan=plan_2018, province=jiangxi_staff.province, taken_up=True
    ).first()
    registration = save_draft(
        Registration(assignment=assignment), jiangxi_staff, {"work_content": "年初"}
    )
    summary = save_draft(
        AnnualSummary(plan=plan_2018, province=jiangxi_staff.province),
        jiangxi_staff,
        {"problems": "年初"},
    )
    now = timezone.now()
    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=8),
        project_type="talent",
        title="2018年专利信息人才项目",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    application = apply(call, "江西")
    running = apply(call, "江西")
    Application.objects.filter(pk=running.pk).update(state=Application.State.IN_PROGRESS)
    running.refresh_from_db()
    plan_2018.close(hq_reviewer, "年度工作已完成")
    registration = Registration.objects.get(pk=registration.pk)  # as a request reads it
    unit = as_user(jiangxi_staff)
    assert unit.get("/plans/2018/").status_code == 200
    response = unit.post("/reporting/cases/new/?year=2018", case_data(2018), follow=True)
    assert closed in response.content.decode()
    assert not Case.objects.exists()
    # registrations, summaries, applications and project reports: the page, the API and the
    # services all refuse, and nothing changes
    page = unit.post(
        f"/provinces/assignments/{assignment.pk}/", {"work_content": "年底改动"}, follow=True
    )
    assert closed in page.content.decode()
    api = unit.post(f"/api/v1/registrations/{registration.pk}/submit/")
    assert api.status_code == 409 and closed in api.json()["detail"]
    for refused in (
        lambda: save_draft(registration, jiangxi_staff, {"work_content": "年底改动"}),
        lambda: registration.submit(jiangxi_staff),
        lambda: save_draft(summary, jiangxi_staff, {"problems": "年底改动"}),
        lambda: summary.submit(jiangxi_staff),
        lambda: project_services.start_application(call, jiangxi_staff, {"applicant": "新"}),
        lambda: project_services.update_draft(application, jiangxi_staff, {"applicant": "改"}),
        lambda: project_services.submit_application(application, jiangxi_staff),
        lambda: ProjectReport(application=application).check_open(),
    ):
        with pytest.raises(TransitionRefused, match=closed):
            refused()
    ProjectReport(application=running).check_open()  # a running project goes on
    registration.refresh_from_db()
    summary.refresh_from_db()
    application.refresh_from_db()
    assert (registration.work_content, registration.state) == ("年初", "draft")
    assert (summary.problems, summary.state) == ("年初", "draft")
    assert (application.applicant, application.state) == ("某单位", "draft")
    assert Application.objects.filter(call=call).count() == 2
    assert not owed_by(jiangxi_staff.province)  # closed: nothing is owed any more
    with pytest.raises(Exception, match="不能重新导入"):
        import_plan(plan_2018.source_text)
    # reopening needs a reason
    response = as_user(hq_reviewer).post("/plans/2018/reopen/", follow=True)
    assert "必须填写理由。" in response.content.decode()
    as_user(hq_reviewer).post("/plans/2018/reopen/", {"reason": "补录案例"})
    plan_2018.refresh_from_db()
    assert plan_2018.state == Plan.State.PUBLISHED


def test_admin_publishes_and_closes_through_the_transition(client, plan_2018, administrator):
    draft = import_plan(another_year(plan_2018.source_text)).plan
    client.force_login(administrator)
    url = "/admin/planning/plan/"
    client.post(url, {"action": "publish_plans", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == Plan.State.PUBLISHED
    assert TransitionLog.objects.for_object(draft).get().actor == administrator


# --- the units' roles belong to the plan ------------------------------------------------


def test_changing_2019_bases_never_changes_2018(plan_2018, notice_text):
    beijing = Province.objects.get(short_name="北京")
    assert PlanUnit.objects.bases(plan_2018)[beijing.code] == "key"
    import_plan(another_year(notice_text), bases=bases(北京="basic", 江苏="key"))
    import_plan(notice_text)  # re-importing 2018 keeps 2018's own bases
    assert PlanUnit.objects.bases(plan_2018)[beijing.code] == "key"
    track = Assignment.objects.get(task__plan=plan_2018, task__number=1, province=beijing).track
    assert track.base_level == "key"
    plan_2019 = Plan.objects.get(year=2019)
    assert PlanUnit.objects.bases(plan_2019)[beijing.code] == "basic"
    track = Assignment.objects.get(task__plan=plan_2019, task__number=1, province=beijing).track
    assert track.base_level == "basic"


def test_a_new_year_starts_from_the_previous_years_bases(plan_2018, notice_text):
    plan_2019 = import_plan(another_year(notice_text)).plan
    assert PlanUnit.objects.bases(plan_2019) == PlanUnit.objects.bases(plan_2018)


def test_bad_bases_import_nothing(db, notice_text):
    with pytest.raises(Exception, match="基地设置有误"):
        import_plan(notice_text, bases={"999999": "key"})
    with pytest.raises(Exception, match="基地设置有误"):
        import_plan(notice_text, bases={"110000": "huge"})
    assert not Plan.objects.exists()


def test_the_import_preview_shows_the_bases_and_lets_the_administrator_set_them(
    as_user, db, notice_text, administrator
):
    client = as_user(administrator)
    page = client.post("/plans/import/", {"text": notice_text}).content.decode()
    assert 'name="base_110000"' in page and not Plan.objects.exists()
    page = client.post(
        "/plans/import/", {"rebase": "1", "bases_set": "1", "base_110000": "key"}
    ).content.decode()
    assert '<option value="key" selected>' in page and not Plan.objects.exists()
    client.post(
        "/plans/import/",
        {"confirm": "1", "bases_set": "1", "base_110000": "key", "base_120000": "basic"},
    )
    plan = Plan.objects.get(year=2018)
    assert plan.state == Plan.State.DRAFT
    assert PlanUnit.objects.bases(plan) == {"110000": "key", "120000": "basic"}
