"""The API's year-end, deadline, inbox and board resources: the pages' rules, the pages'
messages, one visibility rule, and lists of a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import ExtensionRequest, Notification
from planning.models import Deadline
from provinces.models import Assignment, Case, LedgerEntry
from reporting.models import AnnualSummary, Bulletin
from tests.conftest import client_for
from tests.network.conftest import training
from tests.yearend.test_bulletin_trainings_reports import task_report

pytestmark = pytest.mark.django_db

SECTIONS = [name for name, _label in AnnualSummary.SECTIONS]


def post(user, path, body=None):
    return client_for(user).post(path, body or {}, content_type="application/json")


def patch(user, path, body):
    return client_for(user).patch(path, body, content_type="application/json")


def jiangxi_assignment(number=2) -> Assignment:
    return Assignment.objects.get(task__number=number, province__short_name="江西")


def confirmed_case(plan, province, title="案例", published=False) -> Case:
    case = Case.objects.create(
        plan=plan,
        province=province,
        title=title,
        summary="s",
        state=Case.State.CONFIRMED,
        selected_for_publication=published,
    )
    return case


# --- cases ------------------------------------------------------------------------------


def test_a_unit_writes_submits_and_then_cannot_change_its_case(plan_2018, jiangxi_staff):
    a = jiangxi_assignment()
    created = post(
        jiangxi_staff,
        "/api/v1/cases/",
        {"assignment": a.pk, "title": "企业专利导航", "summary": "摘要", "kind": "typical_case"},
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert (case["state"], case["year"], case["task"], case["province"]) == (
        "draft",
        2018,
        2,
        "360000",
    )
    submitted = post(jiangxi_staff, f"/api/v1/cases/{case['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    locked = patch(jiangxi_staff, f"/api/v1/cases/{case['id']}/", {"title": "改"})
    assert locked.status_code == 409
    assert locked.json() == {
        "detail": Case.objects.get(pk=case["id"]).locked().message,
        "state": "submitted",
    }


def test_a_case_names_only_the_units_own_task(plan_2018, jiangxi_staff, henan_staff):
    response = post(
        henan_staff,
        "/api/v1/cases/",
        {"assignment": jiangxi_assignment().pk, "title": "t", "summary": "s"},
    )
    assert response.status_code == 400 and "assignment" in response.json()
    missing = post(jiangxi_staff, "/api/v1/cases/", {"assignment": jiangxi_assignment().pk})
    assert missing.status_code == 400 and {"title", "summary"} <= set(missing.json())


def test_hq_returns_with_a_reason_confirms_and_selects(plan_2018, jiangxi_staff, hq_reviewer):
    case = Case.objects.create(
        plan=plan_2018, province=jiangxi_staff.province, title="t", summary="s"
    )
    refused = post(
        hq_reviewer, f"/api/v1/cases/{case.pk}/select/", {"digest": True, "publication": True}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == "只有已确认的案例才能选入年度汇编或选用发布。"
    case.submit(jiangxi_staff)
    no_reason = post(hq_reviewer, f"/api/v1/cases/{case.pk}/return/", {"reason": " "})
    assert no_reason.status_code == 409 and no_reason.json()["detail"] == "必须填写理由。"
    assert post(hq_reviewer, f"/api/v1/cases/{case.pk}/confirm/").json()["state"] == "confirmed"
    chosen = post(
        hq_reviewer, f"/api/v1/cases/{case.pk}/select/", {"digest": True, "publication": False}
    )
    assert chosen.status_code == 200
    assert (chosen.json()["selected_for_digest"], chosen.json()["selected_for_publication"]) == (
        True,
        False,
    )
    assert post(jiangxi_staff, f"/api/v1/cases/{case.pk}/confirm/").status_code == 403


def test_another_units_case_answers_404_and_a_published_one_is_read_only(
    plan_2018, jiangxi_staff, henan_staff
):
    draft = Case.objects.create(
        plan=plan_2018, province=jiangxi_staff.province, title="t", summary="s"
    )
    published = confirmed_case(plan_2018, jiangxi_staff.province, published=True)
    henan = client_for(henan_staff)
    assert henan.get(f"/api/v1/cases/{draft.pk}/").status_code == 404
    assert henan.get(f"/api/v1/cases/{published.pk}/").status_code == 200
    assert patch(henan_staff, f"/api/v1/cases/{published.pk}/", {"title": "x"}).status_code == 404
    assert [c["id"] for c in henan.get("/api/v1/cases/?year=2018").json()["results"]] == [
        published.pk
    ]


# --- summaries ----------------------------------------------------------------------------


def test_a_unit_saves_its_summary_with_next_years_task_plans_and_submits(
    plan_2018, jiangxi_staff, hq_reviewer
):
    task = plan_2018.tasks.get(number=3)
    body = {
        "year": 2018,
        **dict.fromkeys(SECTIONS, "内容"),
        "task_plans": [{"task": task.pk, "work_content": "继续建设网点"}],
    }
    created = post(jiangxi_staff, "/api/v1/summaries/", body)
    assert created.status_code == 201, created.content
    summary = created.json()
    assert summary["province"] == "360000" and summary["state"] == "draft"
    assert [(p["task_number"], p["task_title"]) for p in summary["task_plans"]] == [(3, task.title)]
    again = post(jiangxi_staff, "/api/v1/summaries/", {"year": 2018, "talent": "人才"})
    assert again.status_code == 201 and again.json()["id"] == summary["id"]  # one a year
    assert len(again.json()["task_plans"]) == 1  # rows not sent are left alone
    submitted = post(jiangxi_staff, f"/api/v1/summaries/{summary['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    returned = post(hq_reviewer, f"/api/v1/summaries/{summary['id']}/return/", {"reason": "补充"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert Notification.objects.filter(user__province=jiangxi_staff.province).exists()


def test_a_summary_is_refused_what_the_page_refuses(plan_2018, jiangxi_staff, hq_reviewer):
    bad = post(
        jiangxi_staff,
        "/api/v1/summaries/",
        {"year": 2018, "task_plans": [{"task": 999999, "work_content": ""}]},
    )
    assert bad.status_code == 400
    assert bad.json()["task_plans"][0]["work_content"] == ["请填写该任务的工作内容。"]
    created = post(jiangxi_staff, "/api/v1/summaries/", {"year": 2018, "talent": "人才"})
    pk = created.json()["id"]
    wrong_task = patch(
        jiangxi_staff,
        f"/api/v1/summaries/{pk}/",
        {"task_plans": [{"task": 999999, "work_content": "x"}]},
    )
    assert wrong_task.status_code == 400
    assert wrong_task.json()["task_plans"][0]["task"] == ["请选择任务。"]
    incomplete = post(jiangxi_staff, f"/api/v1/summaries/{pk}/submit/")
    assert incomplete.status_code == 409 and incomplete.json()["detail"].startswith("尚未填写完整")
    draft = post(hq_reviewer, f"/api/v1/summaries/{pk}/return/", {"reason": "x"})
    assert draft.status_code == 409 and draft.json()["state"] == "draft"


def test_another_units_summary_answers_404(plan_2018, jiangxi_staff, henan_staff):
    summary = AnnualSummary.objects.create(plan=plan_2018, province=jiangxi_staff.province)
    assert client_for(henan_staff).get(f"/api/v1/summaries/{summary.pk}/").status_code == 404
    response = patch(henan_staff, f"/api/v1/summaries/{summary.pk}/", {"talent": "x"})
    assert response.status_code == 404


# --- bulletins ----------------------------------------------------------------------------


def test_hq_writes_and_publishes_a_bulletin_units_read_it(plan_2018, hq_reviewer, jiangxi_staff):
    case = confirmed_case(plan_2018, jiangxi_staff.province)
    body = {
        "year": 2018,
        "title": "第三季度工作进展",
        "period_start": "2018-07-01",
        "period_end": "2018-09-30",
        "cases": [case.pk],
    }
    created = post(hq_reviewer, "/api/v1/bulletins/", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["cases"] == [case.pk]
    staff = client_for(jiangxi_staff)
    assert staff.get(f"/api/v1/bulletins/{pk}/").status_code == 404  # a draft is HQ's
    assert post(jiangxi_staff, "/api/v1/bulletins/", body).status_code == 403
    assert post(hq_reviewer, f"/api/v1/bulletins/{pk}/publish/").json()["state"] == "published"
    assert staff.get(f"/api/v1/bulletins/{pk}/").status_code == 200
    again = patch(hq_reviewer, f"/api/v1/bulletins/{pk}/", {"title": "改"})
    assert again.status_code == 409 and again.json()["detail"] == "已发布的工作进展不能修改。"
    assert post(hq_reviewer, f"/api/v1/bulletins/{pk}/publish/").status_code == 409


def test_a_bulletin_is_refused_what_the_page_refuses(plan_2018, hq_reviewer, jiangxi_staff):
    draft_case = Case.objects.create(
        plan=plan_2018, province=jiangxi_staff.province, title="t", summary="s"
    )
    response = post(
        hq_reviewer,
        "/api/v1/bulletins/",
        {"year": 2018, "title": "t", "period_start": "2018-09-30", "period_end": "2018-07-01"},
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["起始日期不能晚于截止日期。"]
    response = post(
        hq_reviewer,
        "/api/v1/bulletins/",
        {
            "year": 2018,
            "title": "t",
            "period_start": "2018-07-01",
            "period_end": "2018-09-30",
            "cases": [draft_case.pk],
        },
    )
    assert response.status_code == 400 and "cases" in response.json()


# --- deadlines ----------------------------------------------------------------------------


def test_hq_adds_a_deadline_and_tunes_only_the_reminders_of_the_notices(
    plan_2018, hq_reviewer, jiangxi_staff
):
    created = post(
        hq_reviewer,
        "/api/v1/deadlines/",
        {"year": 2018, "task": 3, "due_date": "2018-09-30", "description": "网点服务情况"},
    )
    assert created.status_code == 201, created.content
    assert (created.json()["kind"], created.json()["task"]) == ("other", 3)
    notice = plan_2018.deadlines.get(kind=Deadline.Kind.REGISTRATION)
    moved = patch(hq_reviewer, f"/api/v1/deadlines/{notice.pk}/", {"due_date": "2018-12-31"})
    assert moved.status_code == 400
    assert moved.json() == {"due_date": ["通知中的时间节点只能调整提醒天数。"]}
    tuned = patch(hq_reviewer, f"/api/v1/deadlines/{notice.pk}/", {"reminder_offsets": "14,7,1"})
    assert tuned.status_code == 200 and tuned.json()["reminder_offsets"] == "14,7,1"
    bad = patch(hq_reviewer, f"/api/v1/deadlines/{notice.pk}/", {"reminder_offsets": "x"})
    assert bad.status_code == 400 and "reminder_offsets" in bad.json()
    no_task = post(
        hq_reviewer,
        "/api/v1/deadlines/",
        {"year": 2018, "task": 99, "due_date": "2018-09-30", "description": "x"},
    )
    assert no_task.status_code == 400 and no_task.json() == {"task": ["该年度计划中没有这一任务。"]}
    assert post(jiangxi_staff, "/api/v1/deadlines/", {}).status_code == 403
    listed = client_for(jiangxi_staff).get("/api/v1/deadlines/?year=2018")
    assert listed.status_code == 200
    assert listed.json()["count"] == plan_2018.deadlines.count()


# --- extension requests ---------------------------------------------------------------------


def test_a_unit_asks_for_more_time_and_hq_decides(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer
):
    deadline = plan_2018.deadlines.get(kind=Deadline.Kind.REGISTRATION)
    deadline.due_date = timezone.localdate() + timedelta(days=10)
    deadline.save()
    body = {
        "key": "registration:2018:360000",
        "requested_due": (deadline.due_date + timedelta(days=5)).isoformat(),
        "reason": "人员调整",
    }
    created = post(jiangxi_staff, "/api/v1/extension-requests/", body)
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "pending" and created.json()["province"] == "360000"
    twice = post(jiangxi_staff, "/api/v1/extension-requests/", body)
    assert twice.status_code == 409 and twice.json()["detail"] == "该事项已有待审批的延期申请。"
    pk = created.json()["id"]
    assert client_for(henan_staff).get(f"/api/v1/extension-requests/{pk}/").status_code == 404
    assert post(jiangxi_staff, f"/api/v1/extension-requests/{pk}/approve/").status_code == 403
    refused = post(hq_reviewer, f"/api/v1/extension-requests/{pk}/refuse/")
    assert refused.status_code == 409 and refused.json()["detail"] == "必须填写理由。"
    approved = post(hq_reviewer, f"/api/v1/extension-requests/{pk}/approve/", {"reason": "同意"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    not_owed = post(henan_staff, "/api/v1/extension-requests/", body)
    assert not_owed.status_code == 409
    assert not_owed.json()["detail"] == "该事项已报送或不存在，无需延期。"


# --- the inbox ------------------------------------------------------------------------------


def test_the_inbox_is_the_users_own_in_their_language(plan_2018, jiangxi_staff, henan_staff):
    from notifications.inbox import notify

    notify([jiangxi_staff], "returned", "%(year)s 年度工作总结已确认。", params={"year": 2018})
    item = Notification.objects.get(user=jiangxi_staff)
    client = client_for(jiangxi_staff)
    listed = client.get("/api/v1/notifications/?unread=true")
    assert listed.status_code == 200
    assert [n["text"] for n in listed.json()["results"]] == ["2018 年度工作总结已确认。"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the request's language
    english = client.get("/api/v1/notifications/")
    assert english.json()["results"][0]["text"] == "The 2018 annual summary was confirmed."
    assert client_for(henan_staff).get(f"/api/v1/notifications/{item.pk}/").status_code == 404
    assert post(henan_staff, f"/api/v1/notifications/{item.pk}/read/").status_code == 404
    read = post(jiangxi_staff, f"/api/v1/notifications/{item.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
    assert post(jiangxi_staff, "/api/v1/notifications/read-all/").json() == {"marked": 0}


# --- the board ------------------------------------------------------------------------------


def test_the_board_is_the_pages_board(plan_2018, hq_reviewer, jiangxi_staff):
    from provinces.board import build_board

    response = client_for(hq_reviewer).get("/api/v1/board/?year=2018")
    assert response.status_code == 200
    board = response.json()
    page = build_board(plan_2018, hq_reviewer)
    assert board["year"] == 2018 and len(board["rows"]) == len(page.rows)
    jiangxi = next(r for r in board["rows"] if r["province"] == "360000")
    row = next(cells for p, cells, _rate in page.rows if p.code == "360000")
    assert [c["light"] for c in jiangxi["cells"]] == [c.light for c in row]
    assert board["total"]["expected"] == page.total.expected
    assert client_for(jiangxi_staff).get("/api/v1/board/").status_code == 403
    assert client_for(hq_reviewer).get("/api/v1/board/?year=1999").status_code == 400
    assert client_for(hq_reviewer).get("/api/v1/board/?year=2030").status_code == 404


# --- each list: a fixed number of queries, whatever its size ----------------------------------


def _cases(plan, n):
    for i in range(n):
        Case.objects.create(
            plan=plan,
            province=Assignment.objects.get(task__number=2, province__short_name="江西").province,
            assignment=jiangxi_assignment(),
            title=f"案例{i}",
            summary="s",
        )


def _summaries(plan, n):
    from provinces.models import Province

    for province in Province.objects.order_by("sort_order")[
        AnnualSummary.objects.count() : AnnualSummary.objects.count() + n
    ]:
        summary = AnnualSummary.objects.create(plan=plan, province=province)
        for number in (1, 2):
            task = plan.tasks.get(number=number)
            summary.task_plans.create(
                task_number=number, task_title=task.title, work_content="计划"
            )


def _bulletins(plan, n):
    entry = LedgerEntry.objects.create(
        assignment=jiangxi_assignment(),
        date=date(2018, 7, 1),
        kind="training",
        description="培训",
        responsible_person="李",
    )
    case = confirmed_case(plan, entry.assignment.province)
    hq_class = training(plan, None, 8, title=f"培训班{Bulletin.objects.count()}")
    report = task_report(plan, title=f"报送{Bulletin.objects.count()}")
    for i in range(n):
        bulletin = Bulletin.objects.create(
            plan=plan,
            title=f"进展{i}",
            period_start=date(2018, 7, 1),
            period_end=date(2018, 9, 30),
            state="published",
        )
        bulletin.entries.add(entry)
        bulletin.cases.add(case)
        bulletin.trainings.add(hq_class)
        bulletin.task_reports.add(report)


def _deadlines(plan, n):
    for i in range(n):
        Deadline.objects.create(
            plan=plan,
            task=plan.tasks.get(number=3),
            kind=Deadline.Kind.OTHER,
            due_date=date(2018, 9, 1) + timedelta(days=i),
            description=f"节点{i}",
        )


def _extensions(plan, n):
    from provinces.models import Province

    jiangxi = Province.objects.get(short_name="江西")
    for _ in range(n):
        ExtensionRequest.objects.create(
            deadline_key=f"deadline:{ExtensionRequest.objects.count()}",
            province=jiangxi,
            what="报送",
            plan_year=plan.year,
            due_date=date(2018, 6, 20),
            requested_due=date(2018, 6, 30),
            reason="人员调整",
        )


def _notifications(plan, n):
    from notifications.inbox import notify
    from provinces.models import Province

    staff = Province.objects.get(short_name="江西").users.get(username="jiangxi_staff")
    for i in range(n):
        notify([staff], "returned", "%(year)s 年度工作总结已确认。", params={"year": 2018 + i})


def _board(plan, n):
    plan.tasks.filter(number__gt=n).delete()


# list path → (who reads it, how the data grows, queries per request)
LISTS = {
    "/api/v1/cases/": ("jiangxi_staff", _cases, 4),
    "/api/v1/summaries/": ("hq_reviewer", _summaries, 5),
    "/api/v1/bulletins/": ("jiangxi_staff", _bulletins, 8),
    "/api/v1/deadlines/": ("jiangxi_staff", _deadlines, 4),
    "/api/v1/extension-requests/": ("jiangxi_staff", _extensions, 4),
    "/api/v1/notifications/": ("jiangxi_staff", _notifications, 4),
    "/api/v1/board/": ("hq_reviewer", _board, 9),
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_each_list_reads_a_fixed_number_of_queries(
    path, plan_2018, jiangxi_staff, hq_reviewer, django_assert_num_queries
):
    who, grow, queries = LISTS[path]
    client = client_for({"jiangxi_staff": jiangxi_staff, "hq_reviewer": hq_reviewer}[who])
    sizes = []
    for n in (1, 8) if path != "/api/v1/board/" else (10, 2):
        if path != "/api/v1/board/":
            grow(plan_2018, n - sum(sizes))
        else:
            grow(plan_2018, n)
        with django_assert_num_queries(queries):
            response = client.get(f"{path}?year=2018")
        assert response.status_code == 200, response.content
        body = response.json()
        sizes.append(len(body["rows"][0]["cells"]) if "rows" in body else body["count"])
    assert sizes[0] != sizes[1], sizes  # the two sizes really differ
