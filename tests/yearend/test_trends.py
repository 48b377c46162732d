"""Trends across years: per task and per unit, on the page, in the API and as a workbook."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from funding.models import Allocation
from planning.models import Plan, Task
from planning.services import relink_rolled_tasks
from projects.models import Application, Call
from provinces.models import Assignment, Case, LedgerEntry, Province, Registration
from provinces.plans import rollover_plan
from tests.conftest import client_for
from tests.network.conftest import training

pytestmark = pytest.mark.django_db

TALENT = "持续为专利信息人才培养和作用发挥提供平台"  # task 8 in 2018, task 7 in 2019


def assignment(plan: Plan, short: str, number: int) -> Assignment:
    return Assignment.objects.get(task__plan=plan, task__number=number, province__short_name=short)


def hand_in(a: Assignment, *, late: bool, confirmed: bool = False) -> None:
    """Set-up only: a registration as the lifecycle leaves it after a (late) submission."""
    reg, _created = Registration.objects.get_or_create(assignment=a)
    Registration.objects.filter(pk=reg.pk).update(
        state=Registration.State.CONFIRMED if confirmed else Registration.State.SUBMITTED,
        submitted_at=timezone.now(),
        is_late=late,
    )


def ledger(a: Assignment, day: str, **figures) -> None:
    LedgerEntry.objects.create(
        assignment=a,
        date=day,
        kind="training",
        description="举办专利信息利用培训班",
        responsible_person="李",
        **figures,
    )


def case(a: Assignment, **extra) -> Case:
    return Case.objects.create(
        province=a.province,
        assignment=a,
        plan=a.task.plan,
        title="案例",
        summary="摘要",
        state=Case.State.CONFIRMED,
        **extra,
    )


def project(task: Task, short: str, granted: str, state=Application.State.APPROVED) -> None:
    now = timezone.now()
    call, _created = Call.objects.get_or_create(
        plan=task.plan,
        task=task,
        defaults={
            "project_type": "talent",
            "title": "人才项目",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=5),
        },
    )
    Application.objects.create(
        call=call,
        province=Province.objects.get(short_name=short),
        applicant="某人",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("50"),
        plan_text="方案",
        state=state,
        budget_granted=Decimal(granted) if state != Application.State.REJECTED else None,
    )


def year_with_data(plan: Plan, *, trainees: int) -> None:
    """A year's figures for 江西 (task 2 and the talent task) and 河南 (task 2)."""
    year = plan.year
    jx, hn = assignment(plan, "江西", 2), assignment(plan, "河南", 2)
    hand_in(jx, late=False, confirmed=True)
    hand_in(hn, late=True)
    # classes and trainees are counted from training classes; a ledger line's typed
    # numbers are not (the 7777 below never shows)
    ledger(jx, f"{year}-07-01", classes_held=4, trainees=7777, enterprises_served=3)
    ledger(hn, f"{year}-07-01", enterprises_served=9)
    training(plan, "江西", 2, attendee_count=trainees)
    training(plan, "江西", 2, attendee_count=10)
    training(plan, "河南", 2, attendee_count=999)
    training(plan, None, 2, attendee_count=5000)  # HQ's own class: no unit's figure
    case(jx)
    case(hn, selected_for_publication=True)  # published: 江西 may read it, not count it
    talent = plan.tasks.get(title=TALENT)
    project(talent, "江西", "20.50")
    project(talent, "江西", "0", state=Application.State.REJECTED)
    project(talent, "河南", "30.00")


def roll(plan: Plan, to_year: int, by) -> Plan:
    new = rollover_plan(plan, to_year, by)
    new.publish(by)
    return new


@pytest.fixture
def two_years(plan_2018, administrator):
    """2018 (the fixture) and 2019 rolled over from it, where a task was dropped, so the
    talent task is task 7 (it was 8); each year has its own data."""
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    plan_2019.tasks.filter(number=7).delete()
    for number in range(8, plan_2019.tasks.count() + 2):
        plan_2019.tasks.filter(number=number).update(number=number - 1)
    plan_2019.publish(administrator)
    year_with_data(plan_2018, trainees=100)
    year_with_data(plan_2019, trainees=150)
    return plan_2018, plan_2019


def api(user, query: str = ""):
    response = client_for(user).get(f"/api/v1/trends/{query}")
    return response


def row(rows: list, key: str) -> dict:
    return next(r for r in rows if r["key"] == key)


def test_rollover_records_the_task_each_copy_continues(plan_2018, administrator):
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    for task in plan_2019.tasks.select_related("rolled_from"):
        assert task.rolled_from.plan_id == plan_2018.pk
        assert task.rolled_from.number == task.number and task.rolled_from.title == task.title


