from __future__ import annotations

from datetime import date

import pytest

from provinces.models import NetworkEntity, Province, TrainingClass


def entity(plan, short_name: str, name: str, kind: str = "outlet", **extra) -> NetworkEntity:
    return NetworkEntity.objects.create(
        plan=plan,
        province=Province.objects.get(short_name=short_name),
        kind=kind,
        name=name,
        **extra,
    )


def training(plan, short_name: str | None, task_number: int, title: str = "培训班", **extra):
    values = {
        "start_date": date(plan.year, 9, 1),
        "end_date": date(plan.year, 9, 2),
        "place": "南昌",
        "attendee_count": 50,
        **extra,
    }
    return TrainingClass.objects.create(
        plan=plan,
        province=Province.objects.get(short_name=short_name) if short_name else None,
        task=plan.tasks.get(number=task_number),
        title=title,
        **values,
    )


@pytest.fixture
def jiangxi_outlet(plan_2018):
    return entity(plan_2018, "江西", "江西省图书馆专利文献服务网点")


@pytest.fixture
def henan_outlet(plan_2018):
    return entity(plan_2018, "河南", "郑州大学专利文献服务网点")
