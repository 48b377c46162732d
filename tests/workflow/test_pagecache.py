"""The page cache (workflow/pagecache.py): a kept page is served until anything is written.

These tests commit (``transaction=True``), as requests in production do: inside a test's
own transaction no page is served from the cache or kept (one test below shows that).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from provinces.models import Assignment, LedgerEntry
from workflow.pagecache import GENERATION_KEY, check_shared_cache

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    ("hq", "/provinces/board/"),
    ("hq", "/provinces/ledger/"),
    ("staff", "/provinces/ledger/"),
    ("staff", "/provinces/todo/"),
    ("hq", "/funding/"),
    ("hq", "/funding/allocations/"),
    ("hq", "/api/v1/ledger-entries/"),
    ("staff", "/api/v1/assignments/"),
    ("hq", "/api/v1/allocations/summary/"),
]
# What a kept page costs: the session (here in the database; with CACHE_URL, read through
# Redis). Neither the user nor anything the page shows is read.
HIT_QUERIES = 1


@pytest.fixture
def cast(plan_2018, hq_reviewer, jiangxi_staff, henan_staff):
    clients = {}
    for name, user in {"hq": hq_reviewer, "staff": jiangxi_staff, "henan": henan_staff}.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    return plan_2018, clients


def get(client: Client, path: str) -> tuple[int, bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, response.content, len(queries)


def warm(client: Client, path: str) -> bytes:
    """The first visit sets the CSRF cookie (not kept); the second is rendered and kept."""
    client.get(path)
    status, content, _ = get(client, path)
    assert status == 200
    return content


def entry(plan, province, description: str) -> LedgerEntry:
    return LedgerEntry.objects.create(
        assignment=Assignment.objects.get(task__plan=plan, task__number=3, province=province),
        date=plan.issue_date + timedelta(days=30),
        kind=LedgerEntry.Kind.choices[0][0],
        description=description,
        responsible_person="李江",
        classes_held=1,
        trainees=120,
    )


def test_every_marked_page_is_served_from_the_cache_until_anything_is_written(cast):
    """One test for all of them: each transactional test pays a flush and the 2018 plan."""
    plan, clients = cast
    for who, path in PAGES:
        client = clients[who]
        rendered = warm(client, path)

        status, content, queries = get(client, path)
        assert (status, queries) == (200, HIT_QUERIES), path
        assert content == rendered, path

        generation = cache.get(GENERATION_KEY)
        LedgerEntry.objects.filter(pk=0).update(description="")  # changes no row: moves it
        assert cache.get(GENERATION_KEY) != generation, path
        status, _, queries = get(client, path)
        assert status == 200 and queries > HIT_QUERIES, path


def test_a_changed_password_signs_the_session_out_instead_of_serving_its_page(cast, hq_reviewer):
    _, clients = cast
    client = clients["hq"]
    warm(client, "/provinces/board/")
    hq_reviewer.set_password("a-new-password-for-tests")
    hq_reviewer.save()
    response = client.get("/provinces/board/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_ledger_shows_every_kind_of_write_at_once(cast, jiangxi):
    plan, clients = cast
    client = clients["staff"]
    path = "/provinces/ledger/"
    warm(client, path)

    made = entry(plan, jiangxi, "第一次培训")  # an ORM insert
    assert "第一次培训" in client.get(path).content.decode()
    warm(client, path)

    LedgerEntry.objects.filter(pk=made.pk).update(description="改过的培训")  # a bulk UPDATE
    assert "改过的培训" in client.get(path).content.decode()
    warm(client, path)

    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET description = %s WHERE id = %s",
            ["直接写库的培训", made.pk],
        )
    assert "直接写库的培训" in client.get(path).content.decode()
    warm(client, path)

    LedgerEntry.objects.filter(pk=made.pk).delete()
    assert "直接写库的培训" not in client.get(path).content.decode()


def test_a_transaction_moves_the_generation_when_it_commits_and_not_before(cast, jiangxi):
    plan, _ = cast
    before = cache.get(GENERATION_KEY)
    with transaction.atomic():
        entry(plan, jiangxi, "事务中的培训")
        entry(plan, jiangxi, "事务中的第二次培训")
        assert cache.get(GENERATION_KEY) == before
        assert len(connection.run_on_commit) == 1  # once per transaction, however many writes
    assert cache.get(GENERATION_KEY) != before

    committed = cache.get(GENERATION_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        entry(plan, jiangxi, "回滚的培训")
        raise RuntimeError
    assert cache.get(GENERATION_KEY) == committed


def test_each_user_is_served_their_own_page(cast, jiangxi, henan):
    plan, clients = cast
    entry(plan, jiangxi, "江西的培训")
    entry(plan, henan, "河南的培训")
    path = "/provinces/ledger/"
    for name in ("hq", "staff", "henan"):
        warm(clients[name], path)
    pages = {name: clients[name].get(path).content.decode() for name in ("hq", "staff", "henan")}
    assert "江西的培训" in pages["hq"] and "河南的培训" in pages["hq"]
    assert "江西的培训" in pages["staff"] and "河南的培训" not in pages["staff"]
    assert "河南的培训" in pages["henan"] and "江西的培训" not in pages["henan"]


def test_the_language_and_the_address_are_part_of_the_key(cast):
    _, clients = cast
    client = clients["hq"]
    warm(client, "/provinces/board/")
    client.cookies["django_language"] = "en"
    status, english, queries = get(client, "/provinces/board/")
    assert status == 200 and queries > HIT_QUERIES and 'lang="en"' in english.decode()
    status, _, queries = get(client, "/provinces/board/?year=2018")
    assert status == 200 and queries > HIT_QUERIES


def test_a_waiting_message_is_shown_not_a_kept_page(cast):
    _, clients = cast
    client = clients["staff"]
    warm(client, "/provinces/todo/")
    storage, response = CookieStorage(HttpRequest()), HttpResponse()
    storage._store([Message(constants.SUCCESS, "台账已保存。")], response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    status, content, queries = get(client, "/provinces/todo/")
    assert status == 200 and queries > HIT_QUERIES
    assert "台账已保存。" in content.decode()


def test_pages_not_marked_and_refusals_are_never_kept(cast):
    _, clients = cast
    inbox = clients["staff"]
    warm(inbox, "/notifications/")
    assert get(inbox, "/notifications/")[2] > HIT_QUERIES
    staff = clients["staff"]
    staff.get("/provinces/board/")  # HQ's board: a unit is answered 404, every time
    status, _, queries = get(staff, "/provinces/board/")
    assert status == 404 and queries > HIT_QUERIES


def test_a_page_that_sets_a_new_cookie_is_not_kept(cast):
    """A visit without the CSRF cookie is given a new one: that page is not kept (it would
    carry a token of a secret the next visitor without a cookie does not get)."""
    _, clients = cast
    client = clients["hq"]
    for _ in range(3):
        client.cookies.pop("csrftoken", None)
        status, _, queries = get(client, "/provinces/board/")
        assert status == 200 and queries > HIT_QUERIES


def test_no_page_is_kept_inside_a_transaction(cast):
    _, clients = cast
    client = clients["hq"]
    with transaction.atomic():
        warm(client, "/provinces/board/")
        assert get(client, "/provinces/board/")[2] > HIT_QUERIES


def test_the_page_cache_can_be_turned_off(cast, settings):
    _, clients = cast
    settings.PAGE_CACHE = False
    client = clients["hq"]
    warm(client, "/provinces/board/")
    assert get(client, "/provinces/board/")[2] > HIT_QUERIES


def test_check_warns_when_the_cache_is_not_shared(settings):
    settings.PAGE_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_shared_cache(None)] == ["workflow.W001"]
    settings.PAGE_CACHE = False
    assert check_shared_cache(None) == []
