"""Calendar event links use the request's host, unless SITE_URL names the site."""

from __future__ import annotations

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.django_db


def event_urls(client, user, **extra) -> list[str]:
    client.force_login(user)
    client.get("/notifications/")  # the inbox page gives the user a calendar token
    user.refresh_from_db()
    client.logout()
    response = client.get(f"/notifications/calendar/{user.calendar_token}.ics", **extra)
    assert response.status_code == 200
    return [str(e["url"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


def test_links_use_the_requests_host_without_site_url(client, settings, plan_2018, jiangxi_staff):
    settings.SITE_URL = ""
    urls = event_urls(client, jiangxi_staff, HTTP_HOST="workplan.intranet.cn")
    assert urls and all(u.startswith("http://workplan.intranet.cn/") for u in urls)
    assert "http://workplan.intranet.cn/provinces/todo/" in urls
    assert not any("127.0.0.1" in u for u in urls)


def test_site_url_wins_over_the_requests_host(client, settings, plan_2018, jiangxi_staff):
    settings.SITE_URL = "https://workplan.example.cn"
    urls = event_urls(client, jiangxi_staff, HTTP_HOST="workplan.intranet.cn")
    assert urls and all(u.startswith("https://workplan.example.cn/") for u in urls)


def test_hq_calendar_links_follow_the_host_too(client, settings, plan_2018, hq_reviewer):
    settings.SITE_URL = ""
    urls = event_urls(client, hq_reviewer, HTTP_HOST="hq.intranet.cn")
    assert urls and all(u.startswith("http://hq.intranet.cn/") for u in urls)
