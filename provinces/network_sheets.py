"""Excel in and out for the service network and training classes.

Two ``workflow.imports`` importers: a unit's network entities (one row per entity, matched by
year, kind and name, so importing the same file twice writes nothing the second time) and a
class's roster (one row per attendee, matched by class, name and organisation). Each
previews every row's problems with its row number and writes every row or none. The
exports use the one spreadsheet writer, and the entities' export imports back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import HQ, STAFF
from planning.models import BaseLevel, Plan
from workflow import sheets
from workflow.imports import Importer, ImportOutcome, RowProblem, RowTicker, register
from workflow.validation import check_row

from .network import (
    EntityKind,
    EntityState,
    EntitySubkind,
    NetworkEntity,
    TrainingAttendee,
    TrainingClass,
)
from .resources import _cell, column_messages

ENTITY_COLUMNS = {
    "year": "年度",
    "province": "省份",
    "kind": "类型",
    "level": "级别",
    "subkind": "细分",
    "name": "名称",
    "place": "所在地",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "state": "状态",
    "parent": "所属基地",
}
ENTITY_REQUIRED = ["年度", "类型", "名称"]
ENTITY_FIELDS = (  # what a row says of an entity: its form, serializer and import row
    "kind",
    "level",
    "subkind",
    "name",
    "place",
    "contact_name",
    "contact_phone",
    "state",
)
KIND_BY_LABEL = {str(label): value for value, label in EntityKind.choices}
LEVEL_BY_LABEL = {str(label): value for value, label in BaseLevel.choices} | {
    "重点": BaseLevel.KEY,
    "基础": BaseLevel.BASIC,
}
SUBKIND_BY_LABEL = {str(label): value for value, label in EntitySubkind.choices}
STATE_BY_LABEL = {str(label): value for value, label in EntityState.choices}


def _label(mapping: dict[str, str], value: str, column: str) -> tuple[str, str | None]:
    """(value, problem) for a cell that must be one of ``mapping``'s labels (or empty)."""
    if not value:
        return "", None
    if value in mapping:
        return mapping[value], None
    return "", _("%(column)s应为：%(choices)s") % {
        "column": column,
        "choices": "、".join(dict.fromkeys(mapping)),
    }


class _PlannedImport(Importer):
    """An import whose check plans every row's write: ``write`` plans again (on locked
    rows) and carries the plan out, so the preview and the write cannot disagree."""

    def plan(self, dataset, user, rows: RowTicker) -> tuple[ImportOutcome, list[Callable]]:
        raise NotImplementedError

    def lock(self, user) -> None:
        """Lock the rows a write may change before planning it again."""

    def check(self, dataset, user, rows: RowTicker) -> ImportOutcome:
        return self.plan(dataset, user, rows)[0]

    def write(self, dataset, user) -> ImportOutcome:
        self.lock(user)
        outcome, steps = self.plan(dataset, user, lambda done, total: None)
        if outcome.ok:
            try:
                for step in steps:
                    step()
            except ValidationError as exc:  # changed since the check: save none
                outcome.problems.append(RowProblem(0, exc.messages))
        return outcome


