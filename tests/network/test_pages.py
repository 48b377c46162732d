"""The pages: a unit keeps its own network and classes, HQ sees all, lists keep to a fixed
number of queries, exports have typed cells."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provinces.models import Case, LedgerEntry, NetworkEntity, TrainingClass, TrainingMaterial
from tests.network.conftest import entity, training
from tests.test_permission_matrix import PNG


def test_a_unit_adds_an_entity_of_its_working_year(as_user, plan_2018, jiangxi_staff):
    response = as_user(jiangxi_staff).post(
        "/provinces/network/new/?year=2018",
        {
            "year": "2018",
            "kind": "station",
            "subkind": "liaison",
            "name": "九江市专利信息联络点",
            "place": "九江市",
            "contact_name": "刘",
            "contact_phone": "13800138000",
            "state": "preparing",
        },
    )
    assert response.status_code == 302
    e = NetworkEntity.objects.get()
    assert (e.plan, e.province.short_name, e.kind, e.state) == (
        plan_2018,
        "江西",
        "station",
        "preparing",
    )


def test_the_form_refuses_a_station_without_its_subkind_and_a_duplicate_name(
    as_user, plan_2018, jiangxi_staff, jiangxi_outlet
):
    client = as_user(jiangxi_staff)
    response = client.post(
        "/provinces/network/new/",
        {"year": "2018", "kind": "station", "name": "站点", "state": "running"},
    )
    assert response.status_code == 200 and "请选择站点的细分" in response.content.decode()
    response = client.post(
        "/provinces/network/new/",
        {"year": "2018", "kind": "outlet", "name": jiangxi_outlet.name, "state": "running"},
    )
    assert response.status_code == 200
    assert "已有同类型、同名称" in response.content.decode()
    assert NetworkEntity.objects.count() == 1


def test_another_units_entity_answers_404(as_user, henan_staff, jiangxi_outlet):
    client = as_user(henan_staff)
    assert client.get(f"/provinces/network/{jiangxi_outlet.pk}/edit/").status_code == 404
    assert client.post(f"/provinces/network/{jiangxi_outlet.pk}/delete/").status_code == 404
    assert jiangxi_outlet.name not in client.get("/provinces/network/?year=2018").content.decode()
    assert NetworkEntity.objects.filter(pk=jiangxi_outlet.pk).exists()


def test_hq_sees_every_units_entities_and_the_counts_with_a_chart(
    as_user, hq_reviewer, jiangxi_outlet, henan_outlet
):
    page = as_user(hq_reviewer).get("/provinces/network/?year=2018").content.decode()
    assert jiangxi_outlet.name in page and henan_outlet.name in page
    response = as_user(hq_reviewer).get("/provinces/network/counts/?year=2018")
    assert response.status_code == 200
    table = response.content.decode()
    assert "<svg" in table and "全国共 2 个" in table


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_network_list_query_count_is_fixed(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    base = entity(plan_2018, "北京", "北京基地", kind="base", level="key")

    def add(n, start):
        for i in range(start, start + n):
            entity(plan_2018, "北京", f"站点{i}", kind="station", subkind="liaison", parent=base)
            entity(plan_2018, "江西", f"网点{i}")

    add(2, 0)
    hq, unit = as_user(hq_reviewer), as_user(jiangxi_staff)
    small = [queries(hq, "/provinces/network/?year=2018"), queries(unit, "/provinces/network/")]
    add(18, 2)
    large = [queries(hq, "/provinces/network/?year=2018"), queries(unit, "/provinces/network/")]
    assert small == large and max(large) <= 10
    assert hq.get("/provinces/network/?year=2018").content.decode().count("北京基地") >= 20
    assert queries(hq, "/provinces/network/counts/?year=2018") <= 10


def test_training_list_query_count_is_fixed(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    def add(n, start):
        for i in range(start, start + n):
            training(plan_2018, "江西", 2, f"江西培训班{i}")
            training(plan_2018, None, 8, f"专利信息人才培训班{i}")

    add(2, 0)
    hq, unit = as_user(hq_reviewer), as_user(jiangxi_staff)
    small = [queries(hq, "/provinces/trainings/?year=2018"), queries(unit, "/provinces/trainings/")]
    add(18, 2)
    large = [queries(hq, "/provinces/trainings/?year=2018"), queries(unit, "/provinces/trainings/")]
    assert small == large and max(large) <= 10
    assert unit.get("/provinces/trainings/").content.decode().count("江西培训班") == 20


def test_a_unit_records_a_class_with_materials(as_user, plan_2018, jiangxi_staff):
    task = plan_2018.tasks.get(number=2)
    response = as_user(jiangxi_staff).post(
        "/provinces/trainings/new/",
        {
            "year": "2018",
            "task": task.pk,
            "title": "江西省专利信息实务人才能力培训班",
            "start_date": "2018-08-22",
            "end_date": "2018-08-24",
            "place": "南昌",
            "teachers": "李教授",
            "attendee_count": "88",
            "files": [SimpleUploadedFile("签到表.png", PNG)],
        },
    )
    assert response.status_code == 302
    c = TrainingClass.objects.get()
    assert c.province.short_name == "江西" and c.plan == plan_2018
    material = TrainingMaterial.objects.get()
    assert (
        as_user(jiangxi_staff).get(f"/provinces/training-materials/{material.pk}/").status_code
        == 200
    )


def test_a_unit_cannot_file_a_class_under_a_task_it_does_not_carry(
    as_user, plan_2018, jiangxi_staff
):
    task = plan_2018.tasks.get(number=5)  # western provinces only
    response = as_user(jiangxi_staff).post(
        "/provinces/trainings/new/",
        {
            "year": "2018",
            "task": task.pk,
            "title": "x",
            "start_date": "2018-08-22",
            "end_date": "2018-08-22",
            "place": "南昌",
            "attendee_count": "1",
        },
    )
    assert response.status_code == 200 and not TrainingClass.objects.exists()


def test_hq_records_its_own_classes_and_cannot_change_a_units(as_user, plan_2018, hq_reviewer):
    unit_class = training(plan_2018, "江西", 2)
    client = as_user(hq_reviewer)
    response = client.post(
        "/provinces/trainings/new/",
        {
            "year": "2018",
            "task": plan_2018.tasks.get(number=8).pk,
            "title": "2018年第一期全国专利信息人才培训班",
            "start_date": "2018-07-16",
            "end_date": "2018-07-20",
            "place": "北京",
            "attendee_count": "120",
        },
    )
    assert response.status_code == 302
    assert TrainingClass.objects.get(province__isnull=True).organiser == "专利文献部"
    assert client.get(f"/provinces/trainings/{unit_class.pk}/").status_code == 200
    assert client.get(f"/provinces/trainings/{unit_class.pk}/edit/").status_code == 404
    assert client.post(f"/provinces/trainings/{unit_class.pk}/delete/").status_code == 404


def test_ledger_entries_and_cases_name_entities_of_their_own_unit_and_year(
    as_user, plan_2018, jiangxi_staff, jiangxi_outlet, henan_outlet
):
    from provinces.models import Assignment

    assignment = Assignment.objects.get(task__number=2, province__short_name="江西")
    client = as_user(jiangxi_staff)
    form = client.get("/provinces/ledger/new/?year=2018").content.decode()
    assert jiangxi_outlet.name in form and henan_outlet.name not in form
    data = {
        "year": "2018",
        "assignment": assignment.pk,
        "date": "2018-07-01",
        "kind": "enterprise_service",
        "description": "走访网点",
        "responsible_person": "李",
        "classes_held": "0",
        "trainees": "0",
        "enterprises_served": "1",
        "entities": [henan_outlet.pk],
    }
    assert client.post("/provinces/ledger/new/", data).status_code == 200  # not offered
    assert not LedgerEntry.objects.exists()
    data["entities"] = [jiangxi_outlet.pk]
    assert client.post("/provinces/ledger/new/", data).status_code == 302
    assert list(LedgerEntry.objects.get().entities.all()) == [jiangxi_outlet]
    response = client.post(
        "/reporting/cases/new/?year=2018",
        {
            "year": "2018",
            "assignment": assignment.pk,
            "kind": "typical_case",
            "title": "网点服务案例",
            "summary": "网点为企业提供检索服务",
            "entities": [jiangxi_outlet.pk],
        },
    )
    assert response.status_code == 302
    assert list(Case.objects.get().entities.all()) == [jiangxi_outlet]


def _cells(response, sheet=0):
    wb = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
        if hasattr(response, "streaming_content")
        else io.BytesIO(response.content)
    )
    return [list(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]


def test_the_exports_have_typed_cells(as_user, plan_2018, hq_reviewer, jiangxi_outlet):
    training(plan_2018, "江西", 2, '=HYPERLINK("x")', attendee_count=88)
    client = as_user(hq_reviewer)
    rows = _cells(client.get("/provinces/network/export.xlsx?year=2018"))
    assert rows[0][:3] == ["年度", "省份", "类型"]
    assert rows[1][0] == 2018 and rows[1][2] == "专利文献服务网点"
    rows = _cells(client.get("/provinces/trainings/export.xlsx?year=2018"))
    header, row = rows[0], rows[1]
    assert row[header.index("参训人数")] == 88
    assert row[header.index("开始日期")].date() == date(2018, 9, 1)
    assert row[header.index("培训班名称")] == '=HYPERLINK("x")'  # text, not a formula
