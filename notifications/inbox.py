"""In-app notifications (站内通知): created by the same service functions that change state.

``notify()`` stores one row per user, untranslated: a message (a ``gettext_noop`` sentence
with ``%(name)s`` placeholders) and its parameters, rendered in the reader's language when
read (the page's language; the recipient's ``User.language`` for mail)::

    notify(users, "decision", gettext_noop("项目“%(a)s”未立项：%(r)s"),
           params={"a": app.applicant, "r": reason}, link=app.get_absolute_url())

A parameter that is itself translatable is passed untranslated: a lazy string
(``gettext_lazy``) or a choice (``Registration.State.CONFIRMED``) is stored as its source
text, :func:`choice` stores a model field's value and shows its label. Users who chose immediate mail get it right after the
transaction commits (a Celery task); users who chose the daily digest get one mail a day
with everything not mailed yet. A notification is mailed once: the rows are locked
(``SKIP LOCKED``) and marked in the same transaction as the mail is sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.models import Role, User

from .links import site_url
from .models import Notification


def source(text: str | Promise) -> str:
    """The untranslated source of a lazy string (a plain string is taken as its own)."""
    with translation.override(None):
        return str(text)


def choice(model: type[models.Model] | models.Model, field: str, value: Any) -> dict:
    """A parameter shown as the label of ``model.field``'s choice ``value`` when read."""
    return {"choice": f"{model._meta.label_lower}.{field}", "value": value}


def _stored(value: Any) -> Any:
    """A parameter as JSON, untranslated."""
    if isinstance(value, models.Choices):
        return {"msgid": source(value.label)}
    if isinstance(value, Promise):
        return {"msgid": source(value)}
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)


def notify(
    users: Iterable,
    kind: str,
    message: str | Promise,
    *,
    params: dict[str, Any] | None = None,
    link: str = "",
    already_mailed: bool = False,
) -> list[Notification]:
    """Store a notification for each user; ``already_mailed`` for reminders sent by mail.

    ``message`` is the untranslated sentence (``gettext_noop``), ``params`` its values.
    """
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return []
    now = timezone.now()
    msgid = source(message)
    stored = {key: _stored(v) for key, v in (params or {}).items()}
    rows = Notification.objects.bulk_create(
        Notification(
            user=u,
            kind=kind,
            msgid=msgid,
            params=stored,
            link=link,
            emailed_at=now if already_mailed else None,
        )
        for u in users
    )
    if already_mailed:
        return rows
    immediate = [u.pk for u in users if u.notify_by == "immediate" and u.email]
    if immediate:
        transaction.on_commit(lambda: [mail_notifications.delay(pk) for pk in immediate])
    return rows


def notify_mailed(items: Iterable[tuple[Iterable, str, str | Promise, dict | None, str]]) -> int:
    """Many notifications already sent by mail, in one insert: ``(users, kind, message,
    params, link)`` per item, as :func:`notify` with ``already_mailed``. Returns how many."""
    now = timezone.now()
    rows = [
        Notification(
            user=u,
            kind=kind,
            msgid=source(message),
            params={key: _stored(v) for key, v in (params or {}).items()},
            link=link,
            emailed_at=now,
        )
        for users, kind, message, params, link in items
        for u in users
        if u is not None and u.is_active
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def province_staff(province_id: int):
    return User.objects.filter(role=Role.PROVINCE_STAFF, province_id=province_id, is_active=True)


def notify_province(
    province_id: int,
    kind: str,
    message: str | Promise,
    *,
    params: dict[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Notify a unit's staff (arguments as :func:`notify`)."""
    return notify(province_staff(province_id), kind, message, params=params, link=link)


def mail_pending(user) -> int:
    """Mail what this user has not been mailed yet, as one message, in the user's language.

    Returns how many items."""
    if not user.email:
        return 0
    with transaction.atomic(), translation.override(user.language):
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user=user, emailed_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        context = {
            "user": user,
            "items": pending,
            "site": site_url(),
            "url": site_url() + "/notifications/",
        }
        subject = " ".join(render_to_string("emails/notifications/subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject,
            render_to_string("emails/notifications/body.txt", context),
            to=[user.email],
        )
        message.attach_alternative(
            render_to_string("emails/notifications/body.html", context), "text/html"
        )
        message.send()  # a transport failure rolls back: the rows stay pending for a retry
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    return len(pending)


@shared_task(
    name="notifications.mail_notifications",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def mail_notifications(user_id: int) -> int:
    """Mail one user's new notifications now (users who chose immediate mail)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return mail_pending(user) if user else 0


def send_daily_digests() -> int:
    """One mail per user who chose the digest (and a retry for anyone whose mail failed)."""
    users = (
        User.objects.filter(is_active=True, notifications__emailed_at__isnull=True)
        .exclude(email="")
        .distinct()
    )
    return sum(1 for u in users if mail_pending(u))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