class NetworkImport(_PlannedImport):
    """A unit's network entities from a sheet: new names are added, changed details update
    the entity of that year, kind and name, identical rows are duplicates."""

    kind = "network"
    title = gettext_lazy("从 Excel 导入服务网络")
    roles = STAFF
    done_url = "provinces:network_list"
    template_url = "provinces:network_template"
    upload_url = "provinces:network_import"

    def missing_headers(self, headers, user):
        return [h for h in ENTITY_REQUIRED if h not in headers]

    def lock(self, user) -> None:
        list(NetworkEntity.objects.own(user).select_for_update().values_list("pk", flat=True))

    def plan(self, dataset, user, rows: RowTicker):
        outcome = ImportOutcome(total=len(dataset))
        steps: list[Callable] = []
        province = user.province
        plans = {p.year: p for p in Plan.objects.visible_to(user)}
        existing = {
            (e.plan_id, e.kind, e.name): e for e in NetworkEntity.objects.own(user).order_by()
        }
        seen: dict[tuple, int] = {}
        pending: dict[tuple, NetworkEntity] = {}
        for number, cells in enumerate(dataset.dict, start=2):
            rows(number - 1, len(dataset))
            data = {
                key: _cell(cells.get(header))
                for key, header in ENTITY_COLUMNS.items()
                if header in dataset.headers
            }
            problems: list[str] = []
            year = data.get("year", "")
            plan = plans.get(int(year)) if year.isdigit() else None
            if plan is None:
                problems.append(_("找不到 %(year)s 年度工作计划。") % {"year": year or "—"})
            elif plan.is_closed:
                problems.append(_("%(year)s 年度工作计划已结束，不能导入。") % {"year": year})
            if data.get("province") and data["province"] != province.short_name:
                problems.append(_("只能导入本单位（%(unit)s）的服务网络。") % {"unit": province})
            values = {}
            for key, mapping in (
                ("kind", KIND_BY_LABEL),
                ("level", LEVEL_BY_LABEL),
                ("subkind", SUBKIND_BY_LABEL),
                ("state", STATE_BY_LABEL),
            ):
                values[key], problem = _label(mapping, data.get(key, ""), ENTITY_COLUMNS[key])
                if problem:
                    problems.append(problem)
            if not values["kind"] and not data.get("kind"):
                problems.append(_("类型不能为空"))
            values["state"] = values["state"] or EntityState.RUNNING
            for key in ("name", "place", "contact_name", "contact_phone"):
                values[key] = data.get(key, "")
            if problems:
                outcome.problems.append(RowProblem(number, problems))
                continue
            key = (plan.pk, values["kind"], values["name"])
            entity = existing.get(key) or NetworkEntity(plan=plan, province=province)
            parent_name = data.get("parent", "")
            if parent_name:
                parent = existing.get((plan.pk, EntityKind.BASE, parent_name)) or pending.get(
                    (plan.pk, EntityKind.BASE, parent_name)
                )
                if parent is None:
                    outcome.problems.append(
                        RowProblem(
                            number,
                            [
                                _("所属基地“%(name)s”不在本单位 %(year)s 年度的服务网络中。")
                                % {"name": parent_name, "year": plan.year}
                            ],
                        )
                    )
                    continue
            else:
                parent = None
            candidate = NetworkEntity(
                pk=entity.pk, plan=plan, province=province, parent=parent, **values
            )
            try:
                check_row(candidate, (*ENTITY_FIELDS, "parent"))
            except ValidationError as exc:
                outcome.problems.append(RowProblem(number, column_messages(exc, ENTITY_COLUMNS)))
                continue
            if key in seen:
                outcome.duplicates.append(
                    RowProblem(
                        number, [_("与第 %(n)d 行是同一名称，只导入一次。") % {"n": seen[key]}]
                    )
                )
                continue
            seen[key] = number
            new = {name: getattr(candidate, name) for name in ENTITY_FIELDS}
            if (
                entity.pk
                and all(getattr(entity, n) == v for n, v in new.items())
                and (entity.parent_id == (parent.pk if parent and parent.pk else None))
            ):
                outcome.duplicates.append(RowProblem(number, [_("服务网络中已有相同的记录。")]))
                continue
            if entity.pk:
                outcome.updated += 1
            else:
                outcome.created += 1
                pending[key] = candidate
            steps.append(lambda entity=entity, new=new, parent=parent: _save(entity, new, parent))
        return outcome, steps


def _save(entity: NetworkEntity, values: dict, parent: NetworkEntity | None) -> None:
    for name, value in values.items():
        setattr(entity, name, value)
    if parent is not None and parent.pk is None:  # a base added by an earlier row
        parent = NetworkEntity.objects.get(
            plan=entity.plan, province=entity.province, kind=parent.kind, name=parent.name
        )
    entity.parent = parent
    entity.save()


NETWORK_IMPORT = register(NetworkImport())
import_network = NETWORK_IMPORT.import_file


def entity_row(e: NetworkEntity) -> list:
    return [
        e.plan.year,
        e.province.short_name,
        e.get_kind_display(),
        e.get_level_display() if e.level else "",
        e.get_subkind_display() if e.subkind else "",
        e.name,
        e.place,
        e.contact_name,
        e.contact_phone,
        e.get_state_display(),
        e.parent.name if e.parent_id else "",
    ]


def network_workbook(queryset) -> sheets.Sheet:
    """The entities in the import's own columns (the sheet imports back)."""
    sheet = sheets.Sheet(_("服务网络"), list(ENTITY_COLUMNS.values()))
    for e in queryset.select_related("plan", "province", "parent"):
        sheet.append(entity_row(e))
    return sheet


def network_template(user, plan: Plan | None) -> sheets.Sheet:
    year = plan.year if plan else date.today().year
    unit = user.province.short_name if getattr(user, "province_id", None) else "江西"
    sheet = sheets.Sheet(_("服务网络"), list(ENTITY_COLUMNS.values()))
    sheet.append(
        [
            year,
            unit,
            "传播利用基地",
            "重点项目",
            "",
            f"{unit}专利信息传播利用基地",
            "南昌市",
            "张三",
            "0791-86000000",
            "运行",
            "",
        ]
    )
    sheet.append(
        [
            year,
            unit,
            "站点",
            "",
            "服务站",
            f"{unit}高新区专利信息服务站",
            "南昌市高新区",
            "李四",
            "13800138000",
            "筹建",
            f"{unit}专利信息传播利用基地",
        ]
    )
    return sheet


# --- the roster of a class -----------------------------------------------------------

ROSTER_COLUMNS = {"training": "培训班编号", "name": "姓名", "organisation": "单位"}


