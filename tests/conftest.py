"""The cast of the programme, as fixtures: the real 2018 plan and a person per role."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.signals import task_postrun
from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.plugin import blocking_manager_key

from accounts.models import Role, User
from funding.data import ensure_categories
from funding.models import SpendingCategory
from planning.models import Plan
from provinces.data import UNITS, ensure_units
from provinces.models import Province
from provinces.plans import import_plan

SEED_NOTICE = Path(__file__).resolve().parent.parent / "planning" / "seed" / "2018-work-plan.txt"
DEMO_BASES = {"key": ["北京", "江苏"], "basic": ["天津", "浙江", "山东"]}


def bases(names_by_level: dict[str, list[str]] = DEMO_BASES) -> dict[str, str]:
    """{level: [short names]} as province code → level, the shape the importer takes."""
    return {
        code: level
        for level, names in names_by_level.items()
        for code in Province.objects.filter(short_name__in=names).values_list("code", flat=True)
    }


def set_eager(app, eager: bool) -> None:
    """The app reads Django settings under the CELERY_ namespace: the namespaced key wins.

    (Setting ``app.conf.task_always_eager`` has no effect on such an app.)
    """
    app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    assert app.conf.task_always_eager is eager


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        fixtures & {"transactional_db", "live_server"}
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush, which empties the tables the data migrations
    filled (the 32 units, the spending categories): put them back for the tests that run
    after it in this process, whatever order pytest-xdist gives them."""
    result = yield
    if nextitem is not None and _is_transactional(item):  # (after the last, the test DB is gone)
        with item.config.stash[blocking_manager_key].unblock():
            _units_in_place()
    return result


def pytest_collection_modifyitems(items):
    """Under pytest-xdist, every test that runs a real Celery worker on the shared Redis
    broker goes to one process, one at a time: a worker never takes another process's task
    (whose rows live in that process's test database)."""
    for item in items:
        if "real_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("celery-worker"))


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process unless a test starts a real worker (see test_celery_worker)."""
    from config.celery import app

    set_eager(app, True)
    yield
    set_eager(app, True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """The page cache (workflow/pagecache.py) serves every test that commits, as it does in
    production: the suite is one process, whose own cache is the shared one. (Inside a
    test's transaction no page is kept.)"""
    settings.PAGE_CACHE = True


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploads go to a fresh temporary folder per test, never into var/media."""
    media = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": None},
        },
    }


@pytest.fixture
def notice_text() -> str:
    return SEED_NOTICE.read_text(encoding="utf-8")


def _units_in_place() -> None:
    """Transactional tests flush the rows the data migrations made: put them back."""
    if Province.objects.count() != len(UNITS):
        ensure_units(Province)
    if not SpendingCategory.objects.exists():
        ensure_categories(SpendingCategory)


INSERT_RE = re.compile(r'^INSERT INTO "([^"]+)"')


@pytest.fixture(scope="session")
def plan_2018_rows(django_db_setup, django_db_blocker) -> tuple[dict[int, str], list]:
    """The 2018 notice parsed and saved once per run; the rows the import wrote, kept.

    The import runs for real (``import_plan``) in a transaction that is then rolled back;
    every table it inserted into is read back, in the order of its first INSERT (parents
    before children). Each test's ``plan_2018`` writes these rows with a few bulk INSERTs
    instead of re-running the import's ~500 queries. The rolled-back INSERTs already took
    the primary keys from the sequences, so no later row can collide with them.
    """
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    with django_db_blocker.unblock(), transaction.atomic():
        _units_in_place()
        with CaptureQueriesContext(connection) as queries:
            import_plan(SEED_NOTICE.read_text(encoding="utf-8"), bases=bases())
        models: list[type[Model]] = []
        for query in queries.captured_queries:
            match = INSERT_RE.match(query["sql"])
            if match and by_table[match[1]] not in models:
                models.append(by_table[match[1]])
        rows = [(model, list(model._default_manager.values())) for model in models]
        province_codes = dict(Province.objects.values_list("pk", "code"))
        transaction.set_rollback(True)
    for model, _ in rows:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target not in models and target is not Province:
                pytest.fail(f"plan_2018_rows cannot copy {model.__name__}.{field.name}")
    return province_codes, rows


@pytest.fixture
def plan_2018(db, plan_2018_rows) -> Plan:
    """The real 2018 plan, loaded from the real notice text, with some provinces as bases."""
    province_codes, rows = plan_2018_rows
    _units_in_place()
    # Transactional tests re-create the units after their flush, under new primary keys.
    pk_by_code = dict(Province.objects.values_list("code", "pk"))
    province_pk = {old: pk_by_code[code] for old, code in province_codes.items()}
    with transaction.atomic():
        for model, values in rows:
            to_province = [
                f.attname for f in model._meta.concrete_fields if f.related_model is Province
            ]
            objs = []
            for row in values:
                obj = model(**row)
                for attname in to_province:
                    if getattr(obj, attname) is not None:
                        setattr(obj, attname, province_pk[getattr(obj, attname)])
                objs.append(obj)
            model._default_manager.bulk_create(objs)
    plan = Plan.objects.get(year=2018)
    plan.publish(None)  # the importer makes a draft; the tests' 2018 is the published year
    return plan


def province(short_name: str) -> Province:
    return Province.objects.get(short_name=short_name)


def make_user(username: str, role: str, province_short: str | None = None) -> User:
    return User.objects.create_user(
        username=username,
        password="pw-for-tests-only",
        role=role,
        province=province(province_short) if province_short else None,
        email=f"{username}@example.cn",
        last_name=username,
    )


@pytest.fixture
def jiangxi(db) -> Province:
    return province("江西")


@pytest.fixture
def henan(db) -> Province:
    return province("河南")


@pytest.fixture
def jiangxi_staff(db) -> User:
    return make_user("jiangxi_staff", Role.PROVINCE_STAFF, "江西")


@pytest.fixture
def henan_staff(db) -> User:
    return make_user("henan_staff", Role.PROVINCE_STAFF, "河南")


@pytest.fixture
def guizhou_staff(db) -> User:
    return make_user("guizhou_staff", Role.PROVINCE_STAFF, "贵州")


@pytest.fixture
def hq_reviewer(db) -> User:
    return make_user("hq_reviewer", Role.HQ_REVIEWER)


@pytest.fixture
def hq_reviewer_2(db) -> User:
    return make_user("hq_reviewer_2", Role.HQ_REVIEWER)


@pytest.fixture
def expert(db) -> User:
    """An expert from 北京: may not review applications from 北京."""
    return make_user("expert", Role.EXPERT, "北京")


@pytest.fixture
def administrator(db) -> User:
    user = make_user("administrator", Role.ADMINISTRATOR)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def as_user():
    """``as_user(jiangxi_staff).get(url)``: a logged-in test client."""
    return client_for


@contextmanager
def worker_thread():
    """A Celery worker thread consuming the real Redis broker. It runs tasks in its own
    thread; that thread's database connection is closed after each task, so that none is
    left open on the test database when it is dropped."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task the worker expects)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    def close_connections(**kwargs):
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)


@pytest.fixture
def real_worker(settings):
    """A Celery worker thread consuming the real Redis broker (transactional tests only)."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("the test suite must run against Redis: set CELERY_BROKER_URL")
    from config.celery import app

    set_eager(app, False)
    try:
        with worker_thread() as worker:
            yield worker
    finally:
        set_eager(app, True)
