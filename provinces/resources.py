"""Excel in and out: ledger entries and the contact directory, with Chinese headers.

Both imports are ``workflow.imports`` importers (bounded files, one confirm per preview,
a Celery job for long files): a preview lists every row's errors in Chinese with its row
number and the rows already present (duplicates, not written again); the real import runs in
one transaction and saves no row if any row is bad.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from accounts.models import HQ, STAFF
from workflow import sheets
from workflow.imports import Importer, ImportOutcome, RowProblem, RowTicker, register
from workflow.machine import TransitionRefused
from workflow.review import save_draft
from workflow.validation import RowRules, check_row

from .ledger import FIGURES
from .models import Assignment, Contact, LedgerEntry, Registration

LEDGER_HEADERS = {
    "year": "年度",
    "task": "任务序号",
    "province": "省份",
    "date": "日期",
    "kind": "活动类型",
    "description": "工作内容",
    "responsible_person": "责任人",
    "classes_held": "举办培训班（期）",
    "trainees": "培训人数（人次）",
    "enterprises_served": "服务企业（家）",
}
REQUIRED_HEADERS = ["年度", "任务序号", "日期", "活动类型", "工作内容", "责任人"]
KIND_BY_LABEL = {str(label): value for value, label in LedgerEntry.Kind.choices}
ENTRY_FIELDS = ("date", "kind", "description", "responsible_person")


class LedgerRow(forms.Form):
    """Reads one spreadsheet row (numbers, date formats, labels); its messages are the ones
    people read. The bounds are the entry's own (``LedgerEntry``), checked by ``check_row``."""

    year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": gettext_lazy("年度不能为空"),
            "invalid": gettext_lazy("年度应为四位数字"),
        },
    )
    task = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": gettext_lazy("任务序号不能为空"),
            "invalid": gettext_lazy("任务序号应为数字"),
        },
    )
    date = forms.DateField(
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
        error_messages={
            "required": gettext_lazy("日期不能为空"),
            "invalid": gettext_lazy("日期格式不正确（应为 2018-07-15）"),
        },
    )
    kind = forms.CharField(error_messages={"required": gettext_lazy("活动类型不能为空")})
    description = forms.CharField(error_messages={"required": gettext_lazy("工作内容不能为空")})
    responsible_person = forms.CharField(
        error_messages={"required": gettext_lazy("责任人不能为空")}
    )
    classes_held = forms.IntegerField(
        min_value=0,
        required=False,
        error_messages={
            "invalid": gettext_lazy("培训班期数应为非负整数"),
            "min_value": gettext_lazy("培训班期数应为非负整数"),
        },
    )
    trainees = forms.IntegerField(
        min_value=0,
        required=False,
        error_messages={
            "invalid": gettext_lazy("培训人数应为非负整数"),
            "min_value": gettext_lazy("培训人数应为非负整数"),
        },
    )
    enterprises_served = forms.IntegerField(
        min_value=0,
        required=False,
        error_messages={
            "invalid": gettext_lazy("服务企业数应为非负整数"),
            "min_value": gettext_lazy("服务企业数应为非负整数"),
        },
    )

    def clean_kind(self):
        value = self.cleaned_data["kind"].strip()
        if value in KIND_BY_LABEL:
            return KIND_BY_LABEL[value]
        if value in LedgerEntry.Kind.values:
            return value
        raise ValidationError(
            _("活动类型“%(v)s”无效，应为：%(all)s") % {"v": value, "all": "、".join(KIND_BY_LABEL)}
        )

    @classmethod
    def parser(cls):
        """``parse(data) -> (cleaned, messages)``: this form's fields and ``clean_kind`` on one
        row, with the same messages as ``is_valid()``, without building a form per row (the
        form's deep copy of its fields was most of a 10,000-row import). The cell values of
        the few columns that repeat (year, task, date, kind, figures) are cleaned once each."""
        fields = cls.base_fields
        seen: dict[tuple[str, str], tuple[bool, object]] = {}
        form = cls()

        def clean(name, value):
            field = fields[name]
            try:
                cleaned = field.clean(value)
                if name == "kind":
                    form.cleaned_data = {"kind": cleaned}
                    cleaned = form.clean_kind()
            except ValidationError as exc:
                return False, exc.messages
            return True, cleaned

        def parse(data: dict) -> tuple[dict, list[str]]:
            cleaned, messages = {}, []
            for name in fields:
                value = data.get(name, "")
                if name in ("description", "responsible_person"):
                    ok, result = clean(name, value)
                else:
                    key = (name, value)
                    if key not in seen:
                        seen[key] = clean(name, value)
                    ok, result = seen[key]
                if ok:
                    cleaned[name] = result
                else:
                    messages.extend(str(m) for m in result)
            return cleaned, messages

        return parse


