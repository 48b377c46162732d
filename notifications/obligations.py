"""Who owes what, by when: the registry every domain app tells what its models make units owe.

notifications knows no domain model. ``NotificationsConfig.ready()`` imports each app's
``obligations`` module (as the admin discovers ``admin.py``), and there each domain app
registers:

- ``register_plans(source)`` (planning): the plans under which obligations run;
- ``register_working_plan(resolver)`` (planning): the plan a request works on (the year
  switcher, ``?year=``), so that notifications' pages and API lists show one plan as every
  other page does;
- ``register(provider)``: a function ``provider(plan, due_by, shared)`` yielding
  :class:`Owed` items for a plan (``shared`` is a dict the providers of one plan share,
  so that a read every source needs, such as the recipients, happens once);
- ``register_todo(provider)``: a provider (registered as above) whose items a unit's to-do
  lists as they are, beside its own registrations (spending reports, for example); it
  also takes ``unit=`` (a province id) and then yields only that unit's items, so that one
  unit's to-do reads no other unit's rows (the same for ``register_carrying``);
- ``register_calendar(source)``: dated entries for the calendar feed of users who are
  not a unit's staff (HQ).

The reminder sweep, the HQ summary, a unit's deadlines page, 催办 and the calendar all
ask the same question here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .models import ExtensionRequest


@dataclass
class Owed:
    key: str  # stable identity of the obligation, e.g. "registration:2018:360000"
    province: Any  # the executing unit that owes it (a model instance)
    due: date
    what: str
    link: str
    recipients: list[str] = field(default_factory=list)
    offsets: tuple[int, ...] | None = None  # days before due to remind; None: the default
    extended_from: date | None = None  # the due date before an approved extension
    tasks: tuple[int, ...] = ()  # the plan's task numbers this obligation is about
    year: int | None = None  # the year of the plan it is owed under (set by everything_owed)
    # The year of an earlier, closed plan the obligation goes on from (a project still
    # running across the year boundary); None for the plan's own.
    carried_from: int | None = None


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    link: str
    description: str = ""


Provider = Callable[[Any, "date | None", dict], Iterator[Owed]]

_plans: list[Callable[[], Iterable[Any]]] = []
_providers: list[Provider] = []
_calendars: list[Callable[[Any], Iterable[CalendarEntry]]] = []
_todo: list[Provider] = []
_carrying: list[Provider] = []
_working: list[Callable[[Any], Any]] = []


def _add(registry: list, item):
    if item not in registry:  # a module may be imported again (autoreload)
        registry.append(item)
    return item


def register_plans(source: Callable[[], Iterable[Any]]) -> Callable[[], Iterable[Any]]:
    """The plans whose obligations run (newest first); each has a ``year``."""
    return _add(_plans, source)


def register_working_plan(resolver: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``resolver(request)``: the plan the request works on (None when there is none; a
    year the user may not see raises Http404)."""
    return _add(_working, resolver)


def working_plan(request) -> Any | None:
    """The plan this request works on, as the registered resolver says."""
    return _working[-1](request) if _working else plan_of_year(None)


def working_year(request) -> int | None:
    """The year an API list shows: ``?year=`` when it is a year at all (a year that is no
    plan lists nothing), else the working plan's."""
    year = (request.GET.get("year") or "").strip()
    if year.isdigit():
        return int(year)
    plan = working_plan(request)
    return plan.year if plan is not None else None


def register(provider: Provider) -> Provider:
    """A source of obligations: ``provider(plan, due_by, shared)`` yields Owed items."""
    return _add(_providers, provider)


def register_todo(provider: Provider) -> Provider:
    """List this provider's items on a unit's to-do page (it is a source of obligations too).

    The to-do calls it as ``provider(plan, None, shared, unit=province_id)``: only that
    unit's items."""
    return _add(_todo, register(provider))


def register_carrying(provider: Provider) -> Provider:
    """A source whose items may come from an earlier year's plan (a running project goes on
    across the year end): the unit's to-do lists those as carried over (see carried_owed).
    Called with ``unit=`` as the to-do sources are."""
    return _add(_carrying, register(provider))


