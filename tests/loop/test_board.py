"""The HQ board: lights, completeness, on-time rate, fixed queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from projects.models import Call
from provinces.board import build_board, light_for
from provinces.models import Assignment, Registration
from provinces.services import submit_registration
from tests.loop.conftest import fill
from tests.projects.test_reports import running

pytestmark = pytest.mark.django_db

DUE = date(2018, 6, 20)


def test_lights(plan_2018):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    assert light_for(a, DUE, date(2018, 6, 10)) == "green"  # on track
    assert light_for(a, DUE, date(2018, 6, 18)) == "yellow"  # due within 3 days, nothing sent
    assert light_for(a, DUE, date(2018, 6, 21)) == "red"  # overdue
    assert light_for(None, DUE, date(2018, 6, 10)) == "grey"  # not assigned
    voluntary = Assignment.objects.get(task__number=6, province__short_name="江西")
    assert light_for(voluntary, DUE, date(2018, 6, 21)) == "grey"  # voluntary, not taken up


def test_submitted_is_green_even_after_the_deadline(plan_2018, jiangxi_staff):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    reg = fill(Registration.objects.create(assignment=a))
    submit_registration(reg, jiangxi_staff)
    a.refresh_from_db()
    assert light_for(a, DUE, date(2018, 7, 1)) == "green"


def test_rates(plan_2018, jiangxi_staff, hq_reviewer):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 6, 25, 9))):
        submit_registration(fill(Registration.objects.create(assignment=a)), jiangxi_staff)
    b = Assignment.objects.get(task__number=3, province__short_name="江西")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 6, 15, 9))):
        submit_registration(fill(Registration.objects.create(assignment=b)), jiangxi_staff)
    board = build_board(plan_2018, hq_reviewer, today=date(2018, 6, 30))
    jiangxi_row = next(r for r in board.rows if r[0].short_name == "江西")
    rate = jiangxi_row[2]
    expected = Assignment.objects.filter(province__short_name="江西", taken_up=True).count()
    assert (rate.submitted, rate.expected) == (2, expected)
    assert rate.on_time_rate == 50
    task2 = board.task_rates[1]
    assert task2.expected == 10 and task2.submitted == 1


def test_board_page_shows_every_province_and_links(as_user, plan_2018, hq_reviewer):
    page = as_user(hq_reviewer).get("/provinces/board/?year=2018").content.decode()
    assert page.count('class="cell cell-') == 32 * 10
    assert "新疆生产建设兵团" in page


def test_board_query_count_is_fixed(
    as_user, plan_2018, hq_reviewer, jiangxi_staff, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    # 12: the board's own ten, one for the task reports' rates (专项报送) and one for the
    # project reports each unit owes (the column projects adds)
    with django_assert_max_num_queries(12):
        assert client.get("/provinces/board/").status_code == 200
    for a in Assignment.objects.filter(task__number__in=[3, 4])[:40]:
        reg = fill(Registration.objects.create(assignment=a))
        Registration.objects.filter(pk=reg.pk).update(state="submitted")
    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点申报",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        reviews_required=0,
    )
    for n in range(3):  # running projects with monthly reports, all overdue by now
        running(call, jiangxi_staff, hq_reviewer, "monthly", applicant=f"企业{n}")
    with django_assert_max_num_queries(12):
        page = client.get("/provinces/board/")
        assert page.status_code == 200
    assert page.content.decode().count("份逾期") == 3


def test_board_is_hq_only(as_user, plan_2018, jiangxi_staff, expert):
    assert as_user(jiangxi_staff).get("/provinces/board/").status_code == 404
    assert as_user(expert).get("/provinces/board/").status_code == 404


def test_a_slipping_schedule_turns_a_registered_cell_yellow_then_red(
    plan_2018, jiangxi_staff, hq_reviewer, as_user
):
    from provinces.models import Milestone

    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    reg = fill(Registration.objects.create(assignment=a))  # one step due 2018-09-30
    submit_registration(reg, jiangxi_staff)
    a.refresh_from_db()

    def cell(day):
        board = build_board(plan_2018, hq_reviewer, today=day)
        row = next(r for r in board.rows if r[0].short_name == "江西")
        return row[1][1]  # task 2

    assert cell(date(2018, 9, 20)).light == "green"
    assert cell(date(2018, 9, 28)).light == "yellow"  # within 3 days of the step
    late = cell(date(2018, 10, 2))
    assert (late.light, late.step_due) == ("red", date(2018, 9, 30))
    Milestone.objects.filter(registration=reg).update(done_on=date(2018, 10, 1))
    assert cell(date(2018, 10, 2)).light == "green"
    assert light_for(a, DUE, date(2018, 10, 2), step_due=date(2018, 9, 30)) == "red"
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 10, 2, 9))):
        Milestone.objects.filter(registration=reg).update(done_on=None)
        todo = as_user(jiangxi_staff).get("/provinces/todo/").content.decode()
    assert "进度安排逾期：2018-09-30" in todo
    assert late.step_late and not cell(date(2018, 9, 28)).step_late


def test_board_page_explains_its_marks(as_user, plan_2018, jiangxi_staff, hq_reviewer):
    """A red cell whose form is in says why (进度逾期); the legend covers — and every colour;
    each task's name is in a header row and on hover."""
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    reg = fill(Registration.objects.create(assignment=a))  # one step due 2018-09-30
    submit_registration(reg, jiangxi_staff)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 10, 2, 9))):
        page = as_user(hq_reviewer).get("/provinces/board/?year=2018").content.decode()
    legend = page[page.index('id="board-legend"') : page.index("</ul>", page.index("board-legend"))]
    assert "—" in legend and "未填报" in legend and "进度逾期" in legend
    for colour in ("green", "yellow", "red", "grey"):
        assert f"light-{colour}" in legend
    task2 = plan_2018.tasks.get(number=2)
    assert f'<th scope="col" class="small">{task2.title}</th>' in page
    assert f'title="{task2.title}">（二）</a>' in page
    cell = page[page.index(f"/provinces/assignments/{a.pk}/") :][:400]
    assert "已报送" in cell and "进度逾期" in cell
    assert page.count("step-late") == 1