# Exports hand the sheet writer numbers and dates, not their text (sums and sorting work).
NUMBER = widgets.IntegerWidget(coerce_to_string=False)


class NewOnlyLoader(BaseInstanceLoader):
    """Ledger imports only add entries: no lookup per row."""

    def get_instance(self, row):
        return None


class LedgerEntryResource(resources.ModelResource):
    """Ledger entries in and out. The importing user decides which assignments are reachable."""

    year = fields.Field(
        attribute="assignment__task__plan__year",
        column_name=LEDGER_HEADERS["year"],
        readonly=True,
        widget=NUMBER,
    )
    task = fields.Field(
        attribute="assignment__task__number",
        column_name=LEDGER_HEADERS["task"],
        readonly=True,
        widget=NUMBER,
    )
    province = fields.Field(
        attribute="assignment__province__short_name",
        column_name=LEDGER_HEADERS["province"],
        readonly=True,
    )
    date = fields.Field(
        attribute="date",
        column_name=LEDGER_HEADERS["date"],
        widget=widgets.DateWidget(coerce_to_string=False),
    )
    kind = fields.Field(attribute="kind", column_name=LEDGER_HEADERS["kind"])
    description = fields.Field(attribute="description", column_name=LEDGER_HEADERS["description"])
    responsible_person = fields.Field(
        attribute="responsible_person", column_name=LEDGER_HEADERS["responsible_person"]
    )
    classes_held = fields.Field(
        attribute="classes_held", column_name=LEDGER_HEADERS["classes_held"], widget=NUMBER
    )
    trainees = fields.Field(
        attribute="trainees", column_name=LEDGER_HEADERS["trainees"], widget=NUMBER
    )
    enterprises_served = fields.Field(
        attribute="enterprises_served",
        column_name=LEDGER_HEADERS["enterprises_served"],
        widget=NUMBER,
    )

    class Meta:
        model = LedgerEntry
        fields = tuple(LEDGER_HEADERS)
        import_id_fields = ()
        use_bulk = True
        batch_size = 2000
        skip_diff = True
        force_init_instance = True
        instance_loader_class = NewOnlyLoader

    def __init__(self, user=None):
        super().__init__()
        self.user = user
        self._assignments: dict[tuple[int, int, str], Assignment] | None = None
        self._existing: dict[int, set[tuple]] = {}  # assignment id → its entries' keys
        self._seen: dict[tuple, int] = {}  # key → the row of this file that has it
        self._row_number = 0
        self.duplicates: dict[int, str] = {}  # row number → why it is a duplicate

    # --- export ----------------------------------------------------------------------
    def dehydrate_kind(self, entry):
        return entry.get_kind_display()

    def get_export_queryset(self, request=None, **kwargs):
        return LedgerEntry.objects.visible_to(self.user).select_related(
            "assignment__task__plan", "assignment__province"
        )

    # --- import ----------------------------------------------------------------------
    def assignments(self) -> dict:
        if self._assignments is None:
            qs = (
                Assignment.objects.visible_to(self.user)
                .filter(taken_up=True)
                .select_related("task__plan", "province")
            )
            self._assignments = {}
            for a in qs:
                for name in (a.province.short_name, a.province.name, a.province.code):
                    self._assignments[(a.task.plan.year, a.task.number, name)] = a
        return self._assignments

    def lock_assignments(self) -> None:
        """Lock every assignment this user may import into (in one order: no deadlock), so
        two imports of the same rows cannot both find them new."""
        pks = sorted({a.pk for a in self.assignments().values()})
        list(Assignment.objects.select_for_update().filter(pk__in=pks).values_list("pk"))


