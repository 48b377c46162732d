"""Who owes what, by when: the registry every domain app tells what its models make units owe.

notifications knows no domain model. ``NotificationsConfig.ready()`` imports each app's
``obligations`` module (as the admin discovers ``admin.py``), and there each domain app
registers:

- ``register_plans(source)`` (planning): the plans under which obligations run;
- ``register_working_plan(resolver)`` (planning): the plan a request works on (the year
  switcher, ``?year=``), so that notifications' pages and API lists show one plan as every
  other page does;
- ``register(provider)``: a function ``provider(plans, span, shared)`` yielding
  :class:`Owed` items for all the given plans at once, each naming its ``year`` (one query
  per source however many plans are published; ``span`` says which items the reader needs,
  see :class:`Span`; ``shared`` is a dict the providers of one read share, so that a read
  every source needs, such as the recipients, happens once);
- ``register_todo(provider)``: a provider (registered as above) whose items a unit's to-do
  lists as they are, beside its own registrations (spending reports, for example);
- ``register_calendar(source)``: dated entries for the calendar feed of users who are
  not a unit's staff (HQ).

The reminder sweep, the HQ summary, a unit's deadlines page, 催办 and the calendar all
ask the same question here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

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
    year: int | None = None  # the year of the plan it is owed under (set by its source)
    # The year of an earlier, closed plan the obligation goes on from (a project still
    # running across the year boundary); None for the plan's own.
    carried_from: int | None = None
    # How many obligations this item counts for in totals: 1, except when a bulky source is
    # read in summary form (Span.first): the first item of a unit's group then stands for
    # the whole group (its count) and the group's other items count 0.
    tally: int = 1


@dataclass(frozen=True)
class Span:
    """Which obligations a reader needs.

    Pages need everything (``Span()``), or everything due by a day (``due_by``). The sweep
    needs only what can matter today (``Span.first`` set): from a bulky per-item source
    (schedule steps, deliverables), the items due on a day a reminder or chaser with the
    default offsets falls on (``fires``), the items with an approved extension (``extended``,
    whose dates move), and for HQ's summary, per unit, the first ``first`` items overdue and
    due by ``soon_until``, with how many there are (:attr:`Owed.tally`). The per-unit
    sources are small: they list everything a page asks for, and for the sweep skip only
    the deadlines that cannot matter today (:meth:`needs`).

    A unit's to-do needs only its own items (``unit``, a province id): every source then
    reads that unit's rows only, never every unit's obligations.
    """

    due_by: date | None = None
    unit: int | None = None
    today: date | None = None
    soon_until: date | None = None
    first: int | None = None
    fires: frozenset[date] = frozenset()
    extended: frozenset[str] = frozenset()  # base keys with an approved extension

    def needs(self, due: date, offsets: tuple[int, ...] | None = None) -> bool:
        """Whether an item due on ``due`` (reminded on ``offsets``, its own days, if any)
        matters to this span: always for a page; for the sweep, when it is due by ``due_by``
        (overdue, due soon, or on a default reminder day) or one of its own days is today.
        A per-unit source asks this of each deadline, so the sweep skips the years ahead."""
        if self.first is None or self.today is None or self.due_by is None:
            return True
        return due <= self.due_by or bool(offsets and (due - self.today).days in offsets)

    def _group(self, day: date) -> int:
        """0: overdue, 1: due by soon_until (HQ's summary lists both), 2: later (only fires)."""
        return 0 if day < self.today else 1 if day <= self.soon_until else 2

    def narrow(self, rows: QuerySet, *, due: str, unit: str, key: str) -> QuerySet:
        """``rows`` (a bulky source's queryset) cut to this span, annotated with ``tally``.

        ``due`` and ``unit`` name the due date and the owing unit's id; ``key`` is the key
        prefix of the source's items (``"milestone"`` for ``milestone:<pk>``). In summary
        form three queries, however many rows: how many each unit owes on each day (a hash
        aggregate, no sort of the rows), which tells each unit's group size and the day its
        first ``first`` items reach; then the rows up to those days (and those that fire
        today or are extended), ranked with a window function; then those kept, in full.
        """
        if self.due_by is not None:
            rows = rows.filter(**{f"{due}__lte": self.due_by})
        if self.unit is not None:
            rows = rows.filter(**{unit: self.unit})
        if self.first is None or self.today is None or self.soon_until is None:
            return rows.annotate(tally=Value(1))
        prefix = f"{key}:"
        held = [int(k[len(prefix) :]) for k in self.extended if k.startswith(prefix)]
        counted = rows.exclude(pk__in=held) if held else rows
        per_day = sorted(counted.order_by().values_list(unit, due).annotate(n=Count("pk")))
        sizes: dict[tuple[int, int], int] = {}
        reach: dict[tuple[int, int], date] = {}  # the day a group's first items reach
        for unit_id, day, n in per_day:
            group = self._group(day)
            if group < 2:
                if sizes.get((unit_id, group), 0) < self.first:
                    reach[(unit_id, group)] = day
                sizes[(unit_id, group)] = sizes.get((unit_id, group), 0) + n
        wanted = [
            Q(**{unit: unit_id, f"{due}__lte": day})
            & (Q(**{f"{due}__lt": self.today}) if group == 0 else Q(**{f"{due}__gte": self.today}))
            for (unit_id, group), day in reach.items()
        ]
        fires = sorted(self.fires & {day for _unit, day, _n in per_day})  # days with items
        if fires:
            wanted.append(Q(**{f"{due}__in": fires}))
        if held:
            wanted.append(Q(pk__in=held))
        if not wanted:
            return rows.none().annotate(tally=Value(0))
        group = Case(
            When(**{f"{due}__lt": self.today}, then=Value(0)),
            When(**{f"{due}__lte": self.soon_until}, then=Value(1)),
            default=Value(2),
        )
        held_flag = Case(When(pk__in=held, then=Value(1)), default=Value(0)) if held else Value(0)
        ranked = (
            rows.filter(reduce(or_, wanted))
            .order_by()
            .annotate(
                group=group,
                held=held_flag,
                rank=Window(
                    RowNumber(),
                    partition_by=[F(unit), group, held_flag],
                    order_by=[F(due).asc(), F("pk").asc()],
                ),
            )
            .filter(
                Q(rank__lte=self.first, group__lt=2, held=0)
                | Q(**{f"{due}__in": fires})
                | Q(held=1)
            )
            .values_list("pk", unit, "rank", "group", "held")
        )
        kept, firsts = [], []
        for pk, unit_id, rank, grouped, is_held in ranked:
            kept.append(pk)
            if rank == 1 and grouped < 2 and not is_held:  # stands for its whole group
                firsts.append(When(pk=pk, then=Value(sizes[(unit_id, grouped)])))
        tally = [*firsts, When(pk__in=held, then=Value(1))] if held else firsts
        # By id alone: the ids were just read under the source's filters, and the planner
        # then starts from the few rows kept, not from the source's joins.
        return rows.model._base_manager.filter(pk__in=kept).annotate(
            tally=Case(*tally, default=Value(0)) if tally else Value(0)
        )


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    link: str
    description: str = ""


Provider = Callable[[Sequence[Any], Span, dict], Iterator[Owed]]

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
    """A source of obligations: ``provider(plans, span, shared)`` yields Owed items."""
    return _add(_providers, provider)


def register_todo(provider: Provider) -> Provider:
    """List this provider's items on a unit's to-do page (it is a source of obligations too)."""
    return _add(_todo, register(provider))


def register_carrying(provider: Provider) -> Provider:
    """A source whose items may come from an earlier year's plan (a running project goes on
    across the year end): the unit's to-do lists those as carried over (see carried_owed)."""
    return _add(_carrying, register(provider))


def unit_todo(province, plan) -> tuple[list[Owed], list[Owed]]:
    """What ``province`` owes under ``plan`` for its to-do, soonest first: the to-do sources'
    items, and the part carried over from earlier years' work (see :func:`carried_owed`).

    Each to-do or carrying source is asked once, in ``Span(unit=…)``: for this unit's items
    only, never for every unit's obligations."""
    if plan is None:
        return [], []
    shared: dict = {}
    span = Span(unit=province.pk)
    todo, carried = [], []
    for provider in dict.fromkeys([*_todo, *_carrying]):  # a source may be both, asked once
        for o in provider([plan], span, shared):
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
    """What ``province`` still owes under ``plan`` from earlier years' work, soonest first."""
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


def approved_extensions() -> dict[tuple[str, int], date]:
    """(base key, unit id) → the due date an approved 延期申请 moved it to (the latest wins).

    Approvals are few (each one is a person's decision): one small query reads them all."""
    approved: dict[tuple[str, int], date] = {}
    for key, province_id, new_due in (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.APPROVED)
        .order_by("decided_at")
        .values_list("deadline_key", "province_id", "requested_due")
    ):
        approved[(key, province_id)] = new_due
    return approved


