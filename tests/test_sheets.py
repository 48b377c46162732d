"""Every spreadsheet the app writes: text stays text, dates and numbers are typed, widths fit
Chinese, sheets have real names, and the exports that have an import read back through it."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from projects.models import Application, Call
from provinces.models import Assignment, Case, Contact, LedgerEntry, Province, Registration
from provinces.network import TrainingClass
from provinces.resources import import_contacts, import_ledger
from reporting import services as reporting_services
from reporting.demo import TEXT
from reporting.models import AnnualSummary
from tests.loop.conftest import fill
from workflow import sheets

pytestmark = pytest.mark.django_db

# What a hostile unit types into a free-text field, hoping HQ's spreadsheet runs it.
HOSTILE = [
    '=HYPERLINK("http://evil.example/","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "＝1+1",
]


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == sheets.CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def cells(ws) -> dict:
    """Header → list of that column's cells below the header."""
    rows = list(ws.iter_rows())
    return {head.value: [row[i] for row in rows[1:]] for i, head in enumerate(rows[0])}


def assert_text(cell, value) -> None:
    assert (cell.value, cell.data_type) == (value, "s")


def assert_wide_enough(ws) -> None:
    for head in next(ws.iter_rows()):
        width = ws.column_dimensions[head.column_letter].width
        assert width >= sheets.display_width(head.value), head.value


def test_the_writer_stores_text_as_text_and_keeps_types():
    sheet = sheets.Sheet("台账[2018]/导出", ["文本", "日期", "数字"])
    for i, value in enumerate([*HOSTILE, "#N/A"]):
        sheet.append([value, date(2018, 7, i + 1), Decimal("12.5") + i])
    sheet.append(["带\x01控制符", timezone.make_aware(datetime(2018, 7, 1, 9, 30)), None])
    wb = openpyxl.load_workbook(io.BytesIO(sheets.workbook(sheet)))
    assert wb.sheetnames == ["台账2018导出"]
    ws = wb.active
    column = cells(ws)
    for cell, value in zip(column["文本"], [*HOSTILE, "#N/A", "带控制符"], strict=True):
        assert_text(cell, value)
    assert column["文本"][0].quotePrefix  # editing it in Excel keeps it text too
    assert column["日期"][0].is_date and column["日期"][0].value == datetime(2018, 7, 1)
    assert column["日期"][-1].value == datetime(2018, 7, 1, 9, 30)  # local time, as shown
    assert (column["数字"][0].data_type, column["数字"][0].value) == ("n", 12.5)
    assert ws.column_dimensions["A"].width >= sheets.display_width(HOSTILE[0])


def test_cjk_text_counts_two_units_per_character():
    ws = openpyxl.load_workbook(
        io.BytesIO(sheets.workbook(sheets.Sheet("通讯录", ["省份"], [["新疆生产建设兵团"]])))
    ).active
    assert ws.column_dimensions["A"].width >= 16


def make_entries(plan_2018):
    jx = Assignment.objects.get(task__plan=plan_2018, task__number=2, province__short_name="江西")
    for i, value in enumerate(HOSTILE):
        LedgerEntry.objects.create(
            assignment=jx,
            date=date(2018, 7, i + 1),
            kind="training",
            description=value,
            responsible_person=value[:50],
            classes_held=i,
            trainees=100 + i,
            enterprises_served=1,
        )


def entry_values():
    return sorted(
        LedgerEntry.objects.values_list(
            "assignment",
            "date",
            "kind",
            "description",
            "responsible_person",
            "classes_held",
            "trainees",
            "enterprises_served",
        )
    )


