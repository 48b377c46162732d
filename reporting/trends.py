"""Trends across years: every plan the user may see, compared per task and per unit.

For each year: registrations expected and handed in (completeness), handed in on time, the
units' training classes (classes held and trainees, counted from ``TrainingClass`` records by
``provinces.ledger.training_figures``), the ledger's enterprises served, cases, projects
(approved applications) and money granted (万元, Decimal).

Who sees what is each model's ``visible_to``, and the units are ``Province.visible_to``: HQ
sees every unit, province staff only their own (even the cases of others HQ published are
left out, so a unit's trend is its own), experts no unit and so no figures.

How tasks are matched across years. A task's number is not its identity: a year may drop a
task, and the talent project is task 8 in 2018 and task 7 in 2019. Each year's cell shows
the task as it is in that plan (its number and title), and cells are grouped into rows by
the task's lineage: the rollover records the task each copy continues
(``planning.Task.rolled_from``, relinked by the notice import when the numbers shift), and
tasks with the same title (spaces ignored) belong to the same row even without a rollover
(plans imported each from its own notice). A row is keyed by its earliest task (``key``,
the ``?task=`` filter accepts any task of the row) and labelled with its latest title.

A fixed number of queries whatever the number of years: the units, the plans, the tasks,
then one aggregate query per source, grouped by (task, unit) or (plan, task, unit), and
everything else in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from funding.models import Allocation
from planning.models import Plan, Task
from projects.models import Application
from provinces.ledger import TRAINING_FIGURES, training_figures
from provinces.models import Assignment, Case, LedgerSummary, Province, TrainingClass
from workflow import sheets
from workflow.review import ReviewedSubmission

from .digest import bar_chart

HANDED_IN = ReviewedSubmission.HANDED_IN
LEDGER_FIGURES = ("enterprises_served",)  # classes and trainees: the training classes
PERCENT = Decimal("0.1")

# (plan id, task id or None, province id): the grain every figure is collected at
Key = tuple[int, int | None, int]


@dataclass
class Figures:
    """One year's figures for a task, a unit or the whole year."""

    expected: int = 0  # registrations owed: assignments carried (mandatory, or taken up)
    handed_in: int = 0  # of which submitted, resubmitted or confirmed
    on_time: int = 0  # of which handed in by the registration deadline (not ``is_late``)
    classes_held: int = 0
    trainees: int = 0
    enterprises_served: int = 0
    cases: int = 0  # cases handed in (submitted, resubmitted or confirmed)
    projects: int = 0  # applications approved (立项) and after
    money_granted: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def row(self) -> list:
        """The figures in the order of :data:`FIGURE_COLUMNS` (tables and sheets)."""
        return [getattr(self, name) for name, _label in FIGURE_COLUMNS]

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @staticmethod
    def _percent(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100) * part / whole).quantize(PERCENT)

    @property
    def completeness(self) -> Decimal | None:
        """Registrations handed in, in % of those owed (None when none is owed)."""
        return self._percent(self.handed_in, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Registrations handed in by the deadline, in % of those owed (按时报送数/应报送数)."""
        return self._percent(self.on_time, self.expected)


@dataclass
class Cell:
    """A row's figures in one year; ``present`` is False when the row has no task (or the
    unit no assignment, case or project) that year."""

    year: int
    figures: Figures = field(default_factory=Figures)
    present: bool = False
    number: int | None = None  # the task's number in that year's plan (task rows)
    title: str = ""  # the task's title in that year's plan (task rows)


@dataclass
class Row:
    key: str  # task rows: the earliest task's pk; unit rows: the unit's code
    label: str
    cells: list[Cell]


@dataclass
class Trends:
    years: list[int]
    tasks: list[Row]
    units: list[Row]
    totals: list[Cell]
    task_choices: list[tuple[str, str]]  # (key, label) of every task row, unfiltered
    unit_choices: list[tuple[str, str]]  # (code, name) of every unit the user sees
    task_keys: dict[int, str]  # any task pk → its row's key


class UnknownFilter(ValueError):
    """A ``task`` or ``unit`` filter naming nothing the user sees; ``field`` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field_name, message


