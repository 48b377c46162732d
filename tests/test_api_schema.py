"""The API schema says what the API does: 409 where a transition can be refused, the
servers, who may read it; and every list filter refuses a value it cannot use (400)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.permissions import SAFE_METHODS

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = client_for(None).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method.upper(), path, operation


def test_409_is_documented_only_on_writes_that_can_refuse(schema):
    with_409 = {(m, p) for m, p, op in operations(schema) if "409" in op["responses"]}
    assert with_409, "the refusable actions document 409"
    assert all(method not in SAFE_METHODS for method, _path in with_409)
    assert ("POST", "/api/v1/applications/{id}/approve/") in with_409
    assert ("POST", "/api/v1/calls/{id}/decide/") in with_409
    assert ("POST", "/api/v1/registrations/{id}/confirm/") in with_409
    assert ("PATCH", "/api/v1/applications/{id}/") in with_409  # a submitted one is refused
    assert ("PUT", "/api/v1/registrations/{id}/") in with_409  # save_draft refuses
    assert ("PATCH", "/api/v1/cases/{id}/") in with_409
    assert ("POST", "/api/v1/summaries/{id}/return/") in with_409
    assert ("POST", "/api/v1/extension-requests/") in with_409  # the service refuses
    assert ("POST", "/api/v1/notifications/read-all/") not in with_409
    # writes that change no state, and reads, cannot be refused a transition
    for method, path in [
        ("GET", "/api/v1/applications/"),
        ("GET", "/api/v1/applications/{id}/scores/"),
        ("POST", "/api/v1/auth/token/"),
        ("POST", "/api/v1/ledger-entries/"),
        ("DELETE", "/api/v1/ledger-entries/{id}/"),
    ]:
        assert (method, path) not in with_409
        operation = schema["paths"][path][method.lower()]
        assert {"400", "401", "403", "404"} <= set(operation["responses"])


def test_every_refusable_action_is_an_action_of_its_viewset():
    """A misspelt name in ``refusable`` would silently document nothing."""
    from config.api import VisibleModelViewSet

    for viewset in _viewsets():
        if not issubclass(viewset, VisibleModelViewSet):
            continue
        extra = viewset.get_extra_actions()
        # an action's other methods (``@schedule.mapping.put``) are actions of their own
        actions = {name for a in extra for name in (a.__name__, *a.mapping.values())}
        actions |= {
            a for a in ("create", "update", "partial_update", "destroy") if hasattr(viewset, a)
        }
        assert viewset.refusable <= actions, (viewset, viewset.refusable - actions)


def test_the_schema_names_its_server(schema):
    expected = settings.SITE_URL if "SITE_URL" in os.environ else "/"
    assert schema["servers"] == [{"url": expected}]


def test_schema_and_docs_are_public_and_hold_no_data(plan_2018, jiangxi_staff):
    """Intended: they describe the API's shape only, so anyone may read them (README)."""
    anonymous = client_for(None)
    text = anonymous.get("/api/schema/?format=json").content.decode()
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert plan_2018.title not in text and jiangxi_staff.username not in text
    assert anonymous.get("/api/v1/plans/").status_code == 401  # the data itself is not


def _api_patterns(patterns=None):
    """Every URL pattern under the API's v1 namespace (so a new app's routes are included)."""
    if patterns is None:
        patterns = get_resolver().namespace_dict["v1"][1].url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _api_patterns(p.url_patterns)
        else:
            yield p


def _viewsets():
    return {p.callback.cls for p in _api_patterns() if hasattr(p.callback, "actions")}


def _list_routes() -> dict[str, str]:
    """Every list endpoint of the API: url name → path."""
    return {
        p.name: reverse(f"v1:{p.name}")
        for p in _api_patterns()
        if p.name and p.name.endswith("-list")
    }


# every list endpoint, and a filter of it that takes a whole number or a choice
BAD_FILTERS = {
    "plan-list": ["year=0.5", "year=abc"],
    "task-list": ["year=0.5", "year=abc", "number=1.5"],
    "province-list": ["region=abc"],  # a unit is not per year: its filters are choices
    "assignment-list": ["year=0.5", "year=abc", "task=2.5", "kind=abc"],
    "registration-list": ["year=0.5", "year=abc", "task=x", "state=abc", "submitted_after=x"],
    "contact-list": ["year=0.5", "year=abc", "task=0.5", "role=abc"],
    "ledger-entry-list": ["year=0.5", "year=abc", "task=0.5", "kind=abc", "date_from=x"],
    "call-list": ["year=0.5", "year=abc", "task=0.5", "project_type=abc"],
    "application-list": ["year=0.5", "year=abc", "task=0.5", "state=abc", "call=abc"],
    "review-assignment-list": ["year=0.5", "year=abc", "application=abc"],
    "allocation-list": ["year=0.5", "year=abc", "task=0.5"],
    "payment-list": ["year=0.5", "year=abc", "allocation=abc"],
    "spending-report-list": ["year=0.5", "year=abc", "state=abc"],
    "project-report-list": ["year=0.5", "year=abc", "state=abc", "application=abc"],
    # the year end, deadlines, the inbox and the board (branch apires)
    "case-list": ["year=0.5", "year=abc", "task=0.5", "state=abc", "selected_for_digest=maybe"],
    "summary-list": ["year=0.5", "year=abc", "state=abc", "is_late=maybe"],
    "bulletin-list": ["year=0.5", "year=abc", "state=abc"],
    "deadline-list": ["year=0.5", "year=abc", "task=0.5", "kind=abc"],
    "extension-request-list": ["state=abc"],  # a request is not per plan
    "notification-list": ["unread=maybe", "kind=abc"],  # nor is the inbox
    "board-list": ["year=0.5", "year=abc"],
    "service-network-list": ["year=0.5", "year=abc", "kind=abc", "state=abc"],
    "training-list": ["year=0.5", "year=abc", "task=0.5", "task=abc"],
    "task-report-list": ["year=0.5", "year=abc", "task=0.5"],
    "task-report-submission-list": ["year=0.5", "year=abc", "task=x", "state=abc"],
    "notice-list": ["year=0.5", "year=abc", "task=0.5", "state=abc", "audience=abc"],
}


def test_every_list_endpoint_is_in_the_table():
    assert set(_list_routes()) == set(BAD_FILTERS)


@pytest.mark.parametrize(
    "name,query", [(n, q) for n, queries in BAD_FILTERS.items() for q in queries]
)
def test_a_bad_filter_value_answers_400(name, query, plan_2018, hq_reviewer):
    path = _list_routes()[name]
    client = client_for(hq_reviewer)
    assert client.get(path).status_code == 200
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (path, query, response.content)
    field = query.partition("=")[0]
    assert field in response.json()  # the error names the filter


def test_a_good_year_still_filters(plan_2018, hq_reviewer):
    client = client_for(hq_reviewer)
    assert client.get("/api/v1/plans/?year=2018").json()["count"] == 1
    assert client.get("/api/v1/plans/?year=2019").json()["count"] == 0
    assert client.get("/api/v1/tasks/?year=2018&number=3").json()["count"] == 1
