"""The digest's funding chapter: a table per task and per unit, a chart, totals that add up."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from funding import services
from funding.digest import chapter
from provinces.models import Assignment
from reporting.digest import render_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(plan_2018, hq_reviewer):
    for number, amount in ((1, "30"), (2, "12.5"), (5, "8"), (7, "6.25")):
        task = plan_2018.tasks.get(number=number)
        for a in Assignment.objects.filter(task=task, taken_up=True).order_by(
            "province__sort_order"
        )[:3]:
            allocation, _ = services.allocate(
                task, a.province, amount=Decimal(amount), date=date(2018, 5, 1), by=hq_reviewer
            )
            services.record_payment(
                allocation, amount=Decimal(amount) / 2, date=date(2018, 6, 1), by=hq_reviewer
            )
    return plan_2018


def test_every_total_equals_the_sum_of_its_rows(money):
    data = chapter(money)
    assert data["tasks"] and data["units"]
    for rows, total in ((data["tasks"], data["tasks_total"]), (data["units"], data["units_total"])):
        for column in ("allocated", "paid", "spent"):
            assert getattr(total, column) == sum(getattr(r, column) for r in rows)
    assert data["tasks_total"].allocated == data["units_total"].allocated > 0


def test_the_rendered_tables_add_up(money):
    html = render_html(money)
    for table_id in ("funding-by-task", "funding-by-unit"):
        table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)[1]
        body, foot = table.split("<tfoot>")
        rows = re.findall(r"<tr><td>[^<]*</td><td>([\d.]+)</td><td>([\d.]+)</td>", body)
        total = re.search(r"</th><td>([\d.]+)</td><td>([\d.]+)</td>", foot).groups()
        assert rows
        for i in (0, 1):
            assert sum(Decimal(r[i]) for r in rows) == Decimal(total[i])
    assert "<svg" in html.split('id="funding"')[1]


def test_a_year_without_money_says_so(plan_2018):
    assert "本年度没有经费下达" in render_html(plan_2018)
