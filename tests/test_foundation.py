"""Who sees what, pages and API, roles, the API surface and the Celery wiring."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from provinces.models import Assignment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


# --- pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/plans/", "/plans/2018/", "/plans/2018/tasks/1/", "/provinces/", "/provinces/360000/"],
)
def test_anonymous_is_sent_to_login(client, plan_2018, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_land_on_their_own_province(as_user, plan_2018, jiangxi_staff):
    response = as_user(jiangxi_staff).get("/", follow=True)
    assert response.status_code == 200
    assert "江西省" in response.content.decode()


def test_plan_page_shows_tasks_units_and_deadlines(as_user, plan_2018, jiangxi_staff):
    page = as_user(jiangxi_staff).get("/plans/2018/").content.decode()
    assert "国知办函办字〔2018〕384号" in page
    assert "（十）做好2018年全年工作总结与2019年工作计划编制" in page
    assert "2018-06-20" in page
    assert "新疆生产建设兵团" in page
    assert "至少2期专利信息利用培训班" in page


def test_task_page_shows_tracks_and_units(as_user, plan_2018, hq_reviewer):
    page = as_user(hq_reviewer).get("/plans/2018/tasks/2/").content.decode()
    assert "综合能力培育" in page and "特色能力培育" in page
    for name in ["江西", "河南", "湖北", "广西", "陕西", "河北", "山西", "内蒙古", "海南", "甘肃"]:
        assert name in page


def test_province_page_lists_its_assignments(as_user, plan_2018, jiangxi_staff):
    page = as_user(jiangxi_staff).get("/provinces/360000/").content.decode()
    assert "继续开展省份传播利用能力培育" in page
    assert "综合能力培育" in page


def test_other_province_page_is_404(as_user, plan_2018, jiangxi_staff):
    assert as_user(jiangxi_staff).get("/provinces/410000/").status_code == 404


def test_hq_sees_every_province(as_user, plan_2018, hq_reviewer):
    assert as_user(hq_reviewer).get("/provinces/410000/").status_code == 200
    page = as_user(hq_reviewer).get("/provinces/").content.decode()
    assert page.count('href="/provinces/') >= 32


def test_staff_cannot_list_all_provinces(as_user, plan_2018, jiangxi_staff):
    assert as_user(jiangxi_staff).get("/provinces/").status_code == 404


def test_expert_sees_no_province(as_user, plan_2018, expert):
    assert as_user(expert).get("/provinces/110000/").status_code == 404


def test_english_is_available(as_user, plan_2018, jiangxi_staff):
    client = as_user(jiangxi_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    page = client.get("/plans/").content.decode()
    assert "Annual work plans" in page
    assert '<html lang="en">' in page


def test_chinese_is_the_default(as_user, plan_2018, jiangxi_staff):
    page = as_user(jiangxi_staff).get("/plans/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "年度工作计划" in page


# --- the admin import page --------------------------------------------------------


def test_admin_import_previews_then_saves(as_user, db, administrator, notice_text):
    from planning.models import Plan

    client = as_user(administrator)
    preview = client.post("/plans/import/", {"text": notice_text})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "确认导入" in body and "国知办函办字〔2018〕384号" in body
    assert Plan.objects.count() == 0  # nothing saved by the preview
    done = client.post("/plans/import/", {"confirm": "1"})
    assert done.status_code == 302
    assert Plan.objects.get().tasks.count() == 10


def test_admin_import_shows_where_it_failed(as_user, db, administrator, notice_text):
    from planning.models import Plan

    broken = notice_text.replace("由贵州、甘肃", "由贵州、火星、甘肃")
    response = as_user(administrator).post("/plans/import/", {"text": broken})
    assert "火星" in response.content.decode()
    assert Plan.objects.count() == 0


def test_import_page_is_for_administrators_only(as_user, db, hq_reviewer, jiangxi_staff):
    assert as_user(hq_reviewer).get("/plans/import/").status_code == 302
    assert as_user(jiangxi_staff).get("/plans/import/").status_code == 302


# --- API ------------------------------------------------------------------------------


def test_api_requires_authentication(client, plan_2018):
    assert client.get("/api/v1/plans/").status_code in (401, 403)


def test_api_token_authentication(client, plan_2018, jiangxi_staff):
    token = client.post(
        "/api/v1/auth/token/", {"username": "jiangxi_staff", "password": "pw-for-tests-only"}
    ).json()["token"]
    assert token == Token.objects.get(user=jiangxi_staff).key
    response = client.get("/api/v1/plans/2018/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["document_number"] == "国知办函办字〔2018〕384号"


def test_api_tasks_filter_and_content(as_user, plan_2018, hq_reviewer):
    data = as_user(hq_reviewer).get("/api/v1/tasks/?year=2018&number=1").json()
    assert data["count"] == 1
    task = data["results"][0]
    assert {t["code"] for t in task["tracks"]} == {"key", "basic"}
    assert task["targets"][0]["minimum"] == 2


def test_api_assignments_are_scoped(as_user, plan_2018, jiangxi_staff, hq_reviewer):
    mine = as_user(jiangxi_staff).get("/api/v1/assignments/?year=2018&page_size=500").json()
    assert mine["count"] == Assignment.objects.filter(province__short_name="江西").count()
    assert {row["province"] for row in mine["results"]} == {"360000"}
    everyone = as_user(hq_reviewer).get("/api/v1/assignments/?year=2018").json()
    assert everyone["count"] == Assignment.objects.count()


def test_api_other_province_assignment_is_404(as_user, plan_2018, jiangxi_staff):
    henan_assignment = Assignment.objects.filter(province__short_name="河南").first()
    response = as_user(jiangxi_staff).get(f"/api/v1/assignments/{henan_assignment.pk}/")
    assert response.status_code == 404


def test_api_province_list_is_scoped(as_user, plan_2018, jiangxi_staff, expert):
    assert as_user(jiangxi_staff).get("/api/v1/provinces/").json()["count"] == 1
    assert as_user(jiangxi_staff).get("/api/v1/provinces/410000/").status_code == 404
    assert as_user(expert).get("/api/v1/provinces/").json()["count"] == 0


def test_api_filters_by_task_and_kind(as_user, plan_2018, hq_reviewer):
    data = as_user(hq_reviewer).get("/api/v1/assignments/?task=6&kind=voluntary").json()
    assert data["count"] == 28


def test_openapi_schema_and_docs(as_user, plan_2018, hq_reviewer):
    client = as_user(hq_reviewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/assignments/" in paths and "/api/v1/plans/{year}/" in paths
    assert client.get("/api/docs/").status_code == 200


def test_api_docs_are_served_by_the_app_not_a_cdn(client):
    """Swagger UI loads under the app's CSP and on an intranet: every script is our own."""
    import re

    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources, html
    assert all(src.startswith("/") and "//" not in src for src in sources), sources
    assert "<script>" not in html.replace(" ", "")  # no inline script for the CSP to block
    init = client.get([s for s in sources if "script=" in s or "init" in s][0])
    assert init.status_code == 200 and b"SwaggerUIBundle" in init.content


