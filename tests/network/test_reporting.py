"""The network and training in the year's reports: the digest's chapter and the summary."""

from __future__ import annotations

from provinces.ledger import training_figures
from provinces.models import Assignment, LedgerEntry, Province
from reporting.digest import build_workbook, collect, render_html
from reporting.models import AnnualSummary
from reporting.trends import trends
from tests.network.conftest import entity, training


def test_the_digest_has_a_chapter_on_the_network_and_training(plan_2018):
    entity(plan_2018, "江西", "江西网点")
    entity(plan_2018, "江西", "赣州分中心", kind="station", subkind="branch")
    entity(plan_2018, "河南", "河南网点")
    training(plan_2018, None, 8, "2018年第一期全国专利信息人才培训班", attendee_count=120)
    training(plan_2018, "江西", 2, "江西培训班", attendee_count=80)
    network = collect(plan_2018)["network"]
    assert network["entities"] == 3 and network["classes"] == 2 and network["attendees"] == 200
    assert [c.title for c in network["hq_classes"]] == ["2018年第一期全国专利信息人才培训班"]
    jiangxi = next(r for r in network["rows"] if r["province"].short_name == "江西")
    assert jiangxi["total"] == 2 and jiangxi["classes"] == 1
    html = render_html(plan_2018)
    assert "六、服务网络与培训" in html and "2018年第一期全国专利信息人才培训班" in html
    assert "本年度服务网络共 3 个；举办培训班 2 期（其中专利文献部主办 1 期）" in html
    sheets = {s.title: s for s in build_workbook(plan_2018)}
    assert sheets["专利文献部培训班"].rows[0][5] == 120


def test_the_year_end_summary_shows_the_units_network_and_classes(
    as_user, plan_2018, jiangxi_staff
):
    entity(plan_2018, "江西", "江西网点")
    entity(plan_2018, "河南", "河南网点")  # not Jiangxi's
    training(plan_2018, "江西", 2, "江西培训班", attendee_count=80)
    training(plan_2018, None, 8, "专利文献部的")  # HQ's, not Jiangxi's
    page = as_user(jiangxi_staff).get("/reporting/2018/summaries/360000/").content.decode()
    assert "服务网络 1 个，举办培训班 1 期，参训 80 人次" in page
    assert "专利文献服务网点 1" in page


def test_one_count_of_training_classes_in_the_summary_the_digest_and_the_trends(
    plan_2018, hq_reviewer
):
    """Classes held and trainees are the unit's TrainingClass records (attendees summed),
    the same number everywhere; the typed numbers of a ledger line are not counted."""
    jiangxi = Province.objects.get(short_name="江西")
    LedgerEntry.objects.create(
        assignment=Assignment.objects.get(task__plan=plan_2018, task__number=2, province=jiangxi),
        date="2018-07-01",
        kind="training",
        description="培训",
        responsible_person="李",
        classes_held=9,
        trainees=999,
        enterprises_served=4,
    )
    training(plan_2018, "江西", 2, "江西第一期", attendee_count=80)
    training(plan_2018, "江西", 4, "江西第二期", attendee_count=30)
    training(plan_2018, None, 8, "专利文献部的", attendee_count=120)  # HQ's: no unit's count
    assert training_figures() == {
        (plan_2018.pk, plan_2018.tasks.get(number=2).pk, jiangxi.pk): {
            "classes_held": 1,
            "trainees": 80,
        },
        (plan_2018.pk, plan_2018.tasks.get(number=4).pk, jiangxi.pk): {
            "classes_held": 1,
            "trainees": 30,
        },
    }

    summary = AnnualSummary(plan=plan_2018, province=jiangxi).ledger_figures()
    assert (summary["classes_held"], summary["trainees"]) == (2, 110)
    assert summary["enterprises_served"] == 4 and summary["ledger_entries"] == 1

    digest = collect(plan_2018)
    assert (digest["totals"]["classes_held"], digest["totals"]["trainees"]) == (2, 110)
    by_task = {t["task"].number: t["figures"] for t in digest["tasks"]}
    assert (by_task[2]["classes_held"], by_task[2]["trainees"]) == (1, 80)
    assert (by_task[4]["classes_held"], by_task[4]["trainees"]) == (1, 30)
    assert by_task[2]["enterprises_served"] == 4

    unit = next(r for r in trends(hq_reviewer).units if r.key == jiangxi.code)
    (cell,) = unit.cells
    assert (cell.figures.classes_held, cell.figures.trainees) == (2, 110)