class RosterImport(_PlannedImport):
    """Attendees of classes the user organised: a person already on the roster is a
    duplicate; the class's attendee count rises to the roster's length if it was lower."""

    kind = "roster"
    title = gettext_lazy("从 Excel 导入培训班花名册")
    roles = STAFF | HQ
    done_url = "provinces:training_list"
    template_url = "provinces:roster_template"
    upload_url = "provinces:roster_import"

    def missing_headers(self, headers, user):
        return [h for h in ("培训班编号", "姓名") if h not in headers]

    def lock(self, user) -> None:
        list(TrainingClass.objects.own(user).select_for_update().values_list("pk", flat=True))

    def plan(self, dataset, user, rows: RowTicker):
        outcome = ImportOutcome(total=len(dataset))
        classes = {
            c.pk: c for c in TrainingClass.objects.own(user).select_related("plan").order_by()
        }
        on_roster = set(
            TrainingAttendee.objects.filter(training__in=list(classes)).values_list(
                "training_id", "name", "organisation"
            )
        )
        seen: dict[tuple, int] = {}
        added: dict[int, list[TrainingAttendee]] = {}
        for number, cells in enumerate(dataset.dict, start=2):
            rows(number - 1, len(dataset))
            data = {
                key: _cell(cells.get(header))
                for key, header in ROSTER_COLUMNS.items()
                if header in dataset.headers
            }
            training_id = data.get("training", "")
            training = classes.get(int(training_id)) if training_id.isdigit() else None
            if training is None:
                outcome.problems.append(
                    RowProblem(
                        number,
                        [_("找不到编号为 %(id)s 的本单位培训班。") % {"id": training_id or "—"}],
                    )
                )
                continue
            if training.plan.is_closed:
                outcome.problems.append(
                    RowProblem(number, [_("该培训班所属年度工作计划已结束，不能导入。")])
                )
                continue
            attendee = TrainingAttendee(
                training=training,
                name=data.get("name", ""),
                organisation=data.get("organisation", ""),
            )
            try:
                check_row(attendee, ("name", "organisation"))
            except ValidationError as exc:
                outcome.problems.append(RowProblem(number, column_messages(exc, ROSTER_COLUMNS)))
                continue
            key = (training.pk, attendee.name, attendee.organisation)
            if key in seen:
                outcome.duplicates.append(
                    RowProblem(number, [_("与第 %(n)d 行相同，只导入一次。") % {"n": seen[key]}])
                )
                continue
            seen[key] = number
            if key in on_roster:
                outcome.duplicates.append(RowProblem(number, [_("花名册中已有此人。")]))
                continue
            outcome.created += 1
            added.setdefault(training.pk, []).append(attendee)
        steps = [lambda added=added, classes=classes: _add_attendees(added, classes)]
        return outcome, steps


def _add_attendees(added: dict[int, list[TrainingAttendee]], classes: dict) -> None:
    TrainingAttendee.objects.bulk_create([a for rows in added.values() for a in rows])
    counts = dict(
        TrainingAttendee.objects.filter(training__in=list(added))
        .values_list("training")
        .annotate(n=Count("pk"))
    )
    for pk, n in counts.items():
        TrainingClass.objects.filter(pk=pk, attendee_count__lt=n).update(attendee_count=n)


ROSTER_IMPORT = register(RosterImport())
import_roster = ROSTER_IMPORT.import_file


def roster_template(training: TrainingClass | None) -> sheets.Sheet:
    sheet = sheets.Sheet(_("花名册"), list(ROSTER_COLUMNS.values()))
    sheet.append([training.pk if training else 1, "王五", "某某科技有限公司"])
    return sheet


TRAINING_HEADERS = [
    "编号",
    "年度",
    "主办单位",
    "任务序号",
    "培训班名称",
    "开始日期",
    "结束日期",
    "地点",
    "授课教师",
    "参训人数",
    "花名册人数",
    "培训材料（个）",
]


def trainings_workbook(queryset) -> list[sheets.Sheet]:
    """The classes (dates as dates, counts as numbers) and every roster line."""
    classes = sheets.Sheet(_("培训班"), TRAINING_HEADERS)
    qs = queryset.select_related("plan", "province", "task").annotate(
        roster_size=Count("roster", distinct=True), material_count=Count("materials", distinct=True)
    )
    for c in qs:
        classes.append(
            [
                c.pk,
                c.plan.year,
                c.organiser,
                c.task.number,
                c.title,
                c.start_date,
                c.end_date,
                c.place,
                c.teachers,
                c.attendee_count,
                c.roster_size,
                c.material_count,
            ]
        )
    roster = sheets.Sheet(_("花名册"), list(ROSTER_COLUMNS.values()))
    for a in TrainingAttendee.objects.filter(training__in=queryset.values("pk")).order_by(
        "training_id", "pk"
    ):
        roster.append([a.training_id, a.name, a.organisation])
    return [classes, roster]