def unit_todo(province, plan) -> tuple[list[Owed], list[Owed]]:
    """What ``province`` owes under ``plan`` for its to-do, soonest first: the to-do sources'
    items, and the part carried over from earlier years' work (see carried_owed).

    Each to-do or carrying source is asked once, for this unit's items only, never for every
    unit's obligations."""
    if plan is None:
        return [], []
    shared: dict = {}
    todo, carried = [], []
    for provider in dict.fromkeys([*_todo, *_carrying]):  # a source may be both, asked once
        for o in provider(plan, None, shared, unit=province.pk):
            if o.province.pk != province.pk:
                continue
            if provider in _todo:
                todo.append(o)
            if provider in _carrying and o.carried_from:
                carried.append(o)
    extended = apply_extensions(todo + carried)  # one read of the approvals for both

    def soonest(items: list[Owed]) -> list[Owed]:
        return sorted(items, key=lambda o: (o.due, o.what))

    return soonest(extended[: len(todo)]), soonest(extended[len(todo) :])


def carried_owed(province, plan) -> list[Owed]:
    """What ``province`` still owes under ``plan`` from earlier years' work, soonest first.

    Only the carrying sources are asked: the to-do needs no other unit's obligations."""
    return unit_todo(province, plan)[1]


def todo_owed(province, plan) -> list[Owed]:
    """What the to-do providers say ``province`` owes under ``plan``, soonest first."""
    return unit_todo(province, plan)[0]


def register_calendar(source: Callable[[Any], Iterable[CalendarEntry]]):
    """Dated entries for a user's calendar feed when the user is not a unit's staff."""
    return _add(_calendars, source)


def providers() -> tuple[Provider, ...]:
    return tuple(_providers)


def all_plans() -> list[Any]:
    return [plan for source in _plans for plan in source()]


def plan_of_year(year: int | str | None) -> Any | None:
    """The plan of the given year; without a year, the first plan the source lists."""
    listed = all_plans()
    if year is None or year == "":
        return listed[0] if listed else None
    return next((p for p in listed if str(p.year) == str(year)), None)


def calendar_entries(user) -> list[CalendarEntry]:
    return [entry for source in _calendars for entry in source(user)]


def apply_extensions(owed: list[Owed]) -> list[Owed]:
    """Approved 延期申请 move a unit's due date; the key changes so reminders start afresh."""
    if not owed:
        return owed
    approved: dict[tuple[str, int], date] = {}
    keys = {o.key for o in owed}
    # Approvals are few (each one is a person's decision); matching them here keeps the query
    # small however many items are owed.
    for key, province_id, new_due in (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.APPROVED)
        .order_by("decided_at")
        .values_list("deadline_key", "province_id", "requested_due")
    ):
        if key in keys:
            approved[(key, province_id)] = new_due  # the latest approval wins
    if not approved:
        return owed
    out = []
    for o in owed:
        new_due = approved.get((o.key, o.province.pk))
        if new_due is not None and new_due > o.due:
            o = replace(o, key=f"{o.key}~{new_due:%Y%m%d}", due=new_due, extended_from=o.due)
        out.append(o)
    return out


def base_key(key: str) -> str:
    """The obligation behind a key, before any extension suffix."""
    return key.split("~", 1)[0]


def everything_owed(plan, due_by: date | None = None) -> list[Owed]:
    """All of a plan's obligations; with ``due_by``, at least those due by then.

    ``due_by`` lets the bulky per-item sources (milestones, deliverables) filter in the
    database; per-unit sources are few and always listed in full. An approved extension
    only ever moves a date later, so an item due by ``due_by`` after its extension was
    due by then before it too, and is never filtered out wrongly.
    """
    shared: dict = {}
    items = [owed for provider in _providers for owed in provider(plan, due_by, shared)]
    for owed in items:
        owed.year = plan.year
    return apply_extensions(items)


def owed_by(province, plans: Iterable[Any] | None = None) -> list[Owed]:
    """Everything a unit owes, in every plan (or the given ones), soonest first."""
    listed = list(plans) if plans is not None else all_plans()
    items = [o for plan in listed for o in everything_owed(plan) if o.province.pk == province.pk]
    return sorted(items, key=lambda o: (o.due, o.what))