def test_ledger_export_is_formula_safe_typed_and_imports_back(
    as_user, plan_2018, jiangxi_staff, hq_reviewer
):
    make_entries(plan_2018)
    response = as_user(hq_reviewer).get("/provinces/ledger/export.xlsx")
    wb = workbook(response)
    assert wb.sheetnames == ["工作台账"]
    ws = wb.active
    column = cells(ws)
    for cell, value in zip(column["工作内容"], HOSTILE, strict=True):
        assert_text(cell, value)
    assert all(c.is_date for c in column["日期"])
    assert [c.value for c in column["日期"]] == [datetime(2018, 7, d) for d in range(1, 7)]
    assert [c.value for c in column["培训人数（人次）"]] == [100, 101, 102, 103, 104, 105]
    assert {c.data_type for c in column["年度"] + column["任务序号"]} == {"n"}
    assert_wide_enough(ws)

    # The export is an import file: HQ's export, read back, recreates the same entries.
    before = entry_values()
    LedgerEntry.objects.all().delete()
    outcome = import_ledger(response.content, "ledger.xlsx", hq_reviewer, dry_run=False)
    assert outcome.ok, outcome.problems
    # The import trims surrounding whitespace (the tab); everything else comes back as it was.
    assert entry_values() == [
        (*row[:3], row[3].strip(), row[4].strip(), *row[5:]) for row in before
    ]


@pytest.mark.parametrize("who", ["jiangxi_staff", "henan_staff", "hq_reviewer"])
def test_ledger_template_is_typed_named_and_its_sample_row_imports(
    as_user, plan_2018, who, request
):
    """The sample row names an assignment the user has (江西 carries no task 1)."""
    user = request.getfixturevalue(who)
    response = as_user(user).get("/provinces/ledger/template.xlsx")
    wb = workbook(response)
    assert wb.sheetnames == ["工作台账"]
    column = cells(wb.active)
    assert column["日期"][0].is_date
    assert column["培训人数（人次）"][0].data_type == "n"
    assert_wide_enough(wb.active)
    outcome = import_ledger(response.content, "template.xlsx", user, dry_run=True)
    assert outcome.ok, outcome.problems


def test_contact_directory_is_formula_safe_and_imports_back(as_user, plan_2018, jiangxi_staff):
    registration = fill(
        Registration.objects.create(
            assignment=Assignment.objects.get(
                task__plan=plan_2018, task__number=2, province__short_name="江西"
            )
        )
    )
    Contact.objects.filter(registration=registration, role="liaison").update(
        name="＝王", title=HOSTILE[0]
    )
    response = as_user(jiangxi_staff).get("/provinces/contacts/?format=xlsx&year=2018")
    wb = workbook(response)
    assert wb.sheetnames == ["通讯录"]
    ws = wb.active
    column = cells(ws)
    assert list(column) == ["年度", "任务序号", "省份", "角色", "姓名", "职务", "电话", "邮箱"]
    liaison = [c.value for c in column["角色"]].index("工作联系人")
    assert_text(column["职务"][liaison], HOSTILE[0])
    assert_text(column["姓名"][liaison], "＝王")
    assert_text(column["电话"][liaison], "13800138000")  # a phone number is text, not a number
    assert [c.value for c in column["年度"]] == [2018, 2018]
    assert_wide_enough(ws)

    fields = ("registration", "role", "name", "title", "phone", "email")
    before = sorted(Contact.objects.values_list(*fields))
    Contact.objects.all().delete()
    outcome = import_contacts(response.content, "contacts.xlsx", jiangxi_staff, dry_run=False)
    assert outcome.ok, outcome.problems
    assert sorted(Contact.objects.values_list(*fields)) == before


def test_contacts_template_is_named_typed_and_its_sample_row_imports(
    as_user, plan_2018, jiangxi_staff, hq_reviewer
):
    """The sample row avoids a locked registration (江西's task 2 here is submitted)."""
    from provinces.services import submit_registration

    jiangxi = Assignment.objects.filter(task__plan=plan_2018, province__short_name="江西")
    first = jiangxi.filter(taken_up=True).order_by("task__number").first()
    submit_registration(fill(Registration.objects.create(assignment=first)), jiangxi_staff)
    response = as_user(jiangxi_staff).get("/provinces/contacts/template.xlsx")
    wb = workbook(response)
    assert wb.sheetnames == ["通讯录"]
    column = cells(wb.active)
    assert column["年度"][0].data_type == "n" and column["电话"][0].data_type == "s"
    assert column["任务序号"][0].value != first.task.number
    outcome = import_contacts(response.content, "template.xlsx", jiangxi_staff, dry_run=True)
    assert outcome.ok, outcome.problems