def column_messages(exc: ValidationError, headers: dict[str, str]) -> list[str]:
    """A row's messages, each named by its column: a spreadsheet has no field to point at."""
    return [
        _("%(column)s：%(message)s") % {"column": headers[name], "message": message}
        if name in headers
        else message
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class LedgerRows:
    """A ledger sheet read once: every row parsed (``LedgerRow``), placed (the user's
    reachable assignments) and checked by the entry's own rules (``check_row``), as the
    entry it would write. Duplicates depend on what the ledger holds, so ``outcome()``
    matches them afresh each time (the write runs it again under the assignments' lock)."""

    def __init__(self, dataset, user, rows: RowTicker | None = None) -> None:
        self.user = user
        self.resource = LedgerEntryResource(user=user)
        self.total = len(dataset)
        self.problems: list[RowProblem] = []
        self.entries: list[tuple[int, LedgerEntry]] = []  # (sheet row, entry)
        parse = LedgerRow.parser()
        self.rules = RowRules(LedgerEntry, [*ENTRY_FIELDS, *FIGURES])
        headers = dataset.headers
        columns = [(key, headers.index(h)) for key, h in LEDGER_HEADERS.items() if h in headers]
        for number, values in enumerate(dataset, start=2):  # the header is row 1
            data = {key: _cell(values[i]) for key, i in columns}
            try:
                self.entries.append((number, self._entry(data, parse)))
            except ValidationError as exc:
                self.problems.append(RowProblem(number, exc.messages))
            if rows is not None:
                rows(number - 1, self.total)

    def _province(self, data: dict) -> str:
        user = self.user
        if not user.is_province_staff:
            if not data.get("province"):
                raise ValidationError(_("省份不能为空"))
            return data["province"]
        province = data.get("province") or user.province.short_name
        if province not in (user.province.short_name, user.province.name, user.province.code):
            raise ValidationError(
                _("只能导入本单位（%(p)s）的台账，该行省份为“%(x)s”。")
                % {"p": user.province.short_name, "x": province}
            )
        return province

    def _entry(self, data: dict, parse) -> LedgerEntry:
        clean, messages = parse(data)
        if messages:
            raise ValidationError(messages)
        province = self._province(data)
        assignment = self.resource.assignments().get((clean["year"], clean["task"], province))
        if assignment is None:
            raise ValidationError(
                _(
                    "找不到 %(year)s 年度任务（%(task)s）在“%(province)s”的任务承担：请检查年度、任务序号和省份。"
                )
                % {"year": clean["year"], "task": clean["task"], "province": province}
            )
        entry = LedgerEntry(
            assignment=assignment,
            created_by=self.user,
            **{name: clean.get(name) or 0 for name in FIGURES},
            **{name: clean[name] for name in ENTRY_FIELDS},
        )
        try:
            self.rules.check(entry)  # check_row's rules, each cell value checked once
        except ValidationError as exc:
            raise ValidationError(column_messages(exc, LEDGER_HEADERS)) from exc
        return entry

    def outcome(self) -> tuple[ImportOutcome, list[LedgerEntry]]:
        """The problems, the duplicates (of the ledger, or of an earlier row) and the new
        entries. The ledger's keys are read once per assignment the sheet writes to."""
        outcome = ImportOutcome(total=self.total, problems=list(self.problems))
        existing: dict[int, set[tuple]] = {}
        seen: dict[tuple, int] = {}
        new = []
        for number, entry in self.entries:
            key = (entry.date, entry.description, *(getattr(entry, f) for f in FIGURES))
            if entry.assignment_id not in existing:
                existing[entry.assignment_id] = set(
                    LedgerEntry.objects.filter(assignment_id=entry.assignment_id).values_list(
                        "date", "description", *FIGURES
                    )
                )
            if key in existing[entry.assignment_id]:
                outcome.duplicates.append(
                    RowProblem(number, [_("与台账中已有的记录相同，不再导入。")])
                )
                continue
            key = (entry.assignment_id, *key)
            if key in seen:
                outcome.duplicates.append(
                    RowProblem(number, [_("与第 %(n)d 行相同，只导入一次。") % {"n": seen[key]}])
                )
                continue
            seen[key] = number
            new.append(entry)
        outcome.created = len(new)
        return outcome, new


class LedgerImport(Importer):
    kind = "ledger"
    title = gettext_lazy("从 Excel 导入台账")
    roles = STAFF | HQ
    done_url = "provinces:ledger_list"
    template_url = "provinces:ledger_template"
    upload_url = "provinces:ledger_import"

    def missing_headers(self, headers, user):
        missing = [h for h in REQUIRED_HEADERS if h not in headers]
        if user.is_hq and "省份" not in headers:
            missing.append("省份")
        return missing

    def check(self, dataset, user, rows: RowTicker) -> ImportOutcome:
        return self._rows(dataset, user, rows).outcome()[0]

    def write(self, dataset, user) -> ImportOutcome:
        """Under the lock of every assignment the user may import into (so two imports of
        the same rows cannot both find them new), one bulk insert of the new entries."""
        read = self._rows(dataset, user)
        dataset._ledger_rows = None  # the entries written here are never offered again
        read.resource.lock_assignments()
        outcome, new = read.outcome()
        if outcome.ok:
            LedgerEntry.objects.bulk_create(new, batch_size=2000)
        else:
            outcome.created = 0
        return outcome

    @staticmethod
    def _rows(dataset, user, rows: RowTicker | None = None) -> LedgerRows:
        """The sheet read once per run: ``run()`` checks, then writes the same dataset."""
        cached = getattr(dataset, "_ledger_rows", None)
        if cached is not None and cached.user.pk == user.pk:
            return cached
        read = LedgerRows(dataset, user, rows)
        dataset._ledger_rows = read
        return read


LEDGER_IMPORT = register(LedgerImport())
import_ledger = LEDGER_IMPORT.import_file


def ledger_workbook(user, queryset) -> sheets.Sheet:
    """The ledger entries as a sheet in the import's own columns (it imports back)."""
    dataset = LedgerEntryResource(user=user).export(queryset=queryset)
    return sheets.from_dataset(dataset, _("工作台账"))


def _sample_assignment(user, *, editable_registration: bool = False) -> tuple[int, int, str]:
    """Year, task and unit of an assignment the user may import into: the sample row passes."""
    qs = (
        Assignment.objects.visible_to(user)
        .filter(taken_up=True)
        .select_related("task__plan", "province", "registration")
        .order_by("-task__plan__year", "task__number", "province__sort_order")
    )
    for a in qs[:200]:
        registration = getattr(a, "registration", None)
        if not editable_registration or registration is None or registration.is_editable:
            return a.task.plan.year, a.task.number, a.province.short_name
    return 2018, 2, "江西"


def ledger_template(user) -> sheets.Sheet:
    year, task, province = _sample_assignment(user)
    sheet = sheets.Sheet(_("工作台账"), list(LEDGER_HEADERS.values()))
    sheet.append(
        [
            year,
            task,
            province,
            date(year, 7, 15),
            "培训班",
            "举办专利信息利用培训班",
            "张三",
            1,
            120,
            0,
        ]
    )
    return sheet


CONTACT_HEADERS = ["年度", "任务序号", "省份", "角色", "姓名", "职务", "电话", "邮箱"]
ROLE_BY_LABEL = {str(label): value for value, label in Contact.Role.choices}


class ContactDirectoryResource(resources.ModelResource):
    """通讯录: every registration's responsible official and contact person.

    Its columns are the contacts import's (CONTACT_HEADERS), so an export imports back.
    """

    year = fields.Field(
        attribute="registration__assignment__task__plan__year", column_name="年度", widget=NUMBER
    )
    task = fields.Field(
        attribute="registration__assignment__task__number", column_name="任务序号", widget=NUMBER
    )
    province = fields.Field(
        attribute="registration__assignment__province__short_name", column_name="省份"
    )
    role = fields.Field(attribute="role", column_name="角色")
    name = fields.Field(attribute="name", column_name="姓名")
    title = fields.Field(attribute="title", column_name="职务")
    phone = fields.Field(attribute="phone", column_name="电话")
    email = fields.Field(attribute="email", column_name="邮箱")

    class Meta:
        model = Contact
        fields = ("year", "task", "province", "role", "name", "title", "phone", "email")

    def dehydrate_role(self, contact):
        return contact.get_role_display()


def contacts_workbook(queryset) -> sheets.Sheet:
    return sheets.from_dataset(ContactDirectoryResource().export(queryset=queryset), _("通讯录"))


def contact_directory(user, year: int | None = None):
    qs = Contact.objects.visible_to(user).select_related(
        "registration__assignment__province", "registration__assignment__task__plan"
    )
    if year:
        qs = qs.filter(registration__assignment__task__plan__year=year)
    return qs.order_by(
        "registration__assignment__province__sort_order",
        "registration__assignment__task__number",
        "role",
    )


CONTACT_FIELDS = ("name", "title", "phone", "email")
CONTACT_COLUMNS = {"name": "姓名", "title": "职务", "phone": "电话", "email": "邮箱"}


class ContactRow(forms.Form):
    year = forms.IntegerField(
        error_messages={
            "required": gettext_lazy("年度不能为空"),
            "invalid": gettext_lazy("年度应为四位数字"),
        }
    )
    task = forms.IntegerField(
        error_messages={
            "required": gettext_lazy("任务序号不能为空"),
            "invalid": gettext_lazy("任务序号应为数字"),
        }
    )
    role = forms.CharField(error_messages={"required": gettext_lazy("角色不能为空")})
    # lengths, the phone and the e-mail are the contact's own rules (check_row)
    name = forms.CharField(error_messages={"required": gettext_lazy("姓名不能为空")})
    title = forms.CharField(required=False)
    phone = forms.CharField(error_messages={"required": gettext_lazy("电话不能为空")})
    email = forms.CharField(error_messages={"required": gettext_lazy("邮箱不能为空")})

    def clean_role(self):
        value = self.cleaned_data["role"].strip()
        if value in ROLE_BY_LABEL:
            return ROLE_BY_LABEL[value]
        raise ValidationError(_("角色应为“处级具体负责人”或“工作联系人”"))


CONTACT_KEYS = {
    "年度": "year",
    "任务序号": "task",
    "省份": "province",
    "角色": "role",
    "姓名": "name",
    "职务": "title",
    "电话": "phone",
    "邮箱": "email",
}


class ContactsImport(Importer):
    """Contacts of registrations from a sheet: all rows or none; locked registrations refuse.

    A row the directory already holds word for word is a duplicate; a row for a role that
    has someone else (or other details) updates that contact.
    """

    kind = "contacts"
    title = gettext_lazy("从 Excel 导入联系人")
    roles = STAFF | HQ
    done_url = "provinces:contacts"
    template_url = "provinces:contacts_template"
    upload_url = "provinces:contacts_import"

    def missing_headers(self, headers, user):
        return [h for h in CONTACT_HEADERS if h not in headers and h != "职务"]

    def check(self, dataset, user, rows: RowTicker) -> ImportOutcome:
        return self._plan(dataset, user, rows)[0]

    def write(self, dataset, user) -> ImportOutcome:
        resource = LedgerEntryResource(user=user)
        resource.lock_assignments()
        outcome, planned = self._plan(dataset, user, lambda done, total: None, resource)
        if outcome.ok:
            try:
                _save_contacts(planned, user)
            except TransitionRefused as exc:  # changed since the rows were checked: save none
                outcome.problems.append(RowProblem(0, [exc.message]))
        return outcome

    def _plan(self, dataset, user, rows: RowTicker, resource=None):
        headers = dataset.headers
        keys = CONTACT_KEYS
        resource = resource or LedgerEntryResource(user=user)  # its map of reachable assignments
        outcome = ImportOutcome(total=len(dataset))
        planned = []
        seen: dict[tuple[int, str], tuple[int, dict]] = {}  # (assignment, role) → (row, values)
        for number, cells in enumerate(dataset.dict, start=2):
            rows(number - 1, len(dataset))
            data = {keys[h]: _cell(cells.get(h)) for h in keys if h in headers}
            form = ContactRow(data)
            if not form.is_valid():
                outcome.problems.append(
                    RowProblem(number, [str(m) for msgs in form.errors.values() for m in msgs])
                )
                continue
            clean = form.cleaned_data
            contact = Contact(**{k: clean[k] or "" for k in CONTACT_FIELDS})
            try:
                check_row(contact, CONTACT_FIELDS)  # the phone as Contact.clean normalises it
            except ValidationError as exc:
                outcome.problems.append(RowProblem(number, column_messages(exc, CONTACT_COLUMNS)))
                continue
            clean.update({k: getattr(contact, k) for k in CONTACT_FIELDS})
            province = data.get("province") or (
                user.province.short_name if user.is_province_staff else ""
            )
            assignment = resource.assignments().get((clean["year"], clean["task"], province))
            if assignment is None:
                outcome.problems.append(
                    RowProblem(
                        number,
                        [
                            _(
                                "找不到 %(year)s 年度任务（%(task)s）在“%(province)s”的任务承担：请检查年度、任务序号和省份。"
                            )
                            % {"year": clean["year"], "task": clean["task"], "province": province}
                        ],
                    )
                )
                continue
            registration = Registration.objects.filter(assignment=assignment).first()
            try:  # the lifecycle's rules, told per row; save_draft applies them again on write
                (registration or Registration(assignment=assignment)).check_eligible(user)
                if registration is not None:
                    registration.ensure_editable()
            except TransitionRefused as exc:
                outcome.problems.append(RowProblem(number, [exc.message]))
                continue
            values = {k: clean[k] for k in CONTACT_FIELDS}
            first = seen.get((assignment.pk, clean["role"]))
            if first is not None:
                if first[1] == values:
                    outcome.duplicates.append(
                        RowProblem(number, [_("与第 %(n)d 行相同，只导入一次。") % {"n": first[0]}])
                    )
                else:
                    outcome.problems.append(
                        RowProblem(
                            number,
                            [
                                _("与第 %(n)d 行是同一任务的同一角色，请只保留一行。")
                                % {"n": first[0]}
                            ],
                        )
                    )
                continue
            seen[(assignment.pk, clean["role"])] = (number, values)
            existing = (
                Contact.objects.filter(registration=registration, role=clean["role"])
                .values("name", "title", "phone", "email")
                .first()
                if registration is not None
                else None
            )
            if existing == values:
                outcome.duplicates.append(
                    RowProblem(number, [_("通讯录中已有相同的联系人，不再导入。")])
                )
                continue
            if existing is None:
                outcome.created += 1
            else:
                outcome.updated += 1
            planned.append((assignment, clean))
        return outcome, planned


CONTACTS_IMPORT = register(ContactsImport())
import_contacts = CONTACTS_IMPORT.import_file


def _save_contacts(planned: list[tuple[Assignment, dict]], user) -> None:
    """Each registration's contacts, imported roles replacing those roles, via save_draft."""
    by_assignment: dict[int, tuple[Assignment, dict[str, dict]]] = {}
    for assignment, clean in planned:
        by_assignment.setdefault(assignment.pk, (assignment, {}))[1][clean["role"]] = clean
    for assignment, imported in by_assignment.values():
        registration = Registration.objects.filter(assignment=assignment).first()
        kept = [
            c
            for c in (registration.contacts.all() if registration else [])
            if c.role not in imported
        ]
        contacts = [
            Contact(role=c.role, **{k: getattr(c, k) for k in CONTACT_FIELDS}) for c in kept
        ] + [
            Contact(role=role, **{k: clean[k] for k in CONTACT_FIELDS})
            for role, clean in imported.items()
        ]
        save_draft(
            registration or Registration(assignment=assignment), user, {}, {"contacts": contacts}
        )


def contacts_template(user) -> sheets.Sheet:
    year, task, province = _sample_assignment(user, editable_registration=True)
    sheet = sheets.Sheet(_("通讯录"), CONTACT_HEADERS)
    sheet.append(
        [year, task, province, "工作联系人", "王五", "主任科员", "0791-86000000", "wang@example.cn"]
    )
    return sheet
