"""Production settings pass Django's deploy checks; logins are throttled; a CSP is sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_with_production_settings_has_no_warnings(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "TESTING",
            "SECURE_COOKIES",
            "SECURE_SSL_REDIRECT",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        SECRET_KEY="x" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="workplan.example.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/8",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def manage_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_celery_broker(tmp_path):
    """With DEBUG off and no broker, tasks would run eagerly inside requests: refuse."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "DEBUG", "TESTING", "CELERY_RESULT_BACKEND"}
    }
    base.update(SECRET_KEY="x" * 50, DATABASE_URL=f"sqlite:///{tmp_path / 'b.sqlite3'}")
    refused = manage_check(base)
    assert refused.returncode != 0
    assert "CELERY_BROKER_URL must be set" in refused.stderr
    assert manage_check({**base, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8"}).returncode == 0
    assert manage_check({**base, "DEBUG": "1"}).returncode == 0  # the quick start, eager
    assert manage_check({**base, "TESTING": "1"}).returncode == 0  # the test suite


@pytest.mark.django_db
def test_content_security_policy_is_sent(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_logins_are_throttled_after_repeated_failures(client, settings, jiangxi_staff):
    settings.AXES_ENABLED = True
    from axes.utils import reset

    reset()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "jiangxi_staff", "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"username": "jiangxi_staff", "password": "pw-for-tests-only"}
    )
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    reset()


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_an_idle_session_is_sent_to_log_in_again(client, jiangxi_staff):
    from datetime import timedelta

    import time_machine
    from django.conf import settings
    from django.utils import timezone

    client.post(
        "/accounts/login/", {"username": jiangxi_staff.username, "password": "pw-for-tests-only"}
    )
    assert client.get("/provinces/todo/").status_code == 200
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later):
        response = client.get("/provinces/todo/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "http://evil.example/x",
        "https:/\\evil.example/x",
        "javascript:alert(1)",
        "notifications:inbox",  # a URL name is not a page someone may pass in
    ],
)
def test_marking_read_never_redirects_off_site(client, jiangxi_staff, target):
    client.force_login(jiangxi_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/notifications/read/", {"next": target})
    assert (response.status_code, response["Location"]) == (302, "/notifications/")


@pytest.mark.django_db
def test_marking_read_returns_to_the_page_on_this_site(client, jiangxi_staff):
    client.force_login(jiangxi_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/notifications/read/", {"next": "/provinces/todo/?year=2018"})
    assert response["Location"] == "/provinces/todo/?year=2018"


def token_client(key: str):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.django_db
def test_changing_the_password_ends_the_api_token(client, jiangxi_staff, henan_staff):
    from rest_framework.authtoken.models import Token

    mine = Token.objects.create(user=jiangxi_staff).key
    theirs = Token.objects.create(user=henan_staff).key
    assert token_client(mine).get("/api/v1/registrations/").status_code == 200
    client.force_login(jiangxi_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-for-tests-only",
            "new_password1": "a-new-Passw0rd-2018",
            "new_password2": "a-new-Passw0rd-2018",
        },
    )
    assert response.status_code == 302
    assert token_client(mine).get("/api/v1/registrations/").status_code == 401
    assert token_client(theirs).get("/api/v1/registrations/").status_code == 200
    # However else the password changes (admin, reset, changepassword), the token goes too.
    theirs_again = Token.objects.get(user=henan_staff)
    henan_staff.set_password("another-Passw0rd-2018")
    henan_staff.save()
    assert not Token.objects.filter(pk=theirs_again.pk).exists()
    henan_staff.save(update_fields=["last_login"])  # an ordinary save revokes nothing
    token = Token.objects.create(user=henan_staff)
    henan_staff.save()
    assert Token.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_users_see_rotate_and_revoke_their_own_token(client, jiangxi_staff, henan_staff):
    from rest_framework.authtoken.models import Token

    theirs = Token.objects.create(user=henan_staff).key
    client.force_login(jiangxi_staff, backend="django.contrib.auth.backends.ModelBackend")
    assert "您目前没有 API 令牌" in client.get("/accounts/token/").content.decode()
    assert client.post("/accounts/token/", {"action": "rotate"}).status_code == 302
    first = Token.objects.get(user=jiangxi_staff).key
    page = client.get("/accounts/token/").content.decode()
    assert first in page and theirs not in page
    client.post("/accounts/token/", {"action": "rotate"})
    second = Token.objects.get(user=jiangxi_staff).key
    assert second != first
    assert token_client(first).get("/api/v1/registrations/").status_code == 401
    assert token_client(second).get("/api/v1/registrations/").status_code == 200
    client.post("/accounts/token/", {"action": "revoke"})
    assert token_client(second).get("/api/v1/registrations/").status_code == 401
    assert not Token.objects.filter(user=jiangxi_staff).exists()
    assert Token.objects.filter(key=theirs).exists()  # nobody else's token is touched