def apply_extensions(
    owed: list[Owed], approved: dict[tuple[str, int], date] | None = None
) -> list[Owed]:
    """Approved 延期申请 move a unit's due date; the key changes so reminders start afresh."""
    if not owed:
        return owed
    if approved is None:
        approved = approved_extensions()
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


def owed_under(
    plans: Sequence[Any], span: Span | None = None, approved: dict | None = None
) -> list[Owed]:
    """The obligations of all the given plans, as ``span`` asks (each source asked once).

    ``approved`` is :func:`approved_extensions` when the caller has read it already. An
    approved extension only ever moves a date later, so an item due by ``span.due_by``
    after its extension was due by then before it too, and is never filtered out wrongly.
    """
    plans = list(plans)
    if not plans:
        return []
    shared: dict = {}
    span = span or Span()
    items = [owed for provider in _providers for owed in provider(plans, span, shared)]
    return apply_extensions(items, approved)


def everything_owed(plan, due_by: date | None = None) -> list[Owed]:
    """All of a plan's obligations; with ``due_by``, at least those due by then.

    ``due_by`` lets the bulky per-item sources (milestones, deliverables) filter in the
    database; per-unit sources are few and always listed in full.
    """
    return owed_under([plan], Span(due_by=due_by))


def owed_by(province, plans: Iterable[Any] | None = None) -> list[Owed]:
    """Everything a unit owes, in every plan (or the given ones), soonest first."""
    listed = list(plans) if plans is not None else all_plans()
    items = [o for o in owed_under(listed) if o.province.pk == province.pk]
    return sorted(items, key=lambda o: (o.due, o.what))
