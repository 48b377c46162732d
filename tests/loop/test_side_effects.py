"""A state change, its history and its notification are one transaction; mail goes on commit."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError

from notifications.models import Notification
from provinces import services
from provinces.models import Registration
from workflow.models import TransitionLog


def test_a_failing_notification_undoes_the_decision(submitted, hq_reviewer):
    """Before, the confirm was saved while the request answered 500 (`database is locked`)."""
    logs = TransitionLog.objects.count()
    with mock.patch("provinces.services.notify_province", side_effect=DatabaseError("locked")):
        with pytest.raises(DatabaseError):
            services.confirm_registration(submitted, hq_reviewer)
    assert Registration.objects.get(pk=submitted.pk).state == Registration.State.SUBMITTED
    assert TransitionLog.objects.count() == logs


def test_the_decision_and_its_notification_land_together(
    submitted, hq_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.return_registration(submitted, hq_reviewer, "请补充进度安排")
    assert Registration.objects.get(pk=submitted.pk).state == Registration.State.RETURNED
    assert Notification.objects.filter(kind="returned").exists()
    assert callbacks, "mail is queued for after the commit, not sent inside the transaction"
