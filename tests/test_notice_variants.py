"""The importer reads the notices HQ will really write: variants of the 2018 notice.

Each test rewrites the real 2018 notice the way a later year's notice differs (wording,
order, full names, PDF splits, extra tasks, dates and targets inside tasks) and checks what
the parser extracts. Parsing touches no database, so the examples are cheap.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.notice import NoticeError, ParsedPlan, from_numeral, parse_notice, to_numeral
from provinces.data import UNITS as UNIT_ROWS
from tests.conftest import SEED_NOTICE

UNITS = [(code, full, short) for code, full, short, *_rest in UNIT_ROWS]
CODE = {short: code for code, _full, short in UNITS}
FULL = {short: full for _code, full, short in UNITS}
NOTICE = SEED_NOTICE.read_text(encoding="utf-8")
TASKS_START = NOTICE.index("三、具体任务") + len("三、具体任务")
TASKS_END = NOTICE.index("四、有关要求")

variants = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def parse(text: str) -> ParsedPlan:
    return parse_notice(text, UNITS)


def summary(plan: ParsedPlan) -> dict:
    """What the importer extracted, in a shape two parses can be compared by."""
    return {
        "tasks": [task_summary(t) for t in plan.tasks],
        "deadlines": sorted((d.kind, d.due_date, d.task_number) for d in plan.deadlines),
        "unclear": [s.text for s in plan.unclear],
    }


def task_summary(task) -> dict:
    return {
        "title": task.title,
        "items": len(task.items),
        "all_units": task.all_units,
        "voluntary_others": task.voluntary_others,
        "bases_only": task.bases_only,
        "mandatory": sorted(task.mandatory),
        "tracks": sorted(
            (t.code, tuple(t.item_numbers), t.base_level, tuple(sorted(t.provinces)))
            for t in task.tracks
        ),
        "targets": sorted((t.item_number, t.minimum, t.unit, t.period) for t in task.targets),
        "support": (task.funded, task.guided, task.funding_mode),
    }


BASELINE = None


def baseline() -> dict:
    global BASELINE
    if BASELINE is None:
        BASELINE = summary(parse(NOTICE))
    return BASELINE


def split_inside(word: str, at: int, gap: str) -> str:
    """A PDF break inside a word: "宁夏回族自 治区"."""
    at = 1 + at % (len(word) - 1)
    return word[:at] + gap + word[at:]


gaps = st.sampled_from([" ", "\n", " \n "])


@st.composite
def unit_name(draw, short: str) -> str:
    """A unit as a notice may write it: short, full, with or without 知识产权局, maybe split."""
    name = draw(st.sampled_from([short, FULL[short], FULL[short] + "知识产权局"]))
    if len(name) > 1 and draw(st.booleans()):
        name = split_inside(name, draw(st.integers(0, 20)), draw(gaps))
    return name


def test_the_2018_notice_is_understood_whole():
    plan = parse(NOTICE)
    assert plan.unclear == []
    assert len(plan.tasks) == 10
    # Every sentence with a date, a count or a unit name is listed with what it became.
    assert all(s.became for s in plan.sentences)
    assert any("2018-06-20" in " ".join(s.became) for s in plan.sentences)


# --- 执行单位 wording -----------------------------------------------------------------


@variants
@given(
    reverse=st.booleans(),
    suffix=st.sampled_from(["基地省市", "基地", "基地省份", "专利信息传播利用基地"]),
    inverted=st.booleans(),
    joiner=st.sampled_from(["，", "；", "。"]),
)
def test_base_tracks_in_any_order_and_wording(reverse, suffix, inverted, joiner):
    def clause(level: str, last: int) -> str:
        if inverted:
            return f"由承担{level}项目的{suffix}执行内容（1）至（{last}）"
        return f"内容（1）至（{last}）由承担{level}项目的{suffix}执行"

    clauses = [clause("基础", 3), clause("重点", 4)]
    if reverse:
        clauses.reverse()
    original = "内容（1）至（3）由承担基础项目的基地省市执行，内容（1）至（4）由承担重点项目的基地省市执行。"
    assert original in NOTICE
    plan = parse(NOTICE.replace(original, joiner.join(clauses) + "。"))
    assert summary(plan) == baseline()


@variants
@given(
    wording=st.sampled_from(
        [
            "其他省（区、市）根据实际情况开展相应工作",
            "其他省（区、市）可根据实际情况开展相应工作",
            "其他省（区、市）可结合实际情况开展相应工作",
            "其他省份可根据实际情况自愿开展",
        ]
    )
)
def test_voluntary_others_in_its_wordings(wording):
    plan = parse(NOTICE.replace("其他省（区、市）根据实际情况开展相应工作", wording))
    assert summary(plan) == baseline()


@variants
@given(data=st.data())
def test_full_official_names_and_breaks_inside_names(data):
    named = {
        "由贵州、甘肃、青海、宁夏、西藏、新疆和新疆生产建设兵团执行": [
            "贵州",
            "甘肃",
            "青海",
            "宁夏",
            "西藏",
            "新疆",
            "新疆生产建设兵团",
        ],
        "由江西、河南、湖北、广西、陕西执行": ["江西", "河南", "湖北", "广西", "陕西"],
        "由河北、山 西、内蒙古、海南、甘肃执行": ["河北", "山西", "内蒙古", "海南", "甘肃"],
        "由湖南、山东、浙江和陕西执行": ["湖南", "山东", "浙江", "陕西"],
    }
    text = NOTICE
    for sentence, shorts in named.items():
        names = [data.draw(unit_name(s)) for s in shorts]
        text = text.replace(sentence, "由" + "、".join(names) + "执行")
    assert summary(parse(text)) == baseline()


@variants
@given(data=st.data())
def test_breaks_inside_words_are_mended(data):
    words = [
        "基础项目",
        "重点项目",
        "基地省市",
        "执行单位",
        "工作内容",
        "根据实际情况",
        "阶段性成果",
        "工作总结",
        "年年底完成",
        "培训班",
        "至少2期",
        "6月20日前",
    ]
    text = NOTICE
    for word in data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=6, unique=True)):
        text = text.replace(
            word, split_inside(word, data.draw(st.integers(0, 20)), data.draw(gaps))
        )
    assert summary(parse(text)) == baseline()


# --- dates ----------------------------------------------------------------------------


@variants
@given(
    wording=st.sampled_from(
        ["2018年年底前", "年底前", "2018年底前", "12月31日前", "2018年12月31日前", "2018年年底"]
    )
)
def test_year_end_in_its_wordings(wording):
    original = "应于2018年年底完成"
    assert original in NOTICE
    plan = parse(NOTICE.replace(original, f"应于{wording}完成"))
    assert ("summary", date(2018, 12, 31), 10) in summary(plan)["deadlines"]
    assert summary(plan) == baseline()


@variants
@given(
    extra=st.lists(
        st.sampled_from(
            [
                "各省（区、市）知识产权局要加强宣传，营造良好氛围。",
                "各承担单位要加强经费管理，专款专用。",
                "各地方知识产权局要及时报送工作信息和典型做法。",
            ]
        ),
        max_size=3,
    ),
    order=st.randoms(use_true_random=False),
)
def test_requirements_with_more_items_and_registration_anywhere(extra, order):
    head, tail = NOTICE[: NOTICE.index("四、有关要求")], NOTICE[NOTICE.index("四、有关要求") :]
    items = [
        i
        for i in re.split(r"（[一二三四五六七八九十]+）", tail[len("四、有关要求") :])
        if i.strip()
    ]
    items = [i.strip() for i in items] + extra
    order.shuffle(items)
    requirements = "四、有关要求 " + "".join(
        f"（{to_numeral(n)}）{item}\n" for n, item in enumerate(items, start=1)
    )
    plan = parse(head + requirements)
    assert summary(plan) == baseline()


# --- tasks reordered, dropped, added, with dates and periodic targets ------------------


def task_blocks() -> list[str]:
    body = NOTICE[TASKS_START:TASKS_END]
    starts = [body.index(f"（{to_numeral(t['number'])}）{t['title']}") for t in _titles()]
    return [body[a:b].strip() for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]


def _titles() -> list[dict]:
    return [{"number": t.number, "title": t.title} for t in parse(NOTICE).tasks]


BLOCKS = task_blocks()
WHATS = ["中期进展", "工作简报", "项目实施方案", "企业应用成果报告"]
PERIODS = {"季度": "quarter", "半年": "half", "月": "month"}


@st.composite
def extra_task(draw, title: str):
    """A task of a later year: named units, dated reports and targets inside its content."""
    shorts = draw(st.lists(st.sampled_from(sorted(CODE)), min_size=1, max_size=5, unique=True))
    voluntary = draw(st.booleans())
    rule = "由" + "、".join(draw(unit_name(s)) for s in shorts) + "执行"
    if voluntary:
        rule += "，其他省（区、市）可根据实际情况开展相应工作"
    items, deadlines, targets = [], [], []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        parts = ["组织开展专利信息利用工作"]
        if draw(st.booleans()):
            month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
            what = draw(st.sampled_from(WHATS))
            written = draw(st.sampled_from([f"2018年{month}月{day}日前", f"{month}月{day}日前"]))
            parts.append(f"于{written}报送{what}")
            deadlines.append(date(2018, month, day))
        if draw(st.booleans()):
            word, count = draw(st.sampled_from(sorted(PERIODS))), draw(st.integers(1, 4))
            parts.append(f"每{word}至少报送{count}次工作进展")
            targets.append((n, count, "次", PERIODS[word]))
        if draw(st.booleans()):
            count = draw(st.integers(1, 9))
            parts.append(f"举办至少{count}期专利信息培训班")
            targets.append((n, count, "期", "year"))
        items.append(f"（{n}）" + "，".join(parts) + "。")
    text = (
        f"{title} 1.工作目标：提升专利信息服务能力。 2.工作内容：{''.join(items)}"
        f"\n3.执行单位：{rule}。\n4.工作支持：我局提供业务指导。"
    )
    expected = {
        "title": title,
        "items": len(items),
        "all_units": False,
        "voluntary_others": voluntary,
        "bases_only": False,
        "mandatory": sorted(CODE[s] for s in shorts),
        "tracks": [],
        "targets": sorted(targets),
        "support": (False, True, ""),  # 我局提供业务指导
    }
    return text, expected, deadlines


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(data=st.data())
def test_tasks_reordered_dropped_added_with_dates_and_targets_inside(data):
    kept = data.draw(
        st.lists(st.integers(0, len(BLOCKS) - 1), min_size=1, max_size=len(BLOCKS), unique=True)
    )
    extras = [
        data.draw(extra_task(f"开展补充工作试点{to_numeral(k + 1)}"))
        for k in range(data.draw(st.integers(0, 3)))
    ]
    order = [("old", i) for i in kept] + [("new", k) for k in range(len(extras))]
    order = data.draw(st.permutations(order))
    base = baseline()
    blocks, expected_tasks, expected_deadlines = [], [], []
    base_deadlines = {n: [d for d in base["deadlines"] if d[2] == n] for n in range(1, 11)}
    for number, (kind, i) in enumerate(order, start=1):
        if kind == "old":
            block = re.sub(r"^（[一二三四五六七八九十]+）", "", BLOCKS[i])
            expected_tasks.append(base["tasks"][i])
            expected_deadlines += [(k, d, number) for k, d, _n in base_deadlines[i + 1]]
        else:
            block, expected, dues = extras[i]
            expected_tasks.append(expected)
            expected_deadlines += [("other", d, number) for d in dues]
        blocks.append(f"（{to_numeral(number)}）{block}")
    text = NOTICE[:TASKS_START] + " " + "\n".join(blocks) + "\n" + NOTICE[TASKS_END:]
    plan = parse(text)
    got = summary(plan)
    assert got["tasks"] == expected_tasks
    plan_wide = [d for d in base["deadlines"] if d[2] is None]
    assert got["deadlines"] == sorted(expected_deadlines + plan_wide)
    assert got["unclear"] == []
    assert [from_numeral(to_numeral(t.number)) for t in plan.tasks] == list(
        range(1, len(order) + 1)
    )


def test_eleven_tasks():
    extra = (
        "（十一）开展补充工作试点 1.工作目标：提升能力。 2.工作内容：于2018年9月30日前报送中期进展，"
        "每季度至少报送1次工作进展；每半年报送工作简报。 3.执行单位：由黑龙江省、广西壮族自治区、"
        "宁夏回族自 治区执行。 4.工作支持：我局提供业务指导。\n"
    )
    plan = parse(NOTICE[:TASKS_END] + extra + NOTICE[TASKS_END:])
    task = plan.tasks[10]
    assert task.number == 11
    assert sorted(task.mandatory) == sorted([CODE["黑龙江"], CODE["广西"], CODE["宁夏"]])
    assert sorted((t.period, t.minimum) for t in task.targets) == [("half", 1), ("quarter", 1)]
    assert ("other", date(2018, 9, 30), 11) in summary(plan)["deadlines"]


# --- what is not understood is shown, not dropped ---------------------------------------


@pytest.mark.parametrize(
    ("replace", "by", "place"),
    [
        ("举办至少2期专利信息利用培训班", "举办2期专利信息利用培训班", "任务（一）工作内容（2）"),
        (
            "各省（区、市）。\n4.工作支持：我局提供业务指导；利用",
            "各省（区、市）及其分支机构。\n4.工作支持：我局提供业务指导；利用",
            "任务（三）执行单位",
        ),
        ("由贵州、甘肃、青海", "由承担西部帮扶项目的基地、甘肃、青海", "任务（五）执行单位"),
        ("推动产学研融合。", "推动产学研融合，北京、上海可先行试点。", "任务（五）工作内容"),
        (
            "我局将于年底组织开展项目验收。",
            "我局将于年底组织开展项目验收。请于2017年3月1日前报送。",
            "有关要求",
        ),
    ],
)
def test_sentences_not_understood_are_marked_with_their_place(replace, by, place):
    assert replace in NOTICE
    plan = parse(NOTICE.replace(replace, by))
    unclear = plan.unclear
    assert len(unclear) == 1, [s.text for s in unclear]
    assert unclear[0].place == place
    assert unclear[0].unclear
    assert unclear[0] in plan.undecided


# --- 工作支持 wording -----------------------------------------------------------------

TASK_5_SUPPORT = "兵团执行。\n4.工作支持：我局提供资金支持和业务指导。"
TASK_4_SUPPORT = "4.工作支持：我局提供业务指导；设立企业专利信息利用能力建设试点项目"


def support_of(plan: ParsedPlan, number: int) -> tuple[bool, bool, str]:
    task = plan.task(number)
    return task.funded, task.guided, task.funding_mode


def test_the_2018_support_fund_units_directly_or_projects_by_review():
    plan = parse(NOTICE)
    funded = {t.number: t.funding_mode for t in plan.tasks if t.funded}
    assert funded == {
        1: "units",
        2: "units",
        4: "projects",
        5: "units",
        6: "units",
        7: "units",
        8: "projects",
    }
    assert {t.number for t in plan.tasks if t.guided} == {1, 2, 3, 4, 5, 6, 7, 9}
    read = [s for s in plan.sentences if s.task_number == 8 and "人才项目" in s.text]
    assert read and "经申报评审确定项目承担单位" in " ".join(read[0].became)


@pytest.mark.parametrize(
    ("number", "old", "new", "expected"),
    [
        (
            5,
            TASK_5_SUPPORT,
            "兵团执行。\n4.工作支持：本局给予经费资助，并加强业务指导。",
            (True, True, "units"),
        ),
        (5, TASK_5_SUPPORT, "兵团执行。\n4.工作支持：我局予以一定资助。", (True, False, "units")),
        (5, TASK_5_SUPPORT, "兵团执行。\n4.工作支持：我局负责工作指导。", (False, True, "")),
        (
            4,
            TASK_4_SUPPORT,
            "4.工作支持：我局给予技术指导，并设置企业专利信息利用能力建设试点项目，"
            "由各地方知识产权局推荐，我局组织专家遴选",
            (True, True, "projects"),
        ),
        (4, TASK_4_SUPPORT, "4.工作支持：我局提供业务指导；另设企业专利信息", (False, True, "")),
    ],
)
def test_support_in_other_wordings(number, old, new, expected):
    assert old in NOTICE
    plan = parse(NOTICE.replace(old, new))
    assert support_of(plan, number) == expected
    others = summary(plan)["tasks"]
    assert [t for k, t in enumerate(others) if k != number - 1] == [
        t for k, t in enumerate(baseline()["tasks"]) if k != number - 1
    ]


# --- deadlines written as a month or a period: 9月前, 上半年, 第三季度, 年中 -------------------

QUARTER_WORDS = {1: ["第一季度", "一季度", "第1季度"], 2: ["第二季度", "二季度"]}
QUARTER_WORDS |= {3: ["第三季度", "三季度"], 4: ["第四季度", "四季度"]}


@st.composite
def period_deadline(draw) -> tuple[str, date]:
    """A dated report written by month or by period, with the due date it means."""
    kind = draw(st.sampled_from(["month_end", "month_before", "half", "quarter", "mid"]))
    year = draw(st.sampled_from(["", "2018年"]))
    if kind in ("month_end", "month_before"):
        month = draw(st.integers(1, 12))
        suffix = (
            draw(st.sampled_from(["底前", "底以前", "底"]))
            if kind == "month_end"
            else draw(st.sampled_from(["前", "以前", "之前", "份前"]))
        )
        last = 31 if month == 12 else (date(2018, month + 1, 1) - date(2018, month, 1)).days
        return f"{year}{month}月{suffix}", date(2018, month, last)
    if kind == "half":
        first = draw(st.booleans())
        word = ("上半年" if first else "下半年") + draw(st.sampled_from(["", "内", "结束前"]))
        return year + word, date(2018, 6, 30) if first else date(2018, 12, 31)
    if kind == "quarter":
        q = draw(st.integers(1, 4))
        word = draw(st.sampled_from(QUARTER_WORDS[q])) + draw(st.sampled_from(["", "末", "内"]))
        ends = {1: date(2018, 3, 31), 2: date(2018, 6, 30), 3: date(2018, 9, 30)}
        return year + word, ends.get(q, date(2018, 12, 31))
    return (("2018年" if year else "") + "年中" + draw(st.sampled_from(["前", "", "以前"]))), date(
        2018, 6, 30
    )


@variants
@given(
    dated=st.lists(period_deadline(), min_size=1, max_size=3),
    lead=st.sampled_from(["于", "在", "请于", ""]),
    what=st.sampled_from(WHATS),
)
def test_deadlines_by_month_or_period_inside_a_task(dated, lead, what):
    items = "".join(
        f"（{n}）组织开展专利信息利用工作，{lead}{written}报送{what}。"
        for n, (written, _due) in enumerate(dated, start=1)
    )
    task = (
        f"（十一）开展补充工作试点 1.工作目标：提升能力。 2.工作内容：{items}"
        "\n3.执行单位：由江西、河南执行。\n4.工作支持：我局提供业务指导。"
    )
    plan = parse(NOTICE[:TASKS_END] + "\n" + task + "\n" + NOTICE[TASKS_END:])
    got = sorted(d.due_date for d in plan.deadlines if d.task_number == 11)
    assert got == sorted(dict(dated).values())  # the same sentence twice is one deadline
    assert all(d.kind == "other" for d in plan.deadlines if d.task_number == 11)
    assert [s.text for s in plan.unclear] == []
    assert summary(plan)["tasks"][:10] == baseline()["tasks"]


@pytest.mark.parametrize(
    "words",
    ["每半年至少报送1次工作进展", "全年中至少举办2期培训班", "开展中期评估", "在一年中持续开展"],
)
def test_period_words_that_are_no_deadline(words):
    task = (
        f"（十一）开展补充工作试点 1.工作目标：提升能力。 2.工作内容：（1）{words}。"
        "\n3.执行单位：由江西执行。\n4.工作支持：我局提供业务指导。"
    )
    plan = parse(NOTICE[:TASKS_END] + "\n" + task + "\n" + NOTICE[TASKS_END:])
    assert not [d for d in plan.deadlines if d.task_number == 11]


def test_a_summary_due_by_the_second_half_is_the_year_end_summary():
    original = "应于2018年年底完成"
    plan = parse(NOTICE.replace(original, "应于2018年下半年完成"))
    assert ("summary", date(2018, 12, 31), 10) in summary(plan)["deadlines"]
    assert summary(plan) == baseline()


# --- "负责" / "负责实施" name who executes, as "执行" does --------------------------------

WESTERN = "由贵州、甘肃、青海、宁夏、西藏、新疆和新疆生产建设兵团执行。"
CAPACITY = "（1）综合能力培育工作：由江西、河南、湖北、广西、陕西执行"


@pytest.mark.parametrize("verb", ["负责", "负责实施", "具体负责组织实施", "负责实施相关工作"])
def test_responsible_wording_names_the_executing_units(verb):
    assert WESTERN in NOTICE and CAPACITY in NOTICE
    reworded = NOTICE.replace(WESTERN, WESTERN.replace("执行。", f"{verb}。")).replace(
        CAPACITY, CAPACITY.replace("陕西执行", f"陕西{verb}")
    )
    assert reworded != NOTICE
    assert summary(parse(reworded)) == summary(parse(NOTICE))
    plan = parse(reworded)
    assert plan.unclear == []
    assert sorted(plan.task(5).mandatory) == sorted(
        CODE[s] for s in ["贵州", "甘肃", "青海", "宁夏", "西藏", "新疆", "新疆生产建设兵团"]
    )


def test_an_unknown_unit_in_responsible_wording_is_still_refused_by_name():
    """The documented refusal (tests/test_plan_import.py, test_import_preview.py) holds
    whatever the verb: the name is quoted, the task named."""
    with pytest.raises(NoticeError) as err:
        parse(NOTICE.replace(WESTERN, "由贵州、火星、甘肃负责实施。"))
    assert "火星" in err.value.message and "（五）" in err.value.message
    assert err.value.where.startswith("由贵州、火星、甘肃负责实施")
