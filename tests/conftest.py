"""The cast of the programme, as fixtures: the real 2018 plan and a person per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from accounts.models import Role, User
from provinces.models import Province

SEED_NOTICE = Path(__file__).resolve().parent.parent / "planning" / "seed" / "2018-work-plan.txt"
DEMO_BASES = {"key": ["北京", "江苏"], "basic": ["天津", "浙江", "山东"]}


def set_eager(app, eager: bool) -> None:
    """The app reads Django settings under the CELERY_ namespace: the namespaced key wins.

    (Setting ``app.conf.task_always_eager`` has no effect on such an app.)
    """
    app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    assert app.conf.task_always_eager is eager


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process unless a test starts a real worker (see test_celery_worker)."""
    from config.celery import app

    set_eager(app, True)
    yield
    set_eager(app, True)


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture
def notice_text() -> str:
    return SEED_NOTICE.read_text(encoding="utf-8")


@pytest.fixture
def plan_2018(db, notice_text):
    """The real 2018 plan, loaded from the real notice text, with some provinces as bases."""
    from planning.services import import_plan
    from provinces.data import ensure_units

    ensure_units(Province)  # transactional tests flush the rows the data migration made
    for level, names in DEMO_BASES.items():
        Province.objects.filter(short_name__in=names).update(base_level=level)
    return import_plan(notice_text).plan


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


@pytest.fixture
def real_worker(settings):
    """A Celery worker thread consuming the real Redis broker (transactional tests only)."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("the test suite must run against Redis: set CELERY_BROKER_URL")
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task the worker expects)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    set_eager(app, False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        set_eager(app, True)
