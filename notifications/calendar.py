"""A private iCalendar feed per user: the deadlines that concern them, for Outlook and phones."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .links import site_url
from .obligations import calendar_entries, owed_by


def _event(uid: str, day, summary: str, url: str, description: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    if url:
        event.add("url", url)
    if description:
        event.add("description", description)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def feed_for(user, host: str | None = None) -> bytes:
    """The user's feed; event links start with ``host`` (default: the configured site)."""
    cal = Calendar()
    cal.add("prodid", "-//CNIPA Patent Documentation Department//workplan//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("专利信息传播利用 · 时间节点"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = host or site_url()
    if user.is_province_staff and user.province_id:
        for owed in owed_by(user.province):
            note = ""
            if owed.extended_from:
                note = _("已批准延期，原截止日期 %(d)s。") % {"d": owed.extended_from}
            cal.add_component(
                _event(
                    f"{owed.key}.{user.province.code}@workplan",
                    owed.due,
                    _("截止：%(w)s") % {"w": owed.what},
                    host + owed.link,
                    note,
                )
            )
    else:
        for entry in calendar_entries(user):
            cal.add_component(
                _event(
                    f"{entry.uid}@workplan",
                    entry.day,
                    entry.summary,
                    host + entry.link,
                    entry.description,
                )
            )
    return cal.to_ical()
