"""Loading the plan from the notice text: the real 2018 notice, other years, broken notices."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from planning.models import Deadline, Plan, Target, Task, TaskItem, Track
from planning.notice import NoticeError, mend
from planning.services import set_task_support
from provinces.models import Assignment, Province
from provinces.plans import import_plan
from workflow.machine import TransitionRefused

pytestmark = pytest.mark.django_db


def units_of(task: Task, kind: str = "mandatory") -> set[str]:
    return set(task.assignments.filter(kind=kind).values_list("province__short_name", flat=True))


def test_header_facts(plan_2018):
    assert plan_2018.year == 2018
    assert plan_2018.title == "2018年度全国专利信息传播利用工作计划"
    assert plan_2018.document_number == "国知办函办字〔2018〕384号"
    assert plan_2018.issue_date == date(2018, 6, 15)
    assert plan_2018.issuer == "国家知识产权局办公室"
    assert plan_2018.overall_goal.startswith("深化知识产权强国建设")
    assert "工作覆盖面" in plan_2018.overall_goal  # "工作覆盖 面" mended
    assert "（一）完善体系建设和协调发展" in plan_2018.priorities
    assert "2018年6月20日前" in plan_2018.requirements


def test_ten_tasks_with_titles_and_parts(plan_2018):
    tasks = list(plan_2018.tasks.order_by("number"))
    assert [t.number for t in tasks] == list(range(1, 11))
    assert tasks[0].title == "推进国家级专利信息传播利用基地建设"
    assert tasks[9].title == "做好2018年全年工作总结与2019年工作计划编制"
    for task in tasks:
        assert task.goal, task
        assert task.executing_rule, task
        assert task.support, task
        assert task.items.exists(), task
    assert tasks[0].items.count() == 4
    assert tasks[1].items.count() == 2
    assert tasks[0].items.get(number=2).text.startswith("拓展培训渠道")


def test_task_1_tracks_follow_the_bases(plan_2018):
    task = plan_2018.tasks.get(number=1)
    key = task.tracks.get(code="key")
    basic = task.tracks.get(code="basic")
    assert key.name == "重点项目" and basic.name == "基础项目"
    assert sorted(key.items.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert sorted(basic.items.values_list("number", flat=True)) == [1, 2, 3]
    assert set(key.assignments.values_list("province__short_name", flat=True)) == {"北京", "江苏"}
    assert set(basic.assignments.values_list("province__short_name", flat=True)) == {
        "天津",
        "浙江",
        "山东",
    }


def test_task_2_tracks_have_five_provinces_each(plan_2018):
    task = plan_2018.tasks.get(number=2)
    comprehensive = task.tracks.get(code="comprehensive")
    distinctive = task.tracks.get(code="distinctive")
    assert comprehensive.name == "综合能力培育"
    assert set(comprehensive.assignments.values_list("province__short_name", flat=True)) == {
        "江西",
        "河南",
        "湖北",
        "广西",
        "陕西",
    }
    # "山 西" is split by a stray space in the PDF text.
    assert set(distinctive.assignments.values_list("province__short_name", flat=True)) == {
        "河北",
        "山西",
        "内蒙古",
        "海南",
        "甘肃",
    }
    assert list(comprehensive.items.values_list("number", flat=True)) == [1]
    assert list(distinctive.items.values_list("number", flat=True)) == [2]


def test_task_5_includes_xpcc(plan_2018):
    task = plan_2018.tasks.get(number=5)
    assert units_of(task) == {"贵州", "甘肃", "青海", "宁夏", "西藏", "新疆", "新疆生产建设兵团"}
    assert not task.assignments.filter(kind="voluntary").exists()


@pytest.mark.parametrize(
    ("number", "named"),
    [(6, {"湖南", "山东", "浙江", "陕西"}), (7, {"天津", "重庆", "江苏", "江西"})],
)
def test_pilot_tasks_named_mandatory_others_voluntary(plan_2018, number, named):
    task = plan_2018.tasks.get(number=number)
    assert units_of(task) == named
    assert len(units_of(task, "voluntary")) == 32 - 4
    assert task.voluntary_others
    voluntary = task.assignments.filter(kind="voluntary")
    assert not voluntary.filter(taken_up=True).exists()


@pytest.mark.parametrize("number", [3, 4, 8, 9, 10])
def test_every_unit_tasks_cover_all_32(plan_2018, number):
    task = plan_2018.tasks.get(number=number)
    assert task.all_units
    assert task.assignments.filter(kind="mandatory").count() == 32
    assert task.assignments.filter(province__short_name="新疆生产建设兵团").exists()


def test_targets(plan_2018):
    target = Target.objects.get(task__plan=plan_2018)
    assert target.task.number == 1
    assert target.item.number == 2
    assert target.metric == Target.Metric.CLASSES_HELD
    assert target.minimum == 2
    assert "培训班" in target.description


def test_deadlines(plan_2018):
    got = {
        (d.kind, d.due_date, d.task.number if d.task else None) for d in plan_2018.deadlines.all()
    }
    assert got == {
        ("registration", date(2018, 6, 20), None),
        ("outcomes", date(2018, 12, 31), 1),
        ("summary", date(2018, 12, 31), 10),
        ("acceptance", date(2018, 12, 31), None),
    }


def test_reimport_is_idempotent(plan_2018, notice_text):
    counts = lambda: (  # noqa: E731
        Plan.objects.count(),
        Task.objects.count(),
        TaskItem.objects.count(),
        Track.objects.count(),
        Assignment.objects.count(),
        Target.objects.count(),
        Deadline.objects.count(),
    )
    before = counts()
    assignment_ids = set(Assignment.objects.values_list("pk", flat=True))
    result = import_plan(notice_text)
    assert not result.created
    assert counts() == before
    assert set(Assignment.objects.values_list("pk", flat=True)) == assignment_ids


def test_reimport_keeps_voluntary_take_up(plan_2018, notice_text):
    voluntary = Assignment.objects.filter(task__number=6, kind="voluntary").first()
    voluntary.taken_up = True
    voluntary.save()
    import_plan(notice_text)
    voluntary.refresh_from_db()
    assert voluntary.taken_up


def another_year(text: str) -> str:
    """The 2018 notice rewritten as a 2019 one with nine tasks and full province names."""
    text = text.replace("2018", "2019").replace("384号", "17号")
    start = text.index("（九）开展全国专利信息传播利用工作交流机制建设")
    end = text.index("（十）做好")
    text = text[:start] + text[end:].replace("（十）做好", "（九）做好", 1)
    return text.replace("由贵州、甘肃、青海", "由贵州省、甘肃省、青海省").replace(
        "由河北、山 西、内蒙古", "由河北省、山西省、内蒙古自治区"
    )


def test_another_year_and_full_names(db, notice_text):
    result = import_plan(another_year(notice_text))
    plan = result.plan
    assert plan.year == 2019
    assert plan.document_number == "国知办函办字〔2019〕17号"
    assert plan.tasks.count() == 9
    assert units_of(plan.tasks.get(number=5)) >= {"贵州", "甘肃", "青海"}
    distinctive = plan.tasks.get(number=2).tracks.get(code="distinctive")
    assert "内蒙古" in set(distinctive.assignments.values_list("province__short_name", flat=True))
    assert plan.deadlines.get(kind="registration").due_date == date(2019, 6, 20)


def test_missing_task_heading_fails_and_saves_nothing(db, notice_text):
    broken = notice_text.replace(
        "（三）促进专利文献服务网点作用发挥", "促进专利文献服务网点作用发挥"
    )
    with pytest.raises(NoticeError) as err:
        import_plan(broken)
    assert "（三）" in err.value.message
    assert err.value.where  # names the place
    assert Plan.objects.count() == 0
    assert Task.objects.count() == 0 and Assignment.objects.count() == 0


def test_unknown_unit_fails_with_its_name_and_saves_nothing(db, notice_text):
    broken = notice_text.replace("由贵州、甘肃", "由贵州、火星、甘肃")
    with pytest.raises(NoticeError) as err:
        import_plan(broken)
    assert "火星" in str(err.value)
    assert "（五）" in str(err.value)
    assert Plan.objects.count() == 0 and Assignment.objects.count() == 0


def test_broken_reimport_leaves_existing_plan_unchanged(plan_2018, notice_text):
    before = Task.objects.get(plan=plan_2018, number=5).title
    broken = notice_text.replace("深入推进西部省区专利信息帮扶工作", "新标题").replace(
        "由贵州、甘肃", "由贵州、火星、甘肃"
    )
    with pytest.raises(NoticeError):
        import_plan(broken)
    assert Task.objects.get(plan=plan_2018, number=5).title == before


def test_empty_text_is_refused(db):
    with pytest.raises(NoticeError):
        import_plan("   ")


def test_mend_joins_split_words_but_keeps_paragraphs():
    assert mend("深入开 展") == "深入开展"
    assert mend("由河北、山 西、内蒙古") == "由河北、山西、内蒙古"
    assert mend("请抓好贯彻落实。\n特此通知。") == "请抓好贯彻落实。\n特此通知。"


def test_command_imports_and_reports(db, capsys):
    from tests.conftest import SEED_NOTICE

    call_command("import_plan", str(SEED_NOTICE))
    out = capsys.readouterr().out
    assert "10 项任务" in out
    assert Plan.objects.filter(year=2018).exists()


def test_command_refuses_broken_notice(db, tmp_path, notice_text):
    path = tmp_path / "broken.txt"
    path.write_text(notice_text.replace("由贵州、甘肃", "由贵州、火星、甘肃"), encoding="utf-8")
    with pytest.raises(CommandError, match="火星"):
        call_command("import_plan", str(path))
    assert Plan.objects.count() == 0


def test_units_exist_with_codes(db):
    assert Province.objects.count() == 32
    assert Province.objects.get(code="360000").short_name == "江西"
    assert Province.objects.get(code="660000").name == "新疆生产建设兵团"
    assert Province.objects.get(short_name="内蒙古").name == "内蒙古自治区"


# --- later years: the wording varies, dates and targets sit inside tasks -----------------

TASK_11 = (
    "（十一）开展专利信息服务进展报送 1.工作目标：及时掌握工作进展。 2.工作内容：于2021年9月30日前"
    "报送中期进展，每季度至少报送1次工作进展。 3.执行单位：由黑龙江省、广西壮族自治区、宁夏回族自 治区"
    "执行，其他省（区、市）可根据实际情况开展相应工作。 4.工作支持：我局提供业务指导。\n"
)


def later_year(text: str) -> str:
    """The 2018 notice as a 2021 one: reworded base tracks, 年年底前, an eleventh task."""
    text = text.replace("2019", "2022").replace("2018", "2021")
    text = text.replace(
        "内容（1）至（3）由承担基础项目的基地省市执行，内容（1）至（4）由承担重点项目的基地省市执行",
        "内容（1）至（4）由承担重点项目的基地执行，内容（1）至（3）由承担基础项目的基地执行",
    ).replace("应于2021年年底完成", "应于2021年年底前完成")
    end = text.index("四、有关要求")
    return text[:end] + TASK_11 + text[end:]


def test_later_year_periodic_target_and_dated_report_become_rows(db, notice_text):
    from notifications.obligations import Span
    from provinces.obligations import reports_owed

    plan = import_plan(later_year(notice_text)).plan
    assert plan.year == 2021 and plan.tasks.count() == 11
    task = plan.tasks.get(number=11)
    target = task.targets.get()
    assert (target.period, target.minimum, target.unit) == (Target.Period.QUARTER, 1, "次")
    report = plan.deadlines.get(task=task)
    assert (report.kind, report.due_date) == (Deadline.Kind.OTHER, date(2021, 9, 30))
    assert "中期进展" in report.sentence and "中期进展" in report.description
    assert plan.deadlines.get(kind="summary").due_date == date(2021, 12, 31)
    basic = plan.tasks.get(number=1).tracks.get(code="basic")
    assert sorted(basic.items.values_list("number", flat=True)) == [1, 2, 3]
    # The task's named units owe the report, with reminders like any deadline.
    owed = [o for o in reports_owed([plan], Span()) if o.key == f"deadline:{report.pk}"]
    assert {o.province.short_name for o in owed} == {"黑龙江", "广西", "宁夏"}
    assert {o.due for o in owed} == {date(2021, 9, 30)}


def test_reimport_keeps_hq_deadlines_and_task_reports_once(db, notice_text):
    text = later_year(notice_text)
    plan = import_plan(text).plan
    hq = Deadline.objects.create(
        plan=plan, kind=Deadline.Kind.OTHER, due_date=date(2021, 8, 1), description="总部另行通知"
    )
    before = set(plan.deadlines.values_list("pk", flat=True))
    import_plan(text)
    assert set(plan.deadlines.values_list("pk", flat=True)) == before
    assert Deadline.objects.filter(pk=hq.pk).exists()


def test_unknown_unit_refusal_quotes_the_clause(db, notice_text):
    broken = notice_text.replace("由贵州、甘肃", "由贵州、火星、甘肃")
    with pytest.raises(NoticeError) as err:
        import_plan(broken)
    assert err.value.where.startswith("由贵州、火星、甘肃")
    assert "任务（五）" in err.value.message


UNCLEAR_COUNT = ("举办至少2期专利信息利用培训班", "举办2期专利信息利用培训班")


def test_a_sentence_not_understood_refuses_the_import_until_decided(db, notice_text):
    with pytest.raises(NoticeError) as err:
        import_plan(notice_text.replace(*UNCLEAR_COUNT))
    assert "任务（一）工作内容（2）" in err.value.message
    assert err.value.where == "围绕专利质量提升工程，举办2期专利信息利用培训班。"
    assert Plan.objects.count() == 0 and Target.objects.count() == 0


def test_hand_mapping_is_saved_recorded_and_kept_on_reimport(db, notice_text):
    from planning.notice import HandMapping

    text = notice_text.replace(*UNCLEAR_COUNT)
    mapping = HandMapping(
        sentence="围绕专利质量提升工程，举办2期专利信息利用培训班。",
        as_=HandMapping.TARGET,
        task_number=1,
        item_number=2,
        minimum=2,
        unit="期",
        period="half",
    )
    plan = import_plan(text, [mapping]).plan
    target = Target.objects.get(task__plan=plan)
    assert (target.item.number, target.minimum, target.period) == (2, 2, "half")
    assert plan.hand_mappings == [mapping.to_json()]
    assert plan.hand_mappings[0]["as"] == "target"
    import_plan(text)  # the recorded decision applies again
    plan.refresh_from_db()
    assert Target.objects.filter(task__plan=plan).count() == 1
    assert plan.hand_mappings == [mapping.to_json()]


def test_hand_mapping_as_units_and_as_deadline(db, notice_text):
    from planning.notice import HandMapping

    text = notice_text.replace("由贵州、甘肃", "由承担帮扶项目的基地、甘肃").replace(
        "推动产学研融合。", "推动产学研融合，请于8月15日报来。"
    )
    mappings = [
        HandMapping(
            sentence="由承担帮扶项目的基地、甘肃、青海、宁夏、西藏、新疆和新疆生产建设兵团执行",
            as_=HandMapping.UNITS,
            task_number=5,
            provinces=["520000", "620000"],
        ),
    ]
    plan = import_plan(text, mappings).plan
    task = plan.tasks.get(number=5)
    assert units_of(task) == {"贵州", "甘肃"}
    deadline = plan.deadlines.get(task=task)
    assert deadline.due_date == date(2018, 8, 15)  # "8月15日" read as a date in the plan year


# --- each task knows its support (工作支持) ------------------------------------------------

SUPPORT_2018 = {
    # number: (funded, guided, funding mode): 1, 2, 5, 6, 7 fund their units; 4 and 8 projects
    1: (True, True, "units"),
    2: (True, True, "units"),
    3: (False, True, ""),
    4: (True, True, "projects"),
    5: (True, True, "units"),
    6: (True, True, "units"),
    7: (True, True, "units"),
    8: (True, False, "projects"),
    9: (False, True, ""),
    10: (False, False, ""),
}


def test_each_task_knows_its_support(plan_2018):
    got = {
        t.number: (t.funded, t.guided, t.funding_mode) for t in plan_2018.tasks.order_by("number")
    }
    assert got == SUPPORT_2018


def test_support_is_shown_on_the_plan_and_task_pages(plan_2018, jiangxi_staff, as_user):
    client = as_user(jiangxi_staff)
    plan_page = client.get("/plans/2018/")
    assert plan_page.status_code == 200
    text = plan_page.content.decode()
    assert text.count("资金支持（直接支持执行单位）") == 5
    assert text.count("资金支持（经项目申报评审确定）") == 2
    task_page = client.get("/plans/2018/tasks/3/")
    assert task_page.status_code == 200
    task_text = task_page.content.decode()
    assert 'class="tag guided"' in task_text and 'class="tag funded"' not in task_text


def test_support_is_shown_in_the_import_preview(administrator, as_user, notice_text):
    page = as_user(administrator).post("/plans/import/", {"text": notice_text})
    assert page.status_code == 200
    text = page.content.decode()
    assert "工作支持：资金支持，设立“企业专利信息利用能力建设试点项目”" in text
    assert text.count('class="tag funded"') == 7
    assert not Plan.objects.exists()


def test_support_changes_only_while_the_plan_is_a_draft(plan_2018):
    task = plan_2018.tasks.get(number=3)
    with pytest.raises(TransitionRefused, match="已发布或已结束，任务的工作支持不能再修改"):
        set_task_support(task, funded=True, guided=True, funding_mode="units")
    task.refresh_from_db()
    assert (task.funded, task.funding_mode) == (False, "")
    Plan.objects.filter(pk=plan_2018.pk).update(state=Plan.State.DRAFT)
    set_task_support(task, funded=True, guided=True, funding_mode="units")
    task.refresh_from_db()
    assert (task.funded, task.guided, task.funding_mode) == (True, True, "units")
    set_task_support(task, funded=False, guided=True, funding_mode="units")
    task.refresh_from_db()
    assert (task.funded, task.funding_mode) == (False, "")  # no mode without money


def test_admin_edits_support_in_a_draft_and_shows_it_read_only_once_published(
    plan_2018, administrator, as_user
):
    task = plan_2018.tasks.get(number=3)
    url = f"/admin/planning/task/{task.pk}/change/"
    client = as_user(administrator)
    published = client.get(url)
    assert published.status_code == 200
    assert 'name="funded"' not in published.content.decode()
    Plan.objects.filter(pk=plan_2018.pk).update(state=Plan.State.DRAFT)
    draft = client.get(url)
    assert draft.status_code == 200
    assert 'name="funded"' in draft.content.decode()
