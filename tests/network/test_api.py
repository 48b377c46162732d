"""/api/v1/service-network/ and /api/v1/trainings/: scoped, by year, written by their owners."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from provinces.models import NetworkEntity, TrainingClass
from tests.network.conftest import entity, training


def test_the_network_lists_one_year_scoped_to_the_unit(
    as_user, plan_2018, jiangxi_staff, hq_reviewer, expert, jiangxi_outlet, henan_outlet
):
    own = as_user(jiangxi_staff).get("/api/v1/service-network/?year=2018").json()
    assert [e["name"] for e in own["results"]] == [jiangxi_outlet.name]
    everyone = as_user(hq_reviewer).get("/api/v1/service-network/?year=2018").json()
    assert {e["name"] for e in everyone["results"]} == {jiangxi_outlet.name, henan_outlet.name}
    assert as_user(hq_reviewer).get("/api/v1/service-network/?year=2019").json()["count"] == 0
    assert as_user(expert).get("/api/v1/service-network/").json()["count"] == 0
    assert as_user(hq_reviewer).get("/api/v1/service-network/?year=0.5").status_code == 400


def test_a_unit_writes_its_own_entities_and_not_anothers(
    as_user, plan_2018, jiangxi_staff, henan_staff, hq_reviewer, jiangxi_outlet
):
    client = as_user(jiangxi_staff)
    body = {"year": 2018, "kind": "maker_space", "name": "南昌众创空间", "place": "南昌市"}
    response = client.post("/api/v1/service-network/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["province"] == "360000"
    again = client.post("/api/v1/service-network/", body, content_type="application/json")
    assert again.status_code == 400 and "name" in again.json()
    bad = client.post(
        "/api/v1/service-network/",
        {"year": 2018, "kind": "station", "name": "站点"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "subkind" in bad.json()
    url = f"/api/v1/service-network/{jiangxi_outlet.pk}/"
    other = as_user(henan_staff).patch(url, {"place": "x"}, content_type="application/json")
    assert other.status_code == 404
    assert (
        as_user(hq_reviewer).patch(url, {"place": "x"}, content_type="application/json").status_code
        == 403
    )
    assert client.delete(url).status_code == 204
    assert not NetworkEntity.objects.filter(pk=jiangxi_outlet.pk).exists()


def test_trainings_are_written_by_hq_for_hq_and_by_units_for_themselves(
    as_user, plan_2018, jiangxi_staff, hq_reviewer
):
    body = {
        "task": plan_2018.tasks.get(number=8).pk,
        "title": "2018年第一期全国专利信息人才培训班",
        "start_date": "2018-07-16",
        "end_date": "2018-07-20",
        "place": "北京",
        "attendee_count": 120,
    }
    response = as_user(hq_reviewer).post(
        "/api/v1/trainings/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["province"] is None and response.json()["organiser"] == "专利文献部"
    hq_class = TrainingClass.objects.get()
    assert as_user(jiangxi_staff).get(f"/api/v1/trainings/{hq_class.pk}/").status_code == 200
    assert (
        as_user(jiangxi_staff)
        .patch(f"/api/v1/trainings/{hq_class.pk}/", {"place": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    body["end_date"] = "2018-07-01"
    late = as_user(hq_reviewer).post("/api/v1/trainings/", body, content_type="application/json")
    assert late.status_code == 400 and "end_date" in late.json()


def test_a_closed_year_refuses_new_records(as_user, plan_2018, jiangxi_staff):
    plan_2018.close(None)
    response = as_user(jiangxi_staff).post(
        "/api/v1/service-network/",
        {"year": 2018, "kind": "outlet", "name": "网点"},
        content_type="application/json",
    )
    assert response.status_code == 409


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_api_lists_keep_a_fixed_number_of_queries(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    def add(n, start):
        for i in range(start, start + n):
            entity(plan_2018, "江西", f"网点{i}")
            training(plan_2018, "江西", 2, f"培训班{i}")

    add(2, 0)
    hq, unit = as_user(hq_reviewer), as_user(jiangxi_staff)
    urls = ["/api/v1/service-network/?year=2018", "/api/v1/trainings/?year=2018"]
    small = [_queries(c, u) for c in (hq, unit) for u in urls]
    add(18, 2)
    large = [_queries(c, u) for c in (hq, unit) for u in urls]
    assert [n for n, _count in small] == [n for n, _count in large]
    assert all(count == 20 for _n, count in large)
    assert max(n for n, _count in large) <= 8
