"""The cast of the task reports and notices: task 7's report, its fields, a draft notice."""

from __future__ import annotations

from datetime import date

import pytest

from provinces.models import FieldKind, Notice, TaskReportDefinition, TaskReportField


@pytest.fixture
def task7_report(plan_2018, hq_reviewer) -> TaskReportDefinition:
    """Task 7's 众创空间专利信息服务效果评价指标 (carried by 天津, 重庆, 江苏 and 江西)."""
    definition = TaskReportDefinition.objects.create(
        task=plan_2018.tasks.get(number=7),
        title="众创空间专利信息服务效果评价指标",
        due_date=date(2018, 11, 30),
        reminder_offsets="7,1",
        created_by=hq_reviewer,
    )
    for order, (label, kind, required) in enumerate(
        [
            ("服务众创空间数量（家）", FieldKind.INTEGER, True),
            ("服务经费（万元）", FieldKind.DECIMAL, True),
            ("评价完成日期", FieldKind.DATE, False),
            ("效果评价", FieldKind.LONG_TEXT, True),
        ]
    ):
        TaskReportField.objects.create(
            definition=definition, label=label, kind=kind, required=required, order=order
        )
    return definition


def keys(definition) -> list[str]:
    return [f.key for f in definition.fields.all()]


def good_values(definition) -> dict[str, str]:
    count, money, day, text = keys(definition)
    return {count: "12", money: "35.50", day: "2018-11-20", text: "服务效果良好。"}


@pytest.fixture
def draft_notice(plan_2018, hq_reviewer) -> Notice:
    return Notice.objects.create(
        plan=plan_2018,
        title="关于报送众创空间专利信息服务情况的通知",
        number="知文献函〔2018〕12号",
        body="请承担任务（七）的单位按要求报送。",
        audience=Notice.Audience.TASK,
        task=plan_2018.tasks.get(number=7),
        reply_by=date(2018, 12, 10),
        created_by=hq_reviewer,
    )
