"""Yes/no list filters are strict: ``?western=maybe`` answers 400, as ``year=0.5`` does."""

from __future__ import annotations

import django_filters
import pytest
from django_filters.rest_framework import DjangoFilterBackend

from config.api import BooleanFilter
from provinces.models import Province
from tests.conftest import client_for
from tests.test_api_schema import _list_routes, _viewsets

pytestmark = pytest.mark.django_db

BOOLEAN_FILTERS = [
    ("province-list", "western"),
    ("assignment-list", "taken_up"),
    ("task-list", "all_units"),
    ("registration-list", "is_late"),
    ("summary-list", "is_late"),
    ("task-report-submission-list", "is_late"),
    ("case-list", "selected_for_digest"),
    ("case-list", "selected_for_publication"),
    ("training-list", "by_hq"),
    ("notification-list", "unread"),
]


def _filterset(viewset):
    view = viewset()
    view.request = None
    view.format_kwarg = None
    queryset = viewset.base_queryset.all() if viewset.base_queryset is not None else None
    return DjangoFilterBackend().get_filterset_class(view, queryset)


def test_every_yes_no_filter_of_the_api_is_strict_and_listed_here():
    found = []
    for viewset in _viewsets():
        filterset = _filterset(viewset) if getattr(viewset, "base_queryset", None) else None
        for name, declared in filterset.base_filters.items() if filterset else []:
            if isinstance(declared, django_filters.BooleanFilter):
                assert isinstance(declared, BooleanFilter), (viewset, name)
                found.append(name)
    assert sorted(found) == sorted(field for _route, field in BOOLEAN_FILTERS)


@pytest.mark.parametrize(("name", "field"), BOOLEAN_FILTERS)
@pytest.mark.parametrize("value", ["maybe", "2", "真"])
def test_a_bad_yes_no_value_answers_400_with_a_message(name, field, value, plan_2018, hq_reviewer):
    path = _list_routes()[name]
    response = client_for(hq_reviewer).get(path, {field: value})
    assert response.status_code == 400, response.content
    assert "请填写 true 或 false" in response.json()[field][0]


def test_good_yes_no_values_still_filter(plan_2018, hq_reviewer):
    client = client_for(hq_reviewer)
    western, every = Province.objects.filter(western=True).count(), Province.objects.count()
    assert 0 < western < every
    for value, expected in (("true", western), ("1", western), ("False", every - western)):
        response = client.get("/api/v1/provinces/", {"western": value})
        assert response.status_code == 200
        assert response.json()["count"] == expected, value
    assert client.get("/api/v1/provinces/", {"western": ""}).json()["count"] == every
