"""Excel imports of the network and of a class's roster: preview, all or nothing, idempotent,
and the network's export imports back."""

from __future__ import annotations

from provinces.models import NetworkEntity, TrainingAttendee
from provinces.network_sheets import (
    import_network,
    import_roster,
    network_template,
    network_workbook,
    roster_template,
)
from tests.network.conftest import entity, training
from workflow import sheets


def xlsx(sheet: sheets.Sheet) -> bytes:
    return sheets.workbook(sheet)


HEADERS = [
    "年度",
    "省份",
    "类型",
    "级别",
    "细分",
    "名称",
    "所在地",
    "联系人",
    "联系电话",
    "状态",
    "所属基地",
]


def test_the_template_imports_as_it_is(plan_2018, jiangxi_staff):
    content = xlsx(network_template(jiangxi_staff, plan_2018))
    preview = import_network(content, "t.xlsx", jiangxi_staff, dry_run=True)
    assert preview.ok and preview.created == 2 and not NetworkEntity.objects.exists()
    done = import_network(content, "t.xlsx", jiangxi_staff, dry_run=False)
    assert done.ok and done.created == 2
    station = NetworkEntity.objects.get(kind="station")
    assert station.parent.kind == "base" and station.province.short_name == "江西"


def test_one_bad_row_writes_nothing_and_names_its_row(plan_2018, jiangxi_staff):
    sheet = sheets.Sheet("s", HEADERS)
    sheet.append([2018, "江西", "专利文献服务网点", "", "", "网点甲", "南昌", "", "", "运行", ""])
    sheet.append([2018, "江西", "站点", "", "", "没有细分的站点", "九江", "", "", "运行", ""])
    sheet.append([2018, "江西", "网吧", "", "", "不是一种类型", "", "", "", "", ""])
    outcome = import_network(xlsx(sheet), "s.xlsx", jiangxi_staff, dry_run=False)
    assert not outcome.ok
    assert [p.number for p in outcome.problems] == [3, 4]
    assert "类型应为" in outcome.problems[1].messages[0]
    assert not NetworkEntity.objects.exists()


def test_importing_twice_writes_once_and_a_change_updates(plan_2018, jiangxi_staff):
    sheet = sheets.Sheet("s", HEADERS)
    sheet.append(
        [
            2018,
            "江西",
            "众创空间",
            "",
            "",
            "南昌大学科技园众创空间",
            "南昌",
            "刘",
            "13800138000",
            "运行",
            "",
        ]
    )
    content = xlsx(sheet)
    assert import_network(content, "s.xlsx", jiangxi_staff, dry_run=False).created == 1
    again = import_network(content, "s.xlsx", jiangxi_staff, dry_run=False)
    assert again.ok and again.created == 0 and len(again.duplicates) == 1
    sheet.rows[0][9] = "停止"
    changed = import_network(xlsx(sheet), "s.xlsx", jiangxi_staff, dry_run=False)
    assert changed.updated == 1
    assert NetworkEntity.objects.get().state == "stopped"


def test_a_unit_imports_only_its_own_entities(plan_2018, jiangxi_staff):
    sheet = sheets.Sheet("s", HEADERS)
    sheet.append([2018, "河南", "专利文献服务网点", "", "", "网点", "", "", "", "", ""])
    outcome = import_network(xlsx(sheet), "s.xlsx", jiangxi_staff, dry_run=False)
    assert not outcome.ok and not NetworkEntity.objects.exists()


def test_the_export_imports_back_as_duplicates(plan_2018, jiangxi_staff):
    base = entity(plan_2018, "江西", "江西基地", kind="base", level="basic")
    entity(plan_2018, "江西", "赣州分中心", kind="station", subkind="branch", parent=base)
    exported = xlsx(network_workbook(NetworkEntity.objects.order_by("kind", "pk")))
    outcome = import_network(exported, "e.xlsx", jiangxi_staff, dry_run=True)
    assert outcome.ok and outcome.to_write == 0 and len(outcome.duplicates) == 2


def test_a_roster_is_imported_into_the_units_own_class(plan_2018, jiangxi_staff, henan_staff):
    own = training(plan_2018, "江西", 2, attendee_count=1)
    content = xlsx(roster_template(own))
    assert not import_roster(content, "r.xlsx", henan_staff, dry_run=False).ok  # not theirs
    done = import_roster(content, "r.xlsx", jiangxi_staff, dry_run=False)
    assert done.ok and done.created == 1
    assert TrainingAttendee.objects.filter(training=own).count() == 1
    again = import_roster(content, "r.xlsx", jiangxi_staff, dry_run=False)
    assert again.created == 0 and len(again.duplicates) == 1
    own.refresh_from_db()
    assert own.attendee_count == 1


def test_the_roster_raises_a_lower_attendee_count(plan_2018, hq_reviewer):
    hq_class = training(plan_2018, None, 8, attendee_count=0)
    sheet = sheets.Sheet("r", ["培训班编号", "姓名", "单位"])
    sheet.append([hq_class.pk, "王五", "甲公司"])
    sheet.append([hq_class.pk, "赵六", "乙大学"])
    assert import_roster(xlsx(sheet), "r.xlsx", hq_reviewer, dry_run=False).created == 2
    hq_class.refresh_from_db()
    assert hq_class.attendee_count == 2


def test_the_import_pages_preview_then_confirm_once(as_user, plan_2018, jiangxi_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.models import ImportJob

    client = as_user(jiangxi_staff)
    upload = SimpleUploadedFile("n.xlsx", xlsx(network_template(jiangxi_staff, plan_2018)))
    response = client.post("/provinces/network/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == "network" and job.created == 2
    assert not NetworkEntity.objects.exists()
    assert client.post(f"/imports/{job.pk}/confirm/").status_code == 302
    assert NetworkEntity.objects.count() == 2
    client.post(f"/imports/{job.pk}/confirm/")
    assert NetworkEntity.objects.count() == 2