def test_an_import_that_shifts_numbers_relinks_to_the_same_title(plan_2018, administrator):
    """The 2019 notice drops a task: the draft's task 7 now holds 2018's task 8's text."""
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    seven = plan_2019.tasks.get(number=7)
    Task.objects.filter(pk=seven.pk).update(title=TALENT)
    reworded = plan_2019.tasks.get(number=3)
    Task.objects.filter(pk=reworded.pk).update(title="改写后的任务名称")
    relink_rolled_tasks(plan_2019)
    assert Task.objects.get(pk=seven.pk).rolled_from == plan_2018.tasks.get(number=8)
    assert Task.objects.get(pk=reworded.pk).rolled_from == plan_2018.tasks.get(number=3)


def test_hq_sees_each_years_figures_per_task_per_unit_and_in_total(two_years, hq_reviewer):
    plan_2018, plan_2019 = two_years
    response = api(hq_reviewer)
    assert response.status_code == 200
    data = response.json()
    assert data["years"] == [2018, 2019]

    expected_2018 = Assignment.objects.filter(task__plan=plan_2018, taken_up=True).count()
    total_2018 = data["totals"][0]["figures"]
    assert total_2018["expected"] == expected_2018
    assert (total_2018["handed_in"], total_2018["on_time"]) == (2, 1)
    assert total_2018["completeness"] == str(
        (Decimal(200) / expected_2018).quantize(Decimal("0.1"))
    )
    assert (total_2018["trainees"], total_2018["classes_held"]) == (100 + 10 + 999, 3)
    assert (total_2018["cases"], total_2018["projects"]) == (2, 2)
    assert total_2018["money_granted"] == "50.50"
    assert data["totals"][1]["figures"]["trainees"] == 150 + 10 + 999

    jiangxi = row(data["units"], "360000")
    f18, f19 = (c["figures"] for c in jiangxi["cells"])
    assert (f18["trainees"], f19["trainees"]) == (110, 160)
    assert (f18["handed_in"], f18["on_time"], f18["money_granted"]) == (1, 1, "20.50")
    assert f19["enterprises_served"] == 3 and f19["cases"] == 1 and f19["projects"] == 1
    henan = row(data["units"], "410000")
    assert henan["cells"][0]["figures"]["on_time"] == 0
    assert henan["cells"][0]["figures"]["handed_in"] == 1

    task2 = row(data["tasks"], str(plan_2018.tasks.get(number=2).pk))
    assert [c["figures"]["trainees"] for c in task2["cells"]] == [1109, 1159]


def test_a_renumbered_task_is_one_row_numbered_as_in_each_year(two_years, hq_reviewer):
    plan_2018, plan_2019 = two_years
    data = api(hq_reviewer).json()
    talent = row(data["tasks"], str(plan_2018.tasks.get(number=8).pk))
    assert [(c["year"], c["number"], c["title"]) for c in talent["cells"]] == [
        (2018, 8, TALENT),
        (2019, 7, TALENT),
    ]
    assert [c["figures"]["money_granted"] for c in talent["cells"]] == ["50.50", "50.50"]
    dropped = row(data["tasks"], str(plan_2018.tasks.get(number=7).pk))
    assert [c["present"] for c in dropped["cells"]] == [True, False]
    # the 2019 talent task's key is the same row
    by_2019 = api(hq_reviewer, f"?task={plan_2019.tasks.get(title=TALENT).pk}").json()
    assert [r["key"] for r in by_2019["tasks"]] == [talent["key"]]
    assert [c["figures"]["projects"] for c in by_2019["totals"]] == [2, 2]


