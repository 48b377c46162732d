"""The one rule of visibility, behind every model's ``visible_to``.

It reads only the user's role and unit, so it lives beside the roles: every app,
notifications included, can scope a queryset without knowing the domain apps.
"""

from __future__ import annotations

from django.db import models


def scoped(qs: models.QuerySet, user, province_path: str) -> models.QuerySet:
    """HQ sees all, staff their province, others nothing.

    Every ``visible_to`` in the project ends here, so pages, API, exports and
    reports cannot disagree about who sees what.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_hq:
        return qs
    if user.is_province_staff and user.province_id:
        return qs.filter(**{province_path: user.province_id})
    return qs.none()