def money_granted(user, plan_ids: list[int], unit_ids: list[int], projects: list[dict]):
    """Money granted (万元) per (plan, task, unit): the one place money comes from.

    What HQ allocated (``funding.Allocation``, to units directly and to projects), plus the
    budget granted to approved projects that have no allocation of their own yet
    (``projects`` is the aggregate :func:`collect` already read, whose ``money`` leaves out
    the projects with an allocation). One aggregate query, whatever the number of years.
    """
    money: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in projects:
        key = (row["call__plan_id"], row["call__task_id"], row["province_id"])
        money[key] += row["money"] or Decimal("0.00")
    allocated = (
        Allocation.objects.visible_to(user)
        .filter(plan_id__in=plan_ids, province_id__in=unit_ids)
        .values("plan_id", "task_id", "province_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in allocated:
        money[(row["plan_id"], row["task_id"], row["province_id"])] += row["amount"]
    return money


def _lineage(tasks: list[dict], year_of: dict[int, int]) -> dict[int, int]:
    """Task pk → the pk of its row's earliest task (see the module's docstring)."""
    parent = {t["pk"]: t["pk"] for t in tasks}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb

    by_title: dict[str, int] = {}
    for t in tasks:
        if t["rolled_from_id"] in parent:
            join(t["pk"], t["rolled_from_id"])
        title = Task.title_key(t["title"])
        if title in by_title:
            join(t["pk"], by_title[title])
        else:
            by_title[title] = t["pk"]
    members: dict[int, list[dict]] = defaultdict(list)
    for t in tasks:
        members[root(t["pk"])].append(t)
    first = {
        r: min(group, key=lambda t: (year_of[t["plan_id"]], t["number"]))["pk"]
        for r, group in members.items()
    }
    return {t["pk"]: first[root(t["pk"])] for t in tasks}


def collect(user) -> dict:
    """The raw figures the user may see, keyed by (plan, task, unit), in nine queries."""
    units = list(Province.objects.visible_to(user))
    if not units:
        return {"units": [], "plans": [], "tasks": [], "figures": {}}
    unit_ids = [u.pk for u in units]
    plans = list(Plan.objects.visible_to(user).order_by("year"))
    plan_ids = [p.pk for p in plans]
    tasks = list(
        Task.objects.visible_to(user)
        .filter(plan_id__in=plan_ids)
        .values("pk", "plan_id", "number", "title", "rolled_from_id")
        .order_by("plan__year", "number")
    )
    plan_of = {t["pk"]: t["plan_id"] for t in tasks}
    figures: dict[Key, Figures] = defaultdict(Figures)

    registrations = (
        Assignment.objects.visible_to(user)
        .filter(task_id__in=list(plan_of), province_id__in=unit_ids, taken_up=True)
        .values("task_id", "province_id")
        .annotate(
            expected=Count("pk"),
            handed_in=Count("pk", filter=Q(registration__state__in=HANDED_IN)),
            on_time=Count(
                "pk", filter=Q(registration__state__in=HANDED_IN, registration__is_late=False)
            ),
        )
        .order_by()
    )
    for row in registrations:
        f = figures[(plan_of[row["task_id"]], row["task_id"], row["province_id"])]
        f.expected, f.handed_in, f.on_time = row["expected"], row["handed_in"], row["on_time"]

    ledger = (  # the kept per-assignment summaries, not every entry
        LedgerSummary.objects.visible_to(user)
        .filter(assignment__task_id__in=list(plan_of), assignment__province_id__in=unit_ids)
        .values("assignment__task_id", "assignment__province_id")
        .annotate(**{name: Sum(name) for name in LEDGER_FIGURES})
        .order_by()
    )
    for row in ledger:
        task_id = row["assignment__task_id"]
        f = figures[(plan_of[task_id], task_id, row["assignment__province_id"])]
        for name in LEDGER_FIGURES:
            setattr(f, name, row[name] or 0)

    training = training_figures(
        TrainingClass.objects.visible_to(user).filter(
            task_id__in=list(plan_of), province_id__in=unit_ids
        )
    )
    for key, row in training.items():
        for name in TRAINING_FIGURES:
            setattr(figures[key], name, row[name])

    cases = (
        Case.objects.visible_to(user)
        .filter(plan_id__in=plan_ids, province_id__in=unit_ids, state__in=HANDED_IN)
        .values("plan_id", "assignment__task_id", "province_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in cases:
        figures[(row["plan_id"], row["assignment__task_id"], row["province_id"])].cases = row["n"]

    projects = list(
        Application.objects.visible_to(user)
        .filter(
            call__plan_id__in=plan_ids, province_id__in=unit_ids, state__in=Application.PROJECTS
        )
        .values("call__plan_id", "call__task_id", "province_id")
        .annotate(n=Count("pk"), money=Sum("budget_granted", filter=Q(allocations__isnull=True)))
        .order_by()
    )
    for row in projects:
        figures[(row["call__plan_id"], row["call__task_id"], row["province_id"])].projects = row[
            "n"
        ]
    for key, amount in money_granted(user, plan_ids, unit_ids, projects).items():
        figures[key].money_granted = amount
    return {"units": units, "plans": plans, "tasks": tasks, "figures": figures}


def trends(user, *, task: int | None = None, unit: str | None = None) -> Trends:
    """Every visible year, per task and per unit. ``task`` (any task pk of a row) keeps the
    figures of that row's tasks only; ``unit`` (a unit's code) keeps that unit's only.
    A task or unit the user does not see raises :class:`UnknownFilter` (the API's 400, the
    page's form error), never a silent empty table."""
    data = collect(user)
    plans, tasks, units, figures = data["plans"], data["tasks"], data["units"], data["figures"]
    years = [p.year for p in plans]
    year_of = {p.pk: p.year for p in plans}
    column = {p.pk: i for i, p in enumerate(plans)}
    row_of = {pk: str(root) for pk, root in _lineage(tasks, year_of).items()}
    task_by_pk = {t["pk"]: t for t in tasks}
    unit_by_pk = {u.pk: u for u in units}

    wanted_row = row_of.get(task) if task is not None else None
    wanted_unit = next((u.pk for u in units if u.code == unit), None) if unit else None
    if task is not None and wanted_row is None:
        raise UnknownFilter("task", gettext("没有该任务，或您无权查看。"))
    if unit and wanted_unit is None:
        raise UnknownFilter("unit", gettext("没有该执行单位，或您无权查看。"))

    def cells() -> list[Cell]:
        return [Cell(year=y) for y in years]

    task_rows: dict[str, list[Cell]] = {}
    for t in tasks:  # every task of every year gets its cell, figures or not
        row = task_rows.setdefault(row_of[t["pk"]], cells())
        cell = row[column[t["plan_id"]]]
        cell.present, cell.number = True, t["number"]
        cell.title = f"{cell.title}、{t['title']}" if cell.title else t["title"]
    unit_rows: dict[int, list[Cell]] = {u.pk: cells() for u in units}
    totals = cells()

    for (plan_id, task_id, province_id), f in figures.items():
        if plan_id not in column or province_id not in unit_by_pk:
            continue
        row_key = row_of.get(task_id) if task_id else None
        if wanted_row is not None and row_key != wanted_row:
            continue
        if wanted_unit is not None and province_id != wanted_unit:
            continue
        i = column[plan_id]
        if row_key is not None:
            task_rows[row_key][i].figures.add(f)
        unit_cell = unit_rows[province_id][i]
        unit_cell.figures.add(f)
        unit_cell.present = True
        totals[i].figures.add(f)
        totals[i].present = True

    latest = {}
    for t in tasks:  # ordered by year: the last one seen is the latest title
        latest[row_of[t["pk"]]] = t["title"]
    task_choices = [(key, latest[key]) for key in task_rows]
    return Trends(
        years=years,
        tasks=[
            Row(key=key, label=latest[key], cells=row)
            for key, row in task_rows.items()
            if wanted_row is None or key == wanted_row
        ],
        units=[
            Row(key=u.code, label=u.name, cells=unit_rows[u.pk])
            for u in units
            if wanted_unit is None or u.pk == wanted_unit
        ],
        totals=totals,
        task_choices=task_choices,
        unit_choices=[(u.code, u.name) for u in units],
        task_keys={pk: row_of[pk] for pk in task_by_pk},
    )


# --- how trends are shown: charts and the workbook -------------------------------------

FIGURE_COLUMNS = (
    ("expected", _lazy("应报送（项）")),
    ("handed_in", _lazy("已报送（项）")),
    ("completeness", _lazy("报送完整率（%）")),
    ("on_time", _lazy("按时报送（项）")),
    ("on_time_rate", _lazy("按时报送率（%）")),
    ("classes_held", _lazy("举办培训班（期）")),
    ("trainees", _lazy("培训人数（人次）")),
    ("enterprises_served", _lazy("服务企业（家）")),
    ("cases", _lazy("典型案例（个）")),
    ("projects", _lazy("立项项目（项）")),
    ("money_granted", _lazy("资助经费（万元）")),
)


def charts(data: Trends) -> list[str]:
    """Each year side by side: registration completeness, trainees and money granted."""
    shown = [c for c in data.totals if c.present]
    if not shown:
        return []
    specs = [
        ("trend-completeness", gettext("各年度任务分解报送完整率"), "completeness", "%"),
        ("trend-trainees", gettext("各年度培训人数"), "trainees", gettext("人次")),
        ("trend-money", gettext("各年度资助经费"), "money_granted", gettext("万元")),
    ]
    out = []
    for ident, title, name, unit in specs:
        rows = [
            (gettext("%(year)d年") % {"year": c.year}, getattr(c.figures, name) or 0) for c in shown
        ]
        desc = "；".join(f"{label}：{value}{unit}" for label, value in rows)
        out.append(bar_chart(rows, unit, title=title, desc=desc, ident=ident))
    return out


def build_workbook(data: Trends) -> list[sheets.Sheet]:
    """Trends as sheets: per task (each year's task as numbered that year), per unit, per year."""
    headers = [str(label) for _name, label in FIGURE_COLUMNS]
    by_task = sheets.Sheet(
        gettext("按任务"),
        [
            gettext("任务"),
            gettext("年度"),
            gettext("本年度序号"),
            gettext("本年度任务名称"),
            *headers,
        ],
    )
    for row in data.tasks:
        for cell in row.cells:
            if cell.present:
                by_task.append([row.label, cell.year, cell.number, cell.title, *cell.figures.row()])
    by_unit = sheets.Sheet(gettext("按执行单位"), [gettext("执行单位"), gettext("年度"), *headers])
    for row in data.units:
        for cell in row.cells:
            if cell.present:
                by_unit.append([row.label, cell.year, *cell.figures.row()])
    by_year = sheets.Sheet(gettext("各年度合计"), [gettext("年度"), *headers])
    for cell in data.totals:
        by_year.append([cell.year, *cell.figures.row()])
    return [by_year, by_task, by_unit]
