"""Absolute links in mails and feeds: ``SITE_URL`` when set, else the request's own host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

FALLBACK = "http://127.0.0.1:8000"  # a mail sent with no request and no SITE_URL (development)


def site_url(request: HttpRequest | None = None) -> str:
    """The site's root URL without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return FALLBACK
