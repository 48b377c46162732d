"""One validation per concept: the page, the API and the Excel import refuse alike.

Each bad input goes through every entry point that accepts it, and each answers with
the same message and saves nothing. Among them the disagreements we had: a schedule
step done two years early (the form refused, the API answered 201), an inactive expert
(the page assigned them, the API answered 409), and the ledger API's missing bounds
(a 1 MB description, the date 9999-12-31, 2^31 trainees).
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects import services as project_services
from projects.models import Application, Call, ExpertAssignment
from provinces.models import Assignment, Contact, LedgerEntry, Milestone, Province, Registration
from provinces.resources import CONTACT_HEADERS, LEDGER_HEADERS, import_contacts, import_ledger
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

TOO_LONG = "内容过长：不能超过 5000 个字符（现有 %d 个）。"
OUT_OF_PLAN = "日期应在 2017 年至 2019 年之间（2018 年度计划的前后一年）。"
TOO_MANY = "数值过大：不能超过 1000000。"
TOO_EARLY = "实际完成日期早于计划完成日期一年以上，请检查。"
BAD_PHONE = "电话号码格式不正确：请填写 11 位手机号码，或带区号的固定电话（如 010-62086172）。"
BAD_EMAIL = "邮箱格式不正确。"


@dataclass
class World:
    staff: object
    hq: object
    assignment: Assignment


@pytest.fixture
def world(plan_2018, jiangxi_staff, hq_reviewer) -> World:
    assignment = Assignment.objects.get(task__number=2, province__short_name="江西")
    return World(jiangxi_staff, hq_reviewer, assignment)


def flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in flatten(v)]
    if isinstance(value, list):
        return [m for v in value for m in flatten(v)]
    return [str(value)]


def page_text(response) -> list[str]:
    return [html.unescape(response.content.decode())]


def csv_file(headers: list[str], row: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


# --- ledger entries -----------------------------------------------------------------------


LEDGER = {
    "date": "2018-07-15",
    "kind": "training",
    "description": "举办专利信息利用培训班",
    "responsible_person": "李江",
    "classes_held": "1",
    "trainees": "120",
    "enterprises_served": "0",
}


def ledger_page(w: World, bad: dict) -> list[str]:
    data = {"assignment": w.assignment.pk, **LEDGER, **bad}
    response = client_for(w.staff).post("/provinces/ledger/new/", data)
    assert response.status_code == 200
    return page_text(response)


def ledger_api(w: World, bad: dict) -> list[str]:
    body = {"assignment": w.assignment.pk, **LEDGER, **bad}
    response = client_for(w.staff).post(
        "/api/v1/ledger-entries/", body, content_type="application/json"
    )
    assert response.status_code == 400
    return flatten(response.json())


def ledger_import(w: World, bad: dict) -> list[str]:
    values = {"year": "2018", "task": "2", "province": "江西", **LEDGER, **bad}
    values["kind"] = "培训班"
    row = {LEDGER_HEADERS[key]: value for key, value in values.items()}
    outcome = import_ledger(
        csv_file(list(LEDGER_HEADERS.values()), row), "台账.csv", w.staff, dry_run=False
    )
    assert not outcome.ok
    return [m for problem in outcome.problems for m in problem.messages]


def no_ledger_entry(w: World) -> bool:
    return not LedgerEntry.objects.exists()


# --- registrations: schedule steps and contacts ---------------------------------------------


CONTACTS = {
    "responsible": {
        "name": "李处长",
        "title": "处长",
        "phone": "0791-86000000",
        "email": "li@jx.cn",
    },
    "liaison": {"name": "王联络", "title": "科员", "phone": "13800138000", "email": "wang@jx.cn"},
}
STEP = {"due_date": "2018-09-30", "description": "完成站点建设", "done_on": ""}


def registration_page(w: World, step: dict, liaison: dict) -> list[str]:
    data = {
        "work_content": "建设站点",
        "expected_results": "培训 2 期",
        "ms-TOTAL_FORMS": "1",
        "ms-INITIAL_FORMS": "0",
        "ms-MIN_NUM_FORMS": "0",
        "ms-MAX_NUM_FORMS": "1000",
        **{f"ms-0-{k}": v for k, v in {**STEP, **step}.items()},
    }
    for role, contact in CONTACTS.items():
        contact = {**contact, **liaison} if role == "liaison" else contact
        data.update({f"{role}-{k}": v for k, v in contact.items()})
    response = client_for(w.staff).post(f"/provinces/assignments/{w.assignment.pk}/", data)
    assert response.status_code == 200
    return page_text(response)


def registration_api(w: World, step: dict, liaison: dict) -> list[str]:
    body = {
        "assignment": w.assignment.pk,
        "work_content": "建设站点",
        "expected_results": "培训 2 期",
        "contacts": [
            {"role": role, **contact, **(liaison if role == "liaison" else {})}
            for role, contact in CONTACTS.items()
        ],
        "milestones": [{k: v or None for k, v in {**STEP, **step}.items()}],
    }
    response = client_for(w.staff).post(
        "/api/v1/registrations/", body, content_type="application/json"
    )
    assert response.status_code == 400
    return flatten(response.json())


def contacts_import(w: World, liaison: dict) -> list[str]:
    contact = {**CONTACTS["liaison"], **liaison}
    row = dict(
        zip(
            CONTACT_HEADERS,
            ["2018", "2", "江西", "工作联系人", *(contact[k] for k in CONTACT_KEYS)],
            strict=True,
        )
    )
    outcome = import_contacts(csv_file(CONTACT_HEADERS, row), "通讯录.csv", w.staff, dry_run=False)
    assert not outcome.ok
    return [m for problem in outcome.problems for m in problem.messages]


CONTACT_KEYS = ("name", "title", "phone", "email")


def nothing_registered(w: World) -> bool:
    return not Milestone.objects.exists() and not Contact.objects.exists()


# --- marking a saved step done ---------------------------------------------------------------


def saved_step(w: World) -> Milestone:
    registration, _ = Registration.objects.get_or_create(assignment=w.assignment)
    return Milestone.objects.get_or_create(
        registration=registration, due_date="2018-09-30", description="完成站点建设"
    )[0]


def done_page(w: World, done_on: str) -> list[str]:
    step = saved_step(w)
    response = client_for(w.staff).post(
        f"/provinces/milestones/{step.pk}/done/", {"done_on": done_on}, follow=True
    )
    assert response.status_code == 200
    return page_text(response)


def done_api(w: World, done_on: str) -> list[str]:
    step = saved_step(w)
    response = client_for(w.staff).post(
        f"/api/v1/registrations/{step.registration_id}/milestone-done/",
        {"milestone": step.pk, "done_on": done_on},
    )
    assert response.status_code == 400
    return flatten(response.json())


def step_not_done(w: World) -> bool:
    return not Milestone.objects.filter(done_on__isnull=False).exists()


# --- assigning an expert ---------------------------------------------------------------------


def submitted_application(w: World) -> Application:
    from django.utils import timezone

    plan = w.assignment.task.plan
    call = Call.objects.create(
        plan=plan,
        task=plan.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点申报",
        opens_at=timezone.now() - timezone.timedelta(days=1),
        closes_at=timezone.now() + timezone.timedelta(days=10),
    )
    app = Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="江西某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
    )
    project_services.submit_application(app, w.staff)
    return app


def inactive_expert():
    expert = make_user("retired_expert", "expert", "河南")
    expert.is_active = False
    expert.save(update_fields=["is_active"])
    return expert


def assign_page(w: World, _bad) -> list[str]:
    app, expert = submitted_application(w), inactive_expert()
    response = client_for(w.hq).post(
        f"/projects/applications/{app.pk}/assign/", {"expert": expert.pk}, follow=True
    )
    assert response.status_code == 200
    return page_text(response)


def assign_api(w: World, _bad) -> list[str]:
    app, expert = submitted_application(w), inactive_expert()
    response = client_for(w.hq).post(
        f"/api/v1/applications/{app.pk}/assign-expert/", {"expert": expert.pk}
    )
    assert response.status_code == 409  # a refusal of the state of things, not of the input
    return flatten(response.json())


def no_expert_assigned(w: World) -> bool:
    return not ExpertAssignment.objects.exists()


INACTIVE = "评审专家 retired_expert 的账号已停用，不能分配评审。"


# --- the table --------------------------------------------------------------------------------


def without_import(table_row):
    entries, check = table_row
    return {k: v for k, v in entries.items() if k != "import"}, check


def ledger(bad):
    return {
        "page": lambda w: ledger_page(w, bad),
        "api": lambda w: ledger_api(w, bad),
        "import": lambda w: ledger_import(w, bad),
    }, no_ledger_entry


def schedule(step):
    return {
        "page": lambda w: registration_page(w, step, {}),
        "api": lambda w: registration_api(w, step, {}),
    }, nothing_registered


def contact(liaison):
    return {
        "page": lambda w: registration_page(w, {}, liaison),
        "api": lambda w: registration_api(w, {}, liaison),
        "import": lambda w: contacts_import(w, liaison),
    }, nothing_registered


def marking_done(done_on):
    return {
        "page": lambda w: done_page(w, done_on),
        "api": lambda w: done_api(w, done_on),
    }, step_not_done


def assignment_of_expert():
    return {"page": lambda w: assign_page(w, None), "api": lambda w: assign_api(w, None)}, (
        no_expert_assigned
    )


TABLE = {
    "ledger description of 5,001 characters": (
        ledger({"description": "字" * 5001}),
        TOO_LONG % 5001,
    ),
    # a spreadsheet cell that size is refused earlier, by the file's reader
    "ledger description of 1 MB": (
        without_import(ledger({"description": "字" * 1_000_000})),
        TOO_LONG % 1_000_000,
    ),
    "ledger dated 9999-12-31": (ledger({"date": "9999-12-31"}), OUT_OF_PLAN),
    "ledger with 2^31 trainees": (ledger({"trainees": str(2**31)}), TOO_MANY),
    "ledger with 1,000,001 enterprises": (ledger({"enterprises_served": "1000001"}), TOO_MANY),
    "step done two years early": (schedule({"done_on": "2016-09-01"}), TOO_EARLY),
    "step due 0001-01-01": (schedule({"due_date": "0001-01-01"}), OUT_OF_PLAN),
    "saved step marked done two years early": (marking_done("2016-09-01"), TOO_EARLY),
    "contact phone 12345": (contact({"phone": "12345"}), BAD_PHONE),
    "contact e-mail not-an-email": (contact({"email": "not-an-email"}), BAD_EMAIL),
    "inactive expert": (assignment_of_expert(), INACTIVE),
}
ROWS = [
    pytest.param(name, entry, id=f"{name} via {entry}")
    for name, ((entries, _check), _message) in TABLE.items()
    for entry in entries
]


@pytest.mark.parametrize(("name", "entry"), ROWS)
def test_every_entry_point_refuses_alike(world, name, entry):
    (entries, nothing_saved), message = TABLE[name]
    shown = entries[entry](world)
    assert any(message in text for text in shown)
    assert nothing_saved(world)


# --- the ledger's filters: one definition for the page, its export and the API ---------------


def test_page_export_and_api_filter_the_ledger_alike(world):
    import openpyxl

    for day, kind in [
        ("2018-06-20", "training"),
        ("2018-07-15", "training"),
        ("2018-08-01", "other"),
    ]:
        LedgerEntry.objects.create(
            assignment=world.assignment,
            date=day,
            kind=kind,
            description="台账",
            responsible_person="李",
        )
    query = "year=2018&task=2&kind=training&date_from=2018-07-01&date_to=2018-12-31"
    client = client_for(world.staff)
    page = client.get(f"/provinces/ledger/?{query}")
    api = client.get(f"/api/v1/ledger-entries/?{query}")
    export = client.get(f"/provinces/ledger/export.xlsx?{query}")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    assert (page.status_code, api.status_code, export.status_code) == (200, 200, 200)
    assert page.context["totals"]["entries"] == api.json()["count"] == len(rows) - 1 == 1
    # a year is a whole number: the API refuses 0.5, the page ignores that filter
    assert client.get("/api/v1/ledger-entries/?year=0.5").status_code == 400
    assert client.get("/provinces/ledger/?year=0.5").context["totals"]["entries"] == 3
