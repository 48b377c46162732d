"""The network and training in the year's reports: the digest's chapter and the summary."""

from __future__ import annotations

from reporting.digest import build_workbook, collect, render_html
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