@pytest.fixture
def hostile_projects(plan_2018):
    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点申报",
        opens_at=timezone.now(),
        closes_at=timezone.now(),
    )
    for i, value in enumerate(HOSTILE):
        Application.objects.create(
            call=call,
            province=Province.objects.get(short_name="江西"),
            applicant=value,
            undertaking_unit=value,
            contact_name="刘",
            contact_phone="13800138000",
            budget_requested=Decimal("20.50") + i,
            budget_granted=Decimal("10") if i % 2 else None,
            plan_text="方案",
            state="approved" if i % 2 else "submitted",
        )
    return call


def test_projects_export_is_formula_safe_and_typed(as_user, hostile_projects, hq_reviewer):
    wb = workbook(as_user(hq_reviewer).get("/projects/export.xlsx"))
    assert wb.sheetnames == ["项目申报"]
    ws = wb.active
    column = cells(ws)
    assert sorted(c.value for c in column["申报单位"]) == sorted(HOSTILE)
    assert {c.data_type for c in column["申报单位"] + column["承担单位"]} == {"s"}
    assert sorted(c.value for c in column["申请经费（万元）"]) == [20.5 + i for i in range(6)]
    assert {c.value for c in column["资助经费（万元）"]} == {10, None}
    assert {c.data_type for c in column["任务"]} == {"n"}
    assert_wide_enough(ws)


def test_project_totals_export_is_typed(as_user, hostile_projects, hq_reviewer):
    wb = workbook(as_user(hq_reviewer).get("/projects/totals.xlsx"))
    assert wb.sheetnames == ["按任务和类型", "按省份", "按状态"]
    column = cells(wb["按省份"])
    assert [c.value for c in column["省份"]] == ["江西省"]
    assert [c.value for c in column["申报数"]] == [6]
    assert [c.value for c in column["资助经费（万元）"]] == [30]
    assert [c.value for c in cells(wb["按任务和类型"])["任务"]] == [4]
    for ws in wb:
        assert_wide_enough(ws)


def test_digest_workbook_is_formula_safe_and_typed(
    as_user, plan_2018, hostile_projects, jiangxi_staff, hq_reviewer
):
    jiangxi = Province.objects.get(short_name="江西")
    summary = AnnualSummary.objects.create(
        plan=plan_2018, province=jiangxi, **{**TEXT, "policy_planning": HOSTILE[0]}
    )
    reporting_services.submit_summary(summary, jiangxi_staff)
    reporting_services.confirm_summary(summary, hq_reviewer)
    Case.objects.create(
        plan=plan_2018,
        province=jiangxi,
        title=HOSTILE[3],
        summary=HOSTILE[5],
        state="confirmed",
        selected_for_digest=True,
    )
    TrainingClass.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=8),
        title=HOSTILE[2],
        start_date=date(2018, 9, 10),
        end_date=date(2018, 9, 14),
        place=HOSTILE[4],
        attendee_count=120,
    )
    wb = workbook(as_user(hq_reviewer).get("/reporting/2018/digest.xlsx"))
    assert wb.sheetnames == [
        "按任务", "年度工作总结", "典型案例", "通讯录", "项目", "服务网络", "专利文献部培训班"
    ]  # fmt: skip
    assert_text(cells(wb["年度工作总结"])["政策规划编制"][0], HOSTILE[0])
    case = cells(wb["典型案例"])
    assert_text(case["标题"][0], HOSTILE[3])
    assert_text(case["摘要"][0], HOSTILE[5])
    projects = cells(wb["项目"])
    assert sorted(c.value for c in projects["承担单位"]) == sorted(HOSTILE[1::2])
    assert {c.data_type for c in projects["承担单位"]} == {"s"}
    assert {c.value for c in projects["资助经费（万元）"]} == {10}
    assert [c.value for c in cells(wb["按任务"])["序号"]] == list(range(1, 11))
    hq_classes = cells(wb["专利文献部培训班"])
    assert_text(hq_classes["培训班名称"][0], HOSTILE[2])
    assert_text(hq_classes["地点"][0], HOSTILE[4])
    assert hq_classes["开始日期"][0].is_date and hq_classes["参训人数"][0].value == 120
    for ws in wb:
        assert_wide_enough(ws)
