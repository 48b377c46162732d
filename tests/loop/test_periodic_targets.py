"""Periodic targets (每季度, 每半年): counted per period of the plan year on the ledger page
and the board, by the dates of the ledger entries."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planning.models import Target
from planning.periods import periods_of
from provinces.board import build_board
from provinces.ledger import period_progress
from provinces.models import Assignment, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarterly(plan_2018) -> Target:
    """Task 2 asks every unit for one progress report a quarter."""
    task = plan_2018.tasks.get(number=2)
    return Target.objects.create(
        task=task,
        description="每季度至少报送1次工作进展",
        metric=Target.Metric.OTHER,
        minimum=1,
        unit="次",
        period=Target.Period.QUARTER,
    )


def jiangxi_task2() -> Assignment:
    return Assignment.objects.get(task__number=2, province__short_name="江西")


def entry(assignment: Assignment, day: str, **figures) -> LedgerEntry:
    return LedgerEntry.objects.create(
        assignment=assignment,
        date=day,
        kind="other",
        description="报送工作进展",
        responsible_person="李江",
        **figures,
    )


def test_the_periods_of_a_year():
    quarters = periods_of(2018, "quarter")
    assert [(p.start, p.end) for p in quarters] == [
        (date(2018, 1, 1), date(2018, 3, 31)),
        (date(2018, 4, 1), date(2018, 6, 30)),
        (date(2018, 7, 1), date(2018, 9, 30)),
        (date(2018, 10, 1), date(2018, 12, 31)),
    ]
    assert [p.label for p in quarters] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert [p.end for p in periods_of(2020, "half")] == [date(2020, 6, 30), date(2020, 12, 31)]
    assert periods_of(2020, "month")[1].end == date(2020, 2, 29)
    assert [p.key for p in periods_of(2018, "half")] == ["2018-H1", "2018-H2"]


def test_entries_count_in_the_period_of_their_date(quarterly):
    a = jiangxi_task2()
    entry(a, "2018-03-31")  # the last day of Q1 still counts in Q1
    entry(a, "2018-07-01")
    entry(a, "2018-07-20")
    (progress,) = period_progress([a], 2018, today=date(2018, 8, 1))[a.pk]
    assert [p.done for p in progress.periods] == [1, 0, 2, 0]
    assert [p.state for p in progress.periods] == ["met", "missed", "met", "ahead"]
    assert progress.current.period.label == "第三季度"
    assert progress.missed == 1
    assert progress.detail.startswith("第一季度 1/1 ✓，第二季度 0/1（未达到），第三季度 2/1 ✓")


def test_a_figure_target_sums_the_figure_per_period(plan_2018):
    a = jiangxi_task2()
    Target.objects.create(
        task=a.task,
        description="每半年至少服务10家企业",
        metric=Target.Metric.ENTERPRISES_SERVED,
        minimum=10,
        unit="家",
        period=Target.Period.HALF,
    )
    entry(a, "2018-02-01", enterprises_served=4)
    entry(a, "2018-06-30", enterprises_served=6)
    entry(a, "2018-07-01", enterprises_served=3)
    (progress,) = period_progress([a], 2018, today=date(2018, 7, 2))[a.pk]
    assert [(p.done, p.met) for p in progress.periods] == [(10, True), (3, False)]
    assert progress.periods[1].current and not progress.periods[1].missed


def test_yearly_targets_are_not_counted_per_period(plan_2018):
    # Task 1's "至少2期" is a yearly target: nothing per period.
    a = Assignment.objects.get(task__number=1, province__short_name="北京")
    assert period_progress([a], 2018) == {}


def test_another_units_entries_do_not_count(quarterly):
    henan = Assignment.objects.get(task__number=2, province__short_name="河南")
    entry(henan, "2018-02-01")
    a = jiangxi_task2()
    got = period_progress([a, henan], 2018, today=date(2018, 4, 2))
    assert got[a.pk][0].periods[0].missed
    assert got[henan.pk][0].periods[0].met


def test_counting_many_assignments_takes_a_fixed_number_of_queries(quarterly):
    every = list(Assignment.objects.filter(task__plan=quarterly.task.plan))
    few = [a for a in every if a.task_id == quarterly.task_id][:2]

    def queries(assignments) -> int:
        with CaptureQueriesContext(connection) as context:
            got = period_progress(assignments, 2018)
        assert len(got) == len({a.pk for a in assignments if a.task_id == quarterly.task_id})
        return len(context)

    small = queries(few)
    for a in every:
        if a.task_id == quarterly.task_id:
            for day in ("2018-01-05", "2018-05-05", "2018-08-05"):
                entry(a, day)
    assert queries(every) == small <= 3


def test_ledger_page_shows_each_period(as_user, quarterly, jiangxi_staff):
    entry(jiangxi_task2(), "2018-02-10")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 8, 1, 9)), tick=False):
        response = as_user(jiangxi_staff).get("/provinces/ledger/?year=2018")
    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index('id="periodic-targets"') :]
    assert "每季度不少于 1 次" in section
    assert "第一季度 1/1 ✓" in section
    assert "第二季度 0/1" in section and "未达到" in section
    assert 'class="period period-current now" aria-current="true">第三季度 0/1<' in section
    assert section.count("<tr>") == 2  # the header and Jiangxi's one row: its own unit only


def test_ledger_page_without_periodic_targets_has_no_section(as_user, plan_2018, jiangxi_staff):
    response = as_user(jiangxi_staff).get("/provinces/ledger/?year=2018")
    assert response.status_code == 200
    assert 'id="periodic-targets"' not in response.content.decode()


def test_hq_ledger_page_filters_the_periodic_rows(as_user, quarterly, hq_reviewer):
    page = as_user(hq_reviewer).get("/provinces/ledger/?year=2018&province=360000").content
    section = page.decode()[page.decode().index('id="periodic-targets"') :]
    assert "江西" in section and "河南" not in section.split("</section>")[0]


def test_ledger_page_query_count_is_fixed_with_periodic_targets(
    as_user, quarterly, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    assignments = list(Assignment.objects.filter(task=quarterly.task))
    entry(assignments[0], "2018-02-01")
    with django_assert_max_num_queries(14):
        assert client.get("/provinces/ledger/?year=2018").status_code == 200
    for a in assignments:
        for day in ("2018-01-05", "2018-05-05", "2018-08-05", "2018-11-05"):
            entry(a, day)
    with django_assert_max_num_queries(14):
        assert client.get("/provinces/ledger/?year=2018").status_code == 200


def test_board_counts_periods(quarterly, hq_reviewer):
    entry(jiangxi_task2(), "2018-02-10")
    board = build_board(quarterly.task.plan, hq_reviewer, today=date(2018, 8, 1))
    row = next(r for r in board.rows if r[0].short_name == "江西")
    cell = row[1][1]  # task 2
    assert cell.periods_missed == 1
    assert "第一季度 1/1 ✓" in cell.periods_detail and "第二季度 0/1" in cell.periods_detail
    assert row[1][0].periodic == []  # task 1 has no periodic target


def test_board_page_shows_a_compact_indicator_with_the_detail_in_the_title(
    as_user, quarterly, hq_reviewer
):
    entry(jiangxi_task2(), "2018-02-10")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 8, 1, 9)), tick=False):
        response = as_user(hq_reviewer).get("/provinces/board/?year=2018")
    assert response.status_code == 200
    page = response.content.decode()
    marks = page.count('class="small period-mark')
    assert marks == Assignment.objects.filter(task=quarterly.task, taken_up=True).count()
    assert 'title="每季度至少报送1次工作进展：第一季度 1/1 ✓，第二季度 0/1（未达到）' in page
    assert "缺 1 期" in page  # Jiangxi missed Q2
    assert "缺 2 期" in page  # the others missed Q1 and Q2


def test_board_query_count_is_fixed_with_periodic_targets(
    as_user, quarterly, hq_reviewer, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    # The board's 12 (tests/loop/test_board.py), one more for the periodic targets' periods,
    # and one for the project reports' column.
    with django_assert_max_num_queries(14):
        assert client.get("/provinces/board/?year=2018").status_code == 200
    for a in Assignment.objects.filter(task=quarterly.task):
        for day in ("2018-01-05", "2018-05-05", "2018-08-05"):
            entry(a, day)
    with django_assert_max_num_queries(14):
        assert client.get("/provinces/board/?year=2018").status_code == 200


def test_a_case_target_counts_cases_handed_in_by_their_shanghai_day(plan_2018):
    from datetime import UTC, datetime

    from provinces.models import Case

    a = jiangxi_task2()
    Target.objects.create(
        task=a.task,
        description="每季度至少报送1个典型案例",
        metric=Target.Metric.CASES,
        minimum=1,
        unit="个",
        period=Target.Period.QUARTER,
    )

    def case(state: str, submitted: datetime | None) -> None:
        Case.objects.create(
            plan=plan_2018,
            province=a.province,
            assignment=a,
            title="案例",
            summary="s",
            state=state,
            submitted_at=submitted,
        )

    case("submitted", datetime(2018, 3, 31, 17, 0, tzinfo=UTC))  # 04-01 01:00 in Shanghai
    case("draft", None)  # a draft is no case handed in
    entry(a, "2018-02-01")  # a ledger line is no case
    (progress,) = period_progress([a], 2018, today=date(2018, 4, 2))[a.pk]
    assert [p.done for p in progress.periods] == [0, 1, 0, 0]


def test_registration_page_counts_a_periodic_target_per_period(as_user, quarterly, jiangxi_staff):
    a = jiangxi_task2()
    for day in ("2018-02-10", "2018-02-20", "2018-05-01"):
        entry(a, day)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 8, 1, 9)), tick=False):
        response = as_user(jiangxi_staff).get(f"/provinces/assignments/{a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    block = page[page.index(f'id="periodic-{quarterly.pk}"') :].split("</div>")[0]
    assert "第一季度 2/1 ✓" in block and "第二季度 1/1 ✓" in block and "第三季度 0/1" in block
    assert "3 / 1" not in page  # not a yearly total against the quarter's minimum
