"""Work ledger: entries, evidence uploads checked by content, targets, Excel in and out."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provinces.ledger import ledger_totals, target_progress
from provinces.models import Assignment, Evidence, LedgerEntry, TrainingClass
from provinces.resources import LEDGER_HEADERS, import_ledger

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def jiangxi_task1(plan_2018):
    """江西 is not a base in the fixtures; task 2 is its mandatory task."""
    return Assignment.objects.get(task__number=2, province__short_name="江西")


def entry_data(assignment, **override):
    data = {
        "assignment": assignment.pk,
        "date": "2018-07-15",
        "kind": "training",
        "description": "举办专利信息利用培训班",
        "responsible_person": "李江",
        "classes_held": "1",
        "trainees": "120",
        "enterprises_served": "0",
    }
    data.update(override)
    return data


def test_staff_add_an_entry_with_evidence(as_user, jiangxi_task1, jiangxi_staff):
    client = as_user(jiangxi_staff)
    data = entry_data(jiangxi_task1)
    data["files"] = [SimpleUploadedFile("现场照片.png", PNG), SimpleUploadedFile("通知.pdf", PDF)]
    response = client.post("/provinces/ledger/new/", data)
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.created_by == jiangxi_staff
    assert sorted(entry.evidence.values_list("original_name", flat=True)) == [
        "现场照片.png",
        "通知.pdf",
    ]
    download = client.get(f"/provinces/evidence/{entry.evidence.get(original_name='通知.pdf').pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_renamed_executable_is_refused(as_user, jiangxi_task1, jiangxi_staff):
    data = entry_data(jiangxi_task1)
    data["files"] = [SimpleUploadedFile("报告.pdf", EXE)]
    response = as_user(jiangxi_staff).post("/provinces/ledger/new/", data)
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.content.decode()
    assert not LedgerEntry.objects.exists() and not Evidence.objects.exists()


def test_disallowed_type_is_refused(as_user, jiangxi_task1, jiangxi_staff):
    data = entry_data(jiangxi_task1)
    data["files"] = [SimpleUploadedFile("setup.exe", EXE)]
    response = as_user(jiangxi_staff).post("/provinces/ledger/new/", data)
    assert "类型不受支持" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_oversized_file_is_refused(as_user, jiangxi_task1, jiangxi_staff, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    data = entry_data(jiangxi_task1)
    data["files"] = [SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2048)]
    response = as_user(jiangxi_staff).post("/provinces/ledger/new/", data)
    assert "过大" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_other_province_cannot_see_entry_or_evidence(
    as_user, jiangxi_task1, jiangxi_staff, henan_staff, hq_reviewer
):
    data = entry_data(jiangxi_task1)
    data["files"] = [SimpleUploadedFile("a.png", PNG)]
    as_user(jiangxi_staff).post("/provinces/ledger/new/", data)
    entry = LedgerEntry.objects.get()
    evidence = entry.evidence.get()
    henan = as_user(henan_staff)
    assert henan.get(f"/provinces/evidence/{evidence.pk}/").status_code == 404
    assert henan.get(f"/provinces/ledger/{entry.pk}/edit/").status_code == 404
    assert henan.post(f"/provinces/ledger/{entry.pk}/delete/").status_code == 404
    assert "举办专利信息利用培训班" not in henan.get("/provinces/ledger/").content.decode()
    assert as_user(hq_reviewer).get(f"/provinces/evidence/{evidence.pk}/").status_code == 200
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_staff_cannot_file_entries_on_another_province(as_user, plan_2018, jiangxi_staff):
    henan = Assignment.objects.get(task__number=2, province__short_name="河南")
    response = as_user(jiangxi_staff).post("/provinces/ledger/new/", entry_data(henan))
    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


def test_targets_progress_from_ledger(plan_2018):
    """The ledger sums its figures; a training-class target counts training classes (see
    tests/network/test_registry.py), not the classes typed into ledger lines."""
    assignment = Assignment.objects.get(task__number=1, province__short_name="北京")
    for _ in range(3):
        LedgerEntry.objects.create(
            assignment=assignment,
            date="2018-08-01",
            kind="training",
            description="培训",
            responsible_person="张",
            classes_held=1,
            trainees=50,
        )
    totals = ledger_totals([assignment])[assignment.pk]
    assert totals["classes_held"] == 3 and totals["trainees"] == 150
    progress = target_progress(assignment, totals)
    assert len(progress) == 1 and progress[0].target.metric == "classes_held"
    assert progress[0].done == 0 and not progress[0].met
    for number in (1, 2):
        TrainingClass.objects.create(
            plan=plan_2018,
            province=assignment.province,
            task=assignment.task,
            title=f"第{number}期专利信息利用培训班",
            start_date="2018-08-01",
            end_date="2018-08-02",
            place="北京",
        )
    progress = target_progress(assignment, totals)
    assert progress[0].done == 2 and progress[0].met


def test_ledger_list_query_count_is_fixed(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    assignments = list(Assignment.objects.filter(task__number=3)[:10])

    def add(n):
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                assignment=a,
                date="2018-07-01",
                kind="training",
                description="x",
                responsible_person="y",
            )
            for a in assignments
            for _ in range(n)
        )

    client = as_user(hq_reviewer)
    add(1)
    # 10: session, user, the plans, the totals (kept summaries), the rows, their evidence,
    # the filter's tasks and units, the assignments with periodic targets, the unread count
    with django_assert_max_num_queries(10):
        assert client.get("/provinces/ledger/").status_code == 200
    add(20)
    with django_assert_max_num_queries(10):
        assert client.get("/provinces/ledger/").status_code == 200


# --- Excel -----------------------------------------------------------------------


def xlsx(rows, headers=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers or list(LEDGER_HEADERS.values()))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [2018, 2, "江西", "2018-07-15", "培训班", "举办培训班", "李江", 1, 100, 0]


def test_good_file_imports_all_rows(plan_2018, jiangxi_staff):
    content = xlsx([GOOD, [2018, 2, "江西", "2018-08-01", "企业服务", "走访企业", "王", 0, 0, 5]])
    check = import_ledger(content, "l.xlsx", jiangxi_staff, dry_run=True)
    assert check.ok and check.total == 2
    assert not LedgerEntry.objects.exists()  # the preview saves nothing
    done = import_ledger(content, "l.xlsx", jiangxi_staff, dry_run=False)
    assert done.ok
    assert LedgerEntry.objects.count() == 2
    assert LedgerEntry.objects.filter(kind="enterprise_service", enterprises_served=5).exists()


def test_csv_imports(plan_2018, jiangxi_staff):
    lines = [",".join(LEDGER_HEADERS.values()), ",".join(str(v) for v in GOOD)]
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")
    assert import_ledger(content, "l.csv", jiangxi_staff, dry_run=False).ok
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ([2018, 2, "江西", "2018-13-45", "培训班", "x", "李", 1, 1, 0], "日期格式不正确"),
        ([2018, 12, "江西", "2018-07-01", "培训班", "x", "李", 1, 1, 0], "找不到"),
        ([2018, 6, "江西", "2018-07-01", "培训班", "x", "李", 1, 1, 0], "找不到"),
        ([2018, 2, "江西", "2018-07-01", "培训班", "x", "", 1, 1, 0], "责任人不能为空"),
        ([2018, 2, "江西", "2018-07-01", "跳舞", "x", "李", 1, 1, 0], "活动类型"),
        ([2018, 2, "河南", "2018-07-01", "培训班", "x", "李", 1, 1, 0], "只能导入本单位"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_row(plan_2018, jiangxi_staff, bad_row, message):
    content = xlsx([GOOD, GOOD, bad_row])
    outcome = import_ledger(content, "l.xlsx", jiangxi_staff, dry_run=False)
    assert not outcome.ok
    assert [p.number for p in outcome.problems] == [4]  # header is row 1
    assert message in " ".join(outcome.problems[0].messages)
    assert not LedgerEntry.objects.exists()


def test_wrong_headers_import_nothing(plan_2018, jiangxi_staff):
    content = xlsx(
        [GOOD], headers=["year", "task", "province", "date", "kind", "what", "who", "a", "b", "c"]
    )
    outcome = import_ledger(content, "l.xlsx", jiangxi_staff, dry_run=False)
    assert "表头不正确" in outcome.header_error
    assert not LedgerEntry.objects.exists()


def test_import_page_preview_then_confirm(as_user, plan_2018, jiangxi_staff):
    client = as_user(jiangxi_staff)
    bad = client.post(
        "/provinces/ledger/import/",
        {
            "file": SimpleUploadedFile(
                "l.xlsx", xlsx([GOOD, [2018, 2, "江西", "bad", "培训班", "x", "李", 1, 1, 0]])
            )
        },
        follow=True,
    )
    assert "第 3 行" in bad.content.decode()
    assert not LedgerEntry.objects.exists()
    good = client.post(
        "/provinces/ledger/import/",
        {"file": SimpleUploadedFile("l.xlsx", xlsx([GOOD]))},
        follow=True,
    )
    assert "检查通过" in good.content.decode()
    assert not LedgerEntry.objects.exists()
    job = good.context["job"]
    done = client.post(f"/imports/{job.pk}/confirm/", follow=True)
    assert "已导入 1 行" in done.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_export_is_scoped(as_user, plan_2018, jiangxi_staff):
    jx = Assignment.objects.get(task__number=2, province__short_name="江西")
    hn = Assignment.objects.get(task__number=2, province__short_name="河南")
    for a in (jx, hn):
        LedgerEntry.objects.create(
            assignment=a,
            date="2018-07-01",
            kind="training",
            description=f"{a.province}台账",
            responsible_person="x",
        )
    response = as_user(jiangxi_staff).get("/provinces/ledger/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "江西台账" in values and "河南台账" not in values
    assert "培训班" in values  # kinds exported as their Chinese labels


def test_hq_exports_ledgers_filtered_by_year_task_and_province(
    as_user, plan_2018, notice_text, hq_reviewer
):
    from provinces.plans import import_plan

    import_plan(notice_text.replace("2019", "2020").replace("2018", "2019"))
    rows = [
        (2018, 2, "江西"),
        (2018, 3, "江西"),
        (2018, 2, "河南"),
        (2019, 2, "江西"),
    ]
    for year, task, province in rows:
        LedgerEntry.objects.create(
            assignment=Assignment.objects.get(
                task__plan__year=year, task__number=task, province__short_name=province
            ),
            date=f"{year}-07-01",
            kind="training",
            description=f"{year}·{task}·{province}",
            responsible_person="x",
        )
    hq = as_user(hq_reviewer)

    def exported(query):
        response = hq.get(f"/provinces/ledger/export.xlsx?{query}")
        assert response.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return {c.value for row in ws.iter_rows() for c in row if "·" in str(c.value)}

    # without a year: the plan HQ works in (the default rule: 2018, the published plan)
    assert exported("") == {f"{y}·{t}·{p}" for y, t, p in rows if y == 2018}
    assert exported("year=2018&task=2") == {"2018·2·江西", "2018·2·河南"}
    assert exported("year=2018&task=2&province=360000") == {"2018·2·江西"}
    assert exported("task=2&province=360000") == {"2018·2·江西"}
    assert exported("year=2019&task=2&province=360000") == {"2019·2·江西"}
    page = hq.get("/provinces/ledger/?year=2019").content.decode()
    assert "2019·2·江西" in page and "2018·2·江西" not in page


def test_hq_exports_the_national_contact_directory(as_user, plan_2018, hq_reviewer, henan_staff):
    from provinces.models import Registration
    from tests.loop.conftest import fill

    fill(
        Registration.objects.create(
            assignment=Assignment.objects.get(task__number=2, province__short_name="江西")
        )
    )

    def directory(user):
        response = as_user(user).get("/provinces/contacts/?format=xlsx&year=2018")
        assert response.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return {c.value for row in ws.iter_rows() for c in row}

    assert {"李处长", "li@jxipo.gov.cn", "王联络"} <= directory(hq_reviewer)
    assert "li@jxipo.gov.cn" not in directory(henan_staff)  # a unit exports its own contacts


CONTACT_HEADERS = ["年度", "任务序号", "省份", "角色", "姓名", "职务", "电话", "邮箱"]


def test_contacts_import_all_or_nothing(plan_2018, jiangxi_staff):
    from provinces.models import Contact
    from provinces.resources import import_contacts

    good = [2018, 2, "江西", "工作联系人", "王五", "科员", "0791-86000000", "wang@example.cn"]
    bad = [2018, 2, "江西", "工作联系人", "赵六", "科员", "123", "zhao@example.cn"]
    outcome = import_contacts(
        xlsx([good, bad], headers=CONTACT_HEADERS), "c.xlsx", jiangxi_staff, dry_run=False
    )
    assert [p.number for p in outcome.problems] == [3]
    assert "电话号码格式不正确" in outcome.problems[0].messages[0]
    assert not Contact.objects.exists()
    outcome = import_contacts(
        xlsx([good], headers=CONTACT_HEADERS), "c.xlsx", jiangxi_staff, dry_run=False
    )
    assert outcome.ok
    contact = Contact.objects.get()
    assert (contact.name, contact.role, contact.registration.assignment.province.short_name) == (
        "王五",
        "liaison",
        "江西",
    )


def test_contacts_import_refuses_locked_registrations(plan_2018, jiangxi_staff, hq_reviewer):
    from provinces.models import Contact
    from provinces.resources import import_contacts
    from provinces.services import confirm_registration, submit_registration
    from tests.loop.conftest import fill

    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    from provinces.models import Registration

    reg = fill(Registration.objects.create(assignment=a))
    submit_registration(reg, jiangxi_staff)
    confirm_registration(reg, hq_reviewer)
    row = [2018, 2, "江西", "工作联系人", "新人", "科员", "13800138000", "new@example.cn"]
    outcome = import_contacts(
        xlsx([row], headers=CONTACT_HEADERS), "c.xlsx", jiangxi_staff, dry_run=False
    )
    assert not outcome.ok and "已锁定" in outcome.problems[0].messages[0]
    assert not Contact.objects.filter(name="新人").exists()


GOOD_CONTACT = [2018, 2, "江西", "工作联系人", "王五", "科员", "0791-86000000", "wang@example.cn"]


@pytest.mark.parametrize(
    "headers, bad_row, expected",
    [
        (
            ["年度", "任务", "省份", "角色", "姓名", "职务", "电话", "邮箱"],
            None,
            "缺少列：任务序号",
        ),
        (
            CONTACT_HEADERS,
            [2018, 2, "江西", "工作联系人", "", "科员", "13800138000", "a@b.cn"],
            None,
        ),
        (
            CONTACT_HEADERS,
            [2018, 5, "江西", "工作联系人", "赵六", "", "13800138000", "a@b.cn"],
            "找不到",
        ),
        (CONTACT_HEADERS, [2018, 2, "江西", "秘书", "赵六", "", "13800138000", "a@b.cn"], None),
        (CONTACT_HEADERS, [2018, 2, "江西", "工作联系人", "赵六", "", "13800138000", "a@b"], None),
        (
            CONTACT_HEADERS,
            [2018, 2, "河南", "工作联系人", "赵六", "", "13800138000", "a@b.cn"],
            "找不到",
        ),
    ],
    ids=["wrong-header", "empty-name", "unknown-assignment", "bad-role", "bad-email", "other-unit"],
)
def test_contacts_import_bad_files_import_nothing(
    plan_2018, jiangxi_staff, headers, bad_row, expected
):
    from provinces.models import Contact
    from provinces.resources import import_contacts

    rows = [GOOD_CONTACT] + ([bad_row] if bad_row else [])
    outcome = import_contacts(xlsx(rows, headers=headers), "c.xlsx", jiangxi_staff, dry_run=False)
    assert not outcome.ok
    if bad_row is None:
        assert expected in outcome.header_error
    else:
        assert [p.number for p in outcome.problems] == [3]  # the bad row, by its sheet row number
        assert all(outcome.problems[0].messages)
        if expected:
            assert expected in outcome.problems[0].messages[0]
    assert not Contact.objects.exists()  # the good row was not saved either


def test_evidence_uploaded_through_the_api_is_checked_like_the_page(
    jiangxi_task1, jiangxi_staff, henan_staff
):
    from tests.conftest import client_for

    entry = LedgerEntry.objects.create(
        assignment=jiangxi_task1,
        date="2018-07-01",
        kind="training",
        description="培训班",
        responsible_person="李",
    )
    url = f"/api/v1/ledger-entries/{entry.pk}/evidence/"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    mixed = {"files": [SimpleUploadedFile("签到表.pdf", pdf), SimpleUploadedFile("报告.pdf", EXE)]}
    refused = client_for(jiangxi_staff).post(url, mixed)
    assert refused.status_code == 400 and refused.json()["files"]
    assert not Evidence.objects.exists()  # the good file was not kept either
    assert (
        client_for(henan_staff).post(url, {"files": [SimpleUploadedFile("a.pdf", pdf)]}).status_code
        == 404
    )
    stored = client_for(jiangxi_staff).post(url, {"files": [SimpleUploadedFile("签到表.pdf", pdf)]})
    assert stored.status_code == 201
    assert [e["name"] for e in stored.json()["evidence"]] == ["签到表.pdf"]
    assert Evidence.objects.get().content_type == "application/pdf"


def test_ledger_filters_year_and_task_are_choices(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    page = as_user(hq_reviewer).get("/provinces/ledger/").content.decode()
    assert '<select name="year"' in page and '<option value="2018">2018</option>' in page
    assert '<select name="task"' in page and '<option value="2">（二）' in page
    assert '<select name="province"' in page
    staff_page = as_user(jiangxi_staff).get("/provinces/ledger/").content.decode()
    assert '<select name="task"' in staff_page and 'name="province"' not in staff_page
    bad = as_user(hq_reviewer).get("/provinces/ledger/?year=1999&task=x")
    assert bad.status_code == 200 and bad.content.decode().count('class="errorlist') == 2