def test_province_staff_see_only_their_own_units_trend(two_years, jiangxi_staff):
    data = api(jiangxi_staff).json()
    assert [u["key"] for u in data["units"]] == ["360000"]
    totals = [c["figures"] for c in data["totals"]]
    assert [f["trainees"] for f in totals] == [110, 160]  # 河南's 999 left out
    assert [f["money_granted"] for f in totals] == ["20.50", "20.50"]
    assert [f["cases"] for f in totals] == [1, 1]  # 河南's published case is not 江西's
    assert api(jiangxi_staff, "?unit=410000").status_code == 400
    page = client_for(jiangxi_staff).get("/reporting/trends/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "江西省" in text and "河南省" not in text and "999" not in text


def test_filters_keep_one_unit_or_one_task(two_years, hq_reviewer):
    plan_2018, _plan_2019 = two_years
    data = api(hq_reviewer, "?unit=410000").json()
    assert [u["key"] for u in data["units"]] == ["410000"]
    assert [c["figures"]["trainees"] for c in data["totals"]] == [999, 999]
    task2 = plan_2018.tasks.get(number=2).pk
    data = api(hq_reviewer, f"?task={task2}&unit=360000").json()
    assert [c["figures"]["trainees"] for c in data["totals"]] == [110, 160]
    assert [c["figures"]["projects"] for c in data["totals"]] == [0, 0]  # talent, not task 2
    page = client_for(hq_reviewer).get(f"/reporting/trends/?task={task2}")
    assert page.status_code == 200 and f'data-task="{task2}"' in page.content.decode()


@pytest.mark.parametrize("query", ["?task=abc", "?task=0", "?task=99999999", "?unit=abc"])
def test_a_bad_filter_answers_400(query, two_years, hq_reviewer):
    response = api(hq_reviewer, query)
    assert response.status_code == 400
    assert query[1:].partition("=")[0] in response.json()
    assert client_for(hq_reviewer).get(f"/reporting/trends/export/{query}").status_code == 400
    page = client_for(hq_reviewer).get(f"/reporting/trends/{query}")
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()


def test_a_draft_year_is_hq_only(plan_2018, administrator, hq_reviewer, jiangxi_staff):
    rollover_plan(plan_2018, 2019, administrator)  # left a draft
    assert api(hq_reviewer).json()["years"] == [2018, 2019]
    assert api(jiangxi_staff).json()["years"] == [2018]


def test_experts_and_visitors_are_refused(two_years, expert):
    assert api(expert).status_code == 403
    assert client_for(expert).get("/reporting/trends/").status_code == 404
    assert client_for(expert).get("/reporting/trends/export/").status_code == 404
    assert api(None).status_code == 401
    assert client_for(None).get("/reporting/trends/").status_code == 302


def test_the_page_has_tables_that_scroll_and_an_accessible_chart(two_years, hq_reviewer):
    text = client_for(hq_reviewer).get("/reporting/trends/").content.decode()
    for table in ("trend-years", "trend-tasks", "trend-units"):
        assert f'<div class="scroll-x"><table id="{table}">' in text
    assert text.count('role="img"') == 3
    assert '<title id="trend-trainees-title">各年度培训人数</title>' in text
    assert "2018年：1109人次；2019年：1159人次" in text  # the chart's <desc>
    assert "任务7：" + TALENT in text and "任务8：" + TALENT in text


def test_the_workbook_holds_numbers(two_years, hq_reviewer):
    response = client_for(hq_reviewer).get("/reporting/trends/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["各年度合计", "按任务", "按执行单位"]
    years = book["各年度合计"]
    headers = [c.value for c in years[1]]
    first = {h: c.value for h, c in zip(headers, years[2], strict=True)}
    assert first["年度"] == 2018 and first["培训人数（人次）"] == 1109
    assert first["资助经费（万元）"] == pytest.approx(50.5)
    assert isinstance(first["报送完整率（%）"], float)
    units = book["按执行单位"]
    jiangxi = [r for r in units.iter_rows(min_row=2, values_only=True) if r[0] == "江西省"]
    assert [r[1] for r in jiangxi] == [2018, 2019]
    tasks = book["按任务"]
    talent = [r for r in tasks.iter_rows(min_row=2, values_only=True) if r[0] == TALENT]
    assert [(r[1], r[2]) for r in talent] == [(2018, 8), (2019, 7)]
    assert tasks.column_dimensions["A"].width > 20  # wide enough for the Chinese titles


def _queries(user, path: str) -> int:
    client = client_for(user)
    client.get(path)  # the session and the user, cached alike at both sizes
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/api/v1/trends/", "/reporting/trends/"])
def test_the_number_of_queries_does_not_grow_with_the_years(
    path, two_years, hq_reviewer, jiangxi_staff, administrator
):
    small = {u: _queries(u, path) for u in (hq_reviewer, jiangxi_staff)}
    plan = two_years[1]
    for year in (2020, 2021):
        plan = roll(plan, year, administrator)
        year_with_data(plan, trainees=year)
    assert api(hq_reviewer).json()["years"] == [2018, 2019, 2020, 2021]
    large = {u: _queries(u, path) for u in (hq_reviewer, jiangxi_staff)}
    assert large == small
    assert small[hq_reviewer] <= 13  # one aggregate query per source, training classes too


def test_money_granted_is_what_hq_allocated_and_a_project_is_counted_once(two_years, hq_reviewer):
    """Direct allocations count; a project with its own allocation counts that allocation,
    not its budget again; a project without one still counts its granted budget."""
    plan_2018, _plan_2019 = two_years
    jiangxi = Province.objects.get(short_name="江西")
    task2 = plan_2018.tasks.get(number=2)
    Allocation.objects.create(
        plan=plan_2018, task=task2, province=jiangxi, amount=Decimal("12.00"), date="2018-07-01"
    )
    talent = plan_2018.tasks.get(title=TALENT)
    granted = Application.objects.get(
        call__plan=plan_2018, province=jiangxi, state=Application.State.APPROVED
    )
    Allocation.objects.create(
        plan=plan_2018,
        task=talent,
        province=jiangxi,
        project=granted,
        amount=Decimal("18.00"),
        date="2018-08-01",
    )
    data = api(hq_reviewer).json()
    # 12 (task 2) + 18 (江西's project, allocated) + 30 (河南's project, not yet allocated)
    assert data["totals"][0]["figures"]["money_granted"] == "60.00"
    f18 = row(data["units"], "360000")["cells"][0]["figures"]
    assert f18["money_granted"] == "30.00"