# --- fixed query counts -------------------------------------------------------------


def test_plan_page_query_count_does_not_grow(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    # 13 + the year's bases, the plan's state history, and the header's year switcher
    # (the plans to switch to and the one in use)
    with django_assert_max_num_queries(17):
        assert client.get("/plans/2018/").status_code == 200
    plan_2018.tasks.exclude(number=1).delete()  # the same page with a tenth of the plan
    with django_assert_max_num_queries(17):
        assert client.get("/plans/2018/").status_code == 200


def test_assignment_api_query_count_is_fixed(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    # (the API has no page_size parameter: a full page is 50 rows)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/assignments/")
    assert response.status_code == 200 and len(response.json()["results"]) == 50
    plan_2018.tasks.exclude(number=1).delete()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/assignments/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == Assignment.objects.count() < 50


def test_task_api_query_count_is_fixed(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    # 8, with the plans read once to find the working plan (PlanQuerySet.ranked)
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/tasks/")
    assert response.status_code == 200 and response.json()["count"] == 10
    plan_2018.tasks.exclude(number=1).delete()
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/tasks/")
    assert response.status_code == 200 and response.json()["count"] == 1


# --- roles ------------------------------------------------------------------------------


def test_province_staff_must_have_a_province(db):
    from django.db import IntegrityError

    from accounts.models import Role, User

    with pytest.raises(IntegrityError):
        User.objects.create_user(username="lost", password="x", role=Role.PROVINCE_STAFF)


def test_createsuperuser_is_an_administrator(db):
    from accounts.models import Role, User

    user = User.objects.create_superuser("root", "root@example.cn", "pw")
    assert user.role == Role.ADMINISTRATOR and user.is_hq


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    from accounts.models import User
    from notifications.models import ExtensionRequest, Notification
    from planning.models import Plan

    call_command("seed_demo", verbosity=0)
    users, assignments = User.objects.count(), Assignment.objects.count()
    live = [ExtensionRequest.objects.count(), Notification.objects.count()]
    call_command("seed_demo", verbosity=0)
    assert User.objects.count() == users
    assert Assignment.objects.count() == assignments
    assert [ExtensionRequest.objects.count(), Notification.objects.count()] == live
    this_year = timezone.localdate().year
    assert sorted(Plan.objects.values_list("year", flat=True)) == [2018, this_year]
    assert User.objects.filter(province__short_name__in=["江西", "河南", "贵州"]).count() >= 3


def test_seed_demo_keeps_2018_as_history_and_publishes_a_live_current_year(db):
    from django.core.management import call_command

    from accounts.models import User
    from planning.models import Deadline, Plan
    from provinces.models import LedgerEntry, Registration

    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    assert Plan.objects.get(year=2018).state == Plan.State.CLOSED
    plan = Plan.objects.get(year=today.year)
    assert plan.state == Plan.State.PUBLISHED
    assert plan.tasks.count() == Plan.objects.get(year=2018).tasks.count()
    registration_due = plan.deadlines.get(kind=Deadline.Kind.REGISTRATION).due_date
    assert registration_due > today  # an extension can still be asked for
    assert not plan.deadlines.filter(due_date__lt=today).exists()
    regs = Registration.objects.filter(assignment__task__plan=plan)
    assert regs.filter(state=Registration.State.DRAFT).count() >= 2
    assert regs.filter(state=Registration.State.SUBMITTED).count() == 1
    entries = LedgerEntry.objects.filter(assignment__task__plan=plan)
    assert entries.exists()
    assert set(entries.values_list("date__year", flat=True)) == {today.year}
    assert not entries.filter(date__gt=today).exists()

    jiangxi = User.objects.get(username="jiangxi")
    page = client_for(jiangxi).get("/provinces/todo/")
    body = page.content.decode()
    assert page.status_code == 200 and page.context["plan"] == plan
    assert "报送任务分解" in body and "还剩" in body
    assert "已逾期" not in body

    # An open call in progress this year: applications submitted, one under expert review.
    from notifications.obligations import owed_by
    from projects.models import Application, Call

    open_calls = [c for c in Call.objects.filter(plan=plan) if c.is_open()]
    assert len(open_calls) == 1
    apps = Application.objects.filter(call=open_calls[0])
    assert apps.filter(state=Application.State.SUBMITTED).count() >= 2
    under_review = apps.get(state=Application.State.UNDER_REVIEW)
    assert under_review.expert_assignments.exists()
    running = Application.objects.filter(
        call__plan=plan, state__in=["in_progress", "rectification"]
    )
    # two from the first batch, and 江西's project that reports quarterly to its HQ contact
    assert running.count() == 3
    assert running.filter(report_schedule__frequency="quarterly").count() == 1
    # 2018 is finished history: no call open, nothing running, nothing owed.
    assert not any(c.is_open() for c in Call.objects.filter(plan__year=2018))
    assert not Application.objects.filter(
        call__plan__year=2018,
        state__in=["submitted", "under_review", "in_progress", "rectification"],
    ).exists()
    for username in ("jiangxi", "henan", "guizhou", "shaanxi"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        owed = owed_by(user.province)
        assert all(o.due >= today for o in owed), [(o.what, o.due) for o in owed if o.due < today]
        page = client_for(user).get("/provinces/todo/")
        assert page.status_code == 200 and "已逾期" not in page.content.decode()

    # 江西 asked for two extensions this year, one decided by HQ, and has today's reminder.
    from notifications.models import ExtensionRequest, Notification

    page = client_for(jiangxi).get("/provinces/deadlines/")
    assert page.status_code == 200
    history = page.content.decode().split('id="extension-history"', 1)[1]
    assert "待审批" in history and "已批准" in history
    requests = ExtensionRequest.objects.filter(province=jiangxi.province, plan_year=plan.year)
    assert sorted(requests.values_list("state", flat=True)) == ["approved", "pending"]
    assert requests.get(state="approved").decided_by.username == "hq"
    reminders = Notification.objects.filter(user=jiangxi, kind=Notification.Kind.REMINDER)
    assert reminders.exists()
    inbox = client_for(jiangxi).get("/notifications/").content.decode()
    assert "天后截止" in inbox or "今日截止" in inbox
    hq = User.objects.get(username="hq")
    page = client_for(hq).get("/notifications/extensions/")
    pending = requests.get(state="pending")
    assert page.status_code == 200 and pending in list(page.context["page"])
    assert pending.what in page.content.decode() and "待审批" in page.content.decode()

    # 2018's history is dated in 2018: its submissions, returns, decisions and its close.
    assert_2018_history_is_dated_2018()


def assert_2018_history_is_dated_2018():
    from django.contrib.contenttypes.models import ContentType

    from funding.models import SpendingReport
    from notifications.models import ExtensionRequest
    from planning.models import Plan
    from projects.models import Application, ProjectReport
    from provinces.models import Case, Notice, Registration, TaskReport
    from reporting.models import AnnualSummary, Bulletin
    from workflow.models import TransitionLog

    plan_of = {  # the lookup from each model with a history to its plan
        Plan: "",
        Registration: "assignment__task__plan__",
        TaskReport: "definition__task__plan__",
        Case: "plan__",
        Notice: "plan__",
        Application: "call__plan__",
        ProjectReport: "application__call__plan__",
        SpendingReport: "allocation__plan__",
        AnnualSummary: "plan__",
        Bulletin: "plan__",
        ExtensionRequest: "plan_",  # its plan_year
    }
    assert TransitionLog.objects.filter(at__year=2018).count() > 200
    later = TransitionLog.objects.filter(at__date__gt=date(2018, 12, 31))
    for type_id in set(later.values_list("content_type", flat=True)):
        model = ContentType.objects.get_for_id(type_id).model_class()
        ids = later.filter(content_type_id=type_id).values_list("object_id", flat=True)
        dated_later = model._default_manager.filter(pk__in=ids, **{f"{plan_of[model]}year": 2018})
        assert not dated_later.exists(), model


def test_browser_language_does_not_override_chinese(as_user, plan_2018, jiangxi_staff):
    page = as_user(jiangxi_staff).get("/plans/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_english_catalogue_is_complete():
    """Every user-facing string has an English translation (Chinese is the source)."""
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_pages_and_api_are_sent_compressed(as_user, plan_2018, hq_reviewer):
    client = as_user(hq_reviewer)
    page = client.get("/provinces/board/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    api = client.get("/api/v1/assignments/", HTTP_ACCEPT_ENCODING="gzip")
    assert api.status_code == 200 and api["Content-Encoding"] == "gzip"


def test_seed_demo_names_only_demo_modules_that_exist():
    import importlib

    from workflow.management.commands.seed_demo import DEMO_MODULES

    for step in DEMO_MODULES:
        name, _colon, function = step.partition(":")
        assert hasattr(importlib.import_module(name), function or "seed"), step
