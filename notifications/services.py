"""The reminder sweep: remind before the due date, chase after it, each reminder once.

``sweep()`` is what the periodic Celery task, ``manage.py send_reminders`` and the tests
call. Every reminder is first *claimed* by inserting its ReminderLog row under a unique
constraint (in its own transaction), then mailed, then marked sent. Two sweeps at once,
beat firing twice, or a retried task cannot claim the same reminder twice.

If a worker dies after claiming but before marking the row sent, the row stays
``pending``; a later sweep reclaims pending rows older than ``RECLAIM_AFTER`` with a
conditional UPDATE and sends them. A crash in the instant between the mail server
accepting a message and the row being marked sent could repeat that one mail: we
prefer a rare duplicate to a reminder that silently never goes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User

from .inbox import notify, notify_mailed
from .links import site_url
from .models import ReminderLog, SummaryLog
from .obligations import Owed, Span, all_plans, approved_extensions, everything_owed, owed_under

RECLAIM_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
SUMMARY_DAYS_AHEAD = 7  # HQ's daily summary lists what is due within a week
SUMMARY_ITEMS_PER_PROVINCE = 10  # then "and N more": the mail stays readable at any scale


def offsets() -> list[int]:
    return list(getattr(settings, "REMINDER_OFFSETS", [7, 3, 1, 0]))


def chase_every() -> int:
    return int(getattr(settings, "REMINDER_CHASE_EVERY_DAYS", 3))


def reminder_offset(
    due: date, today: date, custom: tuple[int, ...] | None = None
) -> tuple[str, int] | None:
    """("reminder", days) on the offsets before the due date, ("chase", -days) every N days after.

    ``custom`` is a deadline's own offsets (e.g. 14, 7, 1, 0); without them the defaults apply.
    """
    days = (due - today).days
    if days >= 0:
        return ("reminder", days) if days in (custom or offsets()) else None
    # Chase every N days while overdue, but not forever: an old plan's debts are HQ's call.
    if (
        -days <= int(getattr(settings, "REMINDER_CHASE_MAX_DAYS", 60))
        and (-days) % chase_every() == 0
    ):
        return ("chase", days)
    return None


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped_existing: int = 0
    summary_sent: bool = False


CLAIM_CHUNK = 500  # reminders claimed per INSERT


def _claim_all(candidates: list[tuple[Owed, str, str, int]]) -> list[ReminderLog]:
    """Claim many reminders at once: ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` per
    chunk, under the unique constraint. The rows it returns are this sweep's and no other's
    (a reminder claimed before, or by a sweep running beside this one, returns nothing):
    exactly once, in a fixed number of queries however many are due."""
    now = timezone.now()
    rows: dict[tuple, tuple] = {}
    for owed, recipient, kind, offset in candidates:
        key = (owed.key, owed.province.pk, recipient, offset, kind)
        rows.setdefault(
            key,
            (
                *key,
                owed.what[:300],
                owed.due,
                owed.link,
                ReminderLog.State.PENDING,
                0,
                "",
                now,
                now,
            ),
        )
    table = ReminderLog._meta.db_table
    qn = connection.ops.quote_name
    columns = ", ".join(
        qn(c)
        for c in (
            "deadline_key",
            "province_id",
            "recipient",
            "offset",
            "kind",
            "what",
            "due_date",
            "link",
            "state",
            "attempts",
            "error",
            "created_at",
            "claimed_at",
        )
    )
    values = list(rows.values())
    claimed: list[int] = []
    with connection.cursor() as cursor:
        for i in range(0, len(values), CLAIM_CHUNK):
            chunk = values[i : i + CLAIM_CHUNK]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * 13) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {qn(table)} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT DO NOTHING RETURNING {qn('id')}",
                [v for row in chunk for v in row],
            )
            claimed.extend(pk for (pk,) in cursor.fetchall())
    logs = []
    for i in range(0, len(claimed), 5000):
        logs.extend(
            ReminderLog.objects.filter(pk__in=claimed[i : i + 5000])
            .select_related("province")
            .order_by("pk")
        )
    return logs


def _mail(log: ReminderLog) -> None:
    """Mail one claimed reminder (raises whatever the transport raises)."""
    context = {
        "log": log,
        "province": log.province,
        "url": site_url() + log.link,
        "days": log.offset,
        "overdue_days": -log.offset if log.offset < 0 else 0,
    }
    subject = render_to_string("emails/reminder/subject.txt", context).strip()
    body = render_to_string("emails/reminder/body.txt", context)
    html = render_to_string("emails/reminder/body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[log.recipient])
    message.attach_alternative(html, "text/html")
    message.send()


def _deliver_all(logs: list[ReminderLog]) -> tuple[int, int]:
    """Mail claimed reminders; mark the sent ones sent (one UPDATE) and copy them to the
    inbox (one insert); a failed one stays pending for a retry. Returns (sent, failed)."""
    sent: list[ReminderLog] = []
    failed = 0
    for log in logs:
        try:
            _mail(log)
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
            ReminderLog.objects.filter(pk=log.pk).update(
                attempts=F("attempts") + 1,
                error=str(exc)[:2000],
                state=ReminderLog.State.PENDING,
            )
            failed += 1
        else:
            sent.append(log)
    if sent:
        ReminderLog.objects.filter(pk__in=[log.pk for log in sent]).update(
            state=ReminderLog.State.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            error="",
        )
        _copy_to_inbox(sent)
    return len(sent), failed


def _copy_to_inbox(logs: list[ReminderLog]) -> None:
    """The reminders also appear in their recipients' notifications, if they have an
    account: the mail's subject (emails/reminder/subject.txt), as a message read in each
    reader's language. One read of the accounts and one insert for all of them."""
    users: dict[str, list[User]] = {}
    for user in User.objects.annotate(address=Lower("email")).filter(
        address__in={log.recipient.lower() for log in logs}, is_active=True
    ):
        users.setdefault(user.address, []).append(user)
    items = []
    for log in logs:
        if log.kind != ReminderLog.Kind.REMINDER:
            message, params = gettext_noop("【催办】%(what)s"), {"what": log.what}
        elif log.offset == 0:
            message, params = gettext_noop("【今日截止】%(what)s"), {"what": log.what}
        else:
            message = gettext_noop("【%(days)s 天后截止】%(what)s")
            params = {"what": log.what, "days": log.offset}
        items.append((users.get(log.recipient.lower(), []), "reminder", message, params, log.link))
    notify_mailed(items)


def _reclaim_pending(now) -> list[ReminderLog]:
    """Pending rows whose worker died or whose mail failed: claim them again, one sweep each."""
    reclaimed = []
    stale = ReminderLog.objects.filter(
        state=ReminderLog.State.PENDING,
        claimed_at__lt=now - RECLAIM_AFTER,
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", "claimed_at")
    for pk, claimed_at in stale:
        won = ReminderLog.objects.filter(pk=pk, state="pending", claimed_at=claimed_at).update(
            claimed_at=now
        )
        if won:
            reclaimed.append(ReminderLog.objects.select_related("province").get(pk=pk))
    ReminderLog.objects.filter(state="pending", attempts__gte=MAX_ATTEMPTS).update(
        state=ReminderLog.State.FAILED
    )
    return reclaimed


def firing_dates(today: date) -> frozenset[date]:
    """The due dates on which a reminder or chaser with the default offsets falls today
    (what :func:`reminder_offset` says of an item without offsets of its own)."""
    chase_max = int(getattr(settings, "REMINDER_CHASE_MAX_DAYS", 60))
    before = {today + timedelta(days=days) for days in offsets() if days >= 0}
    after = {
        today - timedelta(days=days) for days in range(chase_every(), chase_max + 1, chase_every())
    }
    return frozenset(before | after)


def sweep_span(today: date, approved: dict) -> Span:
    """What the sweep needs today: what can fire, and HQ's summary's first items and counts.

    Nothing due later than the farthest default offset (or the summary's week) can matter
    today, except a deadline whose own reminder days fall today (``Span.needs``)."""
    return Span(
        due_by=today + timedelta(days=max([*offsets(), SUMMARY_DAYS_AHEAD])),
        today=today,
        soon_until=today + timedelta(days=SUMMARY_DAYS_AHEAD),
        first=SUMMARY_ITEMS_PER_PROVINCE,
        fires=firing_dates(today),
        extended=frozenset(key for key, _unit in approved),
    )


def sweep(today: date | None = None) -> SweepResult:
    """Send today's reminders and chasers, and HQ's daily summary. Safe to run at any time.

    Every source is asked once for all published plans, for what can matter today only
    (:func:`sweep_span`): the queries do not grow with the plans or the rows."""
    today = today or timezone.localdate()
    result = SweepResult()
    result.sent += _deliver_all(_reclaim_pending(timezone.now()))[0]
    approved = approved_extensions()
    owed_all = owed_under(all_plans(), sweep_span(today, approved), approved)
    candidates = []
    for owed in owed_all:
        step = reminder_offset(owed.due, today, owed.offsets)
        if step is None:
            continue
        kind, offset = step
        candidates.extend((owed, recipient, kind, offset) for recipient in owed.recipients)
    logs = _claim_all(candidates) if candidates else []
    result.claimed = len(logs)
    result.skipped_existing = len(candidates) - len(logs)
    sent, failed = _deliver_all(logs)
    result.sent += sent
    result.failed = failed
    result.summary_sent = send_hq_summary(today, owed_all)
    return result


def send_hq_summary(today: date, owed_all: list[Owed]) -> bool:
    """One mail per day to HQ: what is due within 7 days and what is overdue, by province.

    ``owed_all`` may be read in summary form (see :class:`Span`): the counts add up each
    item's ``tally``, and each province lists its first few items."""
    due_soon = [o for o in owed_all if 0 <= (o.due - today).days <= SUMMARY_DAYS_AHEAD]
    overdue = [o for o in owed_all if o.due < today]
    due_soon_count = sum(o.tally for o in due_soon)
    overdue_count = sum(o.tally for o in overdue)
    if not due_soon_count and not overdue_count:
        return False
    recipients = list(
        User.objects.filter(role=Role.HQ_REVIEWER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SummaryLog.objects.create(
                day=today,
                recipients=len(recipients),
                due_soon=due_soon_count,
                overdue=overdue_count,
            )
    except IntegrityError:
        return False  # today's summary has gone out already

    def by_province(items):
        """Province → the first few items by due date and how many more (the board has all)."""
        grouped: dict[str, list[Owed]] = {}
        for o in sorted(items, key=lambda o: (o.province.sort_order, o.due)):
            grouped.setdefault(o.province.short_name, []).append(o)
        return {
            name: {
                "shown": owed[:SUMMARY_ITEMS_PER_PROVINCE],
                "more": max(0, sum(o.tally for o in owed) - SUMMARY_ITEMS_PER_PROVINCE),
            }
            for name, owed in grouped.items()
        }

    context = {
        "today": today,
        "due_soon": by_province(due_soon),
        "overdue": by_province(overdue),
        "due_soon_count": due_soon_count,
        "overdue_count": overdue_count,
        "url": site_url() + "/provinces/board/",
    }
    message = EmailMultiAlternatives(
        render_to_string("emails/hq_summary/subject.txt", context).strip(),
        render_to_string("emails/hq_summary/body.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("emails/hq_summary/body.html", context), "text/html"
    )
    try:
        message.send()
    except Exception:
        # Give the day's claim back, so that the retried task (or the next sweep) sends it.
        SummaryLog.objects.filter(day=today).delete()
        raise
    return True


CHASE_PREVIEW_ITEMS = 20  # items shown per unit in the preview; the mail lists them all


@dataclass
class UnitChase:
    """One unit's 催办: who receives the one message and everything overdue it lists."""

    province: Any
    items: list[Owed]
    recipients: list[str]
    chased_today: bool = False

    @property
    def groups(self) -> list[tuple[date, list[Owed]]]:
        """The items by due date, oldest first (the message reads as a list of deadlines)."""
        grouped: dict[date, list[Owed]] = {}
        for owed in self.items:
            grouped.setdefault(owed.due, []).append(owed)
        return sorted(grouped.items())

    @property
    def shown(self) -> list[Owed]:
        return self.items[:CHASE_PREVIEW_ITEMS]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - CHASE_PREVIEW_ITEMS)

    @property
    def can_send(self) -> bool:
        return bool(self.recipients) and not self.chased_today


@dataclass
class ChaseResult:
    chased: list[UnitChase] = field(default_factory=list)
    no_recipients: list[UnitChase] = field(default_factory=list)
    already: list[UnitChase] = field(default_factory=list)


def _chase_key(plan) -> str:
    return f"chase:{plan.year}"


def _day_key(today: date) -> int:
    return int(today.strftime("%Y%m%d"))


def chase_preview(
    plan, today: date | None = None, *, province=None, task: int | None = None
) -> list[UnitChase]:
    """Who a 催办 would reach: per unit, everything it has overdue in ``plan``.

    ``province`` chases one unit; ``task`` chases the units overdue on that task (their
    message still lists everything they owe: one message a unit, not one per task).
    """
    today = today or timezone.localdate()
    overdue = [o for o in everything_owed(plan) if o.due < today]
    if province is not None:
        overdue = [o for o in overdue if o.province.pk == province.pk]
    by_unit: dict[int, list[Owed]] = {}
    for owed in overdue:
        by_unit.setdefault(owed.province.pk, []).append(owed)
    if task is not None:
        late_on_task = {o.province.pk for o in overdue if task in o.tasks}
        by_unit = {pk: items for pk, items in by_unit.items() if pk in late_on_task}
    chased = set(
        ReminderLog.objects.filter(
            kind=ReminderLog.Kind.MANUAL,
            deadline_key=_chase_key(plan),
            offset=_day_key(today),
            province_id__in=list(by_unit),
        ).values_list("province_id", flat=True)
    )
    units = []
    for pk, items in by_unit.items():
        items.sort(key=lambda o: (o.due, o.what))
        recipients = sorted({r for o in items for r in o.recipients})
        units.append(UnitChase(items[0].province, items, recipients, pk in chased))
    return sorted(units, key=lambda u: (u.province.sort_order, u.province.pk))


def _chase_summary(unit: UnitChase) -> str:
    return _("逾期未报送事项 %(n)d 项：%(items)s") % {
        "n": len(unit.items),
        "items": "；".join(o.what for o in unit.items),
    }


def _claim_unit(unit: UnitChase, plan, by, today: date) -> list[ReminderLog] | None:
    """Claim today's 催办 of one unit: one log row per recipient, all or none."""
    what = _chase_summary(unit)[:300]
    try:
        with transaction.atomic():
            return ReminderLog.objects.bulk_create(
                ReminderLog(
                    deadline_key=_chase_key(plan),
                    province=unit.province,
                    recipient=recipient,
                    offset=_day_key(today),
                    kind=ReminderLog.Kind.MANUAL,
                    what=what,
                    due_date=unit.items[0].due,
                    link=unit.items[0].link,
                    requested_by=by,
                )
                for recipient in unit.recipients
            )
    except IntegrityError:
        return None


def _chase_context(unit: UnitChase, today: date) -> dict:
    return {
        "province": unit.province,
        "groups": [
            (due, (today - due).days, [(o, site_url() + o.link) for o in items])
            for due, items in unit.groups
        ],
        "count": len(unit.items),
        "url": site_url() + unit.items[0].link,
    }


def _send_chase(log_pks: list[int], recipients: list[str], context: dict) -> None:
    """Mail a unit's one 催办 message (after the claim has committed); mark its rows sent."""
    message = EmailMultiAlternatives(
        render_to_string("emails/chase/subject.txt", context).strip(),
        render_to_string("emails/chase/body.txt", context),
        to=recipients,
    )
    message.attach_alternative(render_to_string("emails/chase/body.html", context), "text/html")
    rows = ReminderLog.objects.filter(pk__in=log_pks)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - left pending: the next sweep retries each row
        rows.update(attempts=F("attempts") + 1, error=str(exc)[:2000])
        return
    rows.update(
        state=ReminderLog.State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )


def chase(
    plan, by, today: date | None = None, *, province=None, task: int | None = None
) -> ChaseResult:
    """HQ's confirmed 催办: one message per unit listing all it owes, once per unit a day.

    The claims and the in-app copies are written in one transaction; the mails go out
    when it commits. A unit without recipients, or already chased today, is reported so.
    """
    today = today or timezone.localdate()
    result = ChaseResult()
    with transaction.atomic():
        for unit in chase_preview(plan, today, province=province, task=task):
            if not unit.recipients:
                result.no_recipients.append(unit)
                continue
            logs = None if unit.chased_today else _claim_unit(unit, plan, by, today)
            if logs is None:
                unit.chased_today = True
                result.already.append(unit)
                continue
            context = _chase_context(unit, today)
            notify(
                User.objects.filter(email__in=unit.recipients, is_active=True),
                "reminder",
                gettext_noop("【催办】%(count)s 项事项逾期未报送"),
                params={"count": len(unit.items)},
                link=unit.items[0].link,
                already_mailed=True,
            )
            transaction.on_commit(
                partial(_send_chase, [log.pk for log in logs], unit.recipients, context)
            )
            result.chased.append(unit)
    return result
