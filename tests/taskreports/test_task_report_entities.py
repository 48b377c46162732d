"""A task report names the service-network entities it concerns, as ledger entries and
cases do: the same unit's, of the same plan year (one check), on the page and in the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from provinces import services
from provinces.models import TaskReport
from tests.conftest import client_for
from tests.network.conftest import entity

from .conftest import good_values

pytestmark = pytest.mark.django_db


def test_the_page_names_the_units_own_entities(task7_report, plan_2018, jiangxi_staff, hq_reviewer):
    space = entity(plan_2018, "江西", "南昌众创空间", kind="maker_space")
    entity(plan_2018, "河南", "郑州众创空间", kind="maker_space")  # not Jiangxi's: not offered
    staff = client_for(jiangxi_staff)
    url = f"/provinces/task-reports/{task7_report.pk}/"
    form = staff.get(url).content.decode()
    assert "南昌众创空间" in form and "郑州众创空间" not in form
    data = {f"f{k}": v for k, v in good_values(task7_report).items()}
    assert staff.post(url, {**data, "entities": [space.pk]}).status_code == 302
    report = TaskReport.objects.get(definition=task7_report)
    assert list(report.entities.all()) == [space]
    page = client_for(hq_reviewer).get(f"/provinces/task-reports/submissions/{report.pk}/")
    assert "南昌众创空间" in page.content.decode()


def test_another_units_entity_is_refused_everywhere(task7_report, plan_2018, jiangxi_staff):
    henan = entity(plan_2018, "河南", "郑州众创空间", kind="maker_space")
    staff = client_for(jiangxi_staff)
    data = {f"f{k}": v for k, v in good_values(task7_report).items()}
    page = staff.post(
        f"/provinces/task-reports/{task7_report.pk}/", {**data, "entities": [henan.pk]}
    )
    assert page.status_code == 200
    api = staff.post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": {}, "entities": [henan.pk]},
        content_type="application/json",
    )
    assert api.status_code == 400 and "entities" in api.json()
    with pytest.raises(ValidationError, match="只能选择本单位同一年度的服务网络"):
        services.save_task_report(
            TaskReport(definition=task7_report, province=jiangxi_staff.province),
            jiangxi_staff,
            {},
            [henan],
        )
    assert not TaskReport.objects.exists()


def test_the_api_reads_and_writes_the_entities(task7_report, plan_2018, jiangxi_staff):
    space = entity(plan_2018, "江西", "南昌众创空间", kind="maker_space")
    staff = client_for(jiangxi_staff)
    created = staff.post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": {}, "entities": [space.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["entities"] == [space.pk]
    base = f"/api/v1/task-report-submissions/{created.json()['id']}/"
    assert staff.get(base).json()["entities"] == [space.pk]
    cleared = staff.patch(base, {"entities": []}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["entities"] == []
