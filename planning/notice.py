"""Read a year's work plan from the text of the official notice.

The notice follows a fixed official format (see ``planning/seed/2018-work-plan.txt``):
a header with title, 文号 and date; then the plan with sections 一、总体目标,
二、工作重点, 三、具体任务 (numbered tasks （一）（二）…, each with 1.工作目标
2.工作内容 3.执行单位 4.工作支持) and 四、有关要求. Text extracted from a PDF splits
words with stray spaces and line breaks; :func:`mend` joins them again.

Inside that frame the wording changes from year to year, so the body is read sentence by
sentence with a small grammar (the named patterns below, one per kind of sentence):

- an 执行单位 clause is a base track, a named track, "all units", a list of named units or
  the voluntary "other units" clause;
- a date (``YYYY年M月D日``, ``M月底``, ``M月前``, ``上半年``, ``第三季度``, ``年中``, ``年底``)
  makes a deadline, its kind told by the words
  around it (registration, summary, outcomes, acceptance, or a task's own report);
- a count is a per-period target (``每季度至少…1次``), a yearly target (``至少2期``), or, in
  工作支持, HQ's own commitment;
- a 工作支持 sentence gives funding (``我局提供资金支持``), directly to the executing units or
  through projects HQ sets up and chooses by review (``设立……项目……组织项目评审``), and/or
  guidance (``业务指导``).

Every sentence holding a date, a count or a unit name is kept in :attr:`ParsedPlan.sentences`
with what it became; one the grammar does not understand is marked ``unclear`` and must be
mapped by hand (:func:`apply_mappings`) or explicitly set aside before the plan is saved.

:func:`parse_notice` understands the text without touching the database and raises
:class:`NoticeError` quoting the sentence it could not accept;
:func:`provinces.plans.import_plan` saves what it understood (the plan's own part through
:func:`planning.services.save_plan_content`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

NUMERALS = "一二三四五六七八九十"
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Punctuation after which a line break is a real paragraph end, not a PDF split.
_JOINABLE = rf"[{CJK}，、（）《》“”〔〕]"

PERIODS = ("year", "half", "quarter", "month")
_MEASURE_CHARS = "期个家名项场次篇份件批所人"


class NoticeError(ValueError):
    """The notice text could not be understood; ``where`` quotes the place."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{message}{_('（位置：“%s”）') % where if where else ''}")


@dataclass
class ParsedTrack:
    code: str
    name: str
    item_numbers: list[int]
    base_level: str = ""  # "key" / "basic" when the track is done by bases
    provinces: list[str] = field(default_factory=list)  # province codes


@dataclass
class ParsedTarget:
    item_number: int | None
    description: str
    metric: str
    minimum: int
    unit: str
    period: str = "year"  # one of PERIODS: the target is due again in each such period


@dataclass
class ParsedTask:
    number: int
    title: str
    goal: str
    content: str
    items: list[tuple[int, str]]
    executing_rule: str
    support: str
    all_units: bool = False
    voluntary_others: bool = False
    bases_only: bool = False
    funded: bool = False  # 资金支持
    guided: bool = False  # 业务指导
    funding_mode: str = ""  # "units" / "projects" when funded
    mandatory: list[str] = field(default_factory=list)  # province codes
    tracks: list[ParsedTrack] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)

    @property
    def numeral(self) -> str:
        return to_numeral(self.number)


@dataclass
class ParsedDeadline:
    kind: str
    due_date: date
    description: str
    task_number: int | None = None
    sentence: str = ""  # the notice's own words this deadline was read from


@dataclass
class Sentence:
    """A sentence of the notice that holds a date, a count or a unit name."""

    text: str
    place: str  # "任务（一）工作内容（2）", "有关要求（四）"…
    task_number: int | None = None
    item_number: int | None = None
    became: list[str] = field(default_factory=list)  # what the importer made of it, in words
    unclear: str = ""  # why the grammar did not understand it ("" when it did)
    mapped: str = ""  # the administrator's decision, in words, once mapped by hand

    @property
    def needs_decision(self) -> bool:
        return bool(self.unclear) and not self.mapped


@dataclass
class HandMapping:
    """The administrator's reading of a sentence the grammar did not understand."""

    DEADLINE = "deadline"
    TARGET = "target"
    UNITS = "units"
    NONE = "none"  # read, and deliberately nothing to create

    sentence: str
    as_: str
    task_number: int | None = None
    item_number: int | None = None
    due_date: date | None = None
    minimum: int | None = None
    unit: str = ""
    period: str = "year"
    provinces: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "sentence": self.sentence,
            "as": self.as_,
            "task": self.task_number,
            "item": self.item_number,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "minimum": self.minimum,
            "unit": self.unit,
            "period": self.period,
            "provinces": list(self.provinces),
        }

    @classmethod
    def from_json(cls, data: dict) -> HandMapping:
        return cls(
            sentence=data["sentence"],
            as_=data["as"],
            task_number=data.get("task"),
            item_number=data.get("item"),
            due_date=date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
            minimum=data.get("minimum"),
            unit=data.get("unit") or "",
            period=data.get("period") or "year",
            provinces=list(data.get("provinces") or []),
        )


@dataclass
class ParsedPlan:
    year: int
    title: str
    document_number: str
    issuer: str
    issue_date: date | None
    contact_info: str
    overall_goal: str
    priorities: str
    requirements: str
    tasks: list[ParsedTask]
    deadlines: list[ParsedDeadline]
    source_text: str
    warnings: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    hand_mappings: list[HandMapping] = field(default_factory=list)
    bases: dict[str, str] = field(default_factory=dict)  # province code → base level

    def task(self, number: int | None) -> ParsedTask | None:
        return next((t for t in self.tasks if t.number == number), None)

    @property
    def unclear(self) -> list[Sentence]:
        return [s for s in self.sentences if s.unclear]

    @property
    def undecided(self) -> list[Sentence]:
        return [s for s in self.sentences if s.needs_decision]


# --- text helpers -------------------------------------------------------------


def mend(text: str) -> str:
    """Join words split by PDF extraction ("深入开 展" → "深入开展"); keep paragraph ends."""
    text = text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(rf"(?<={_JOINABLE})[ \t\n]+(?={_JOINABLE})", "", text)
    # A date or count split from its word ("2021 年", "至少 2 期") or inside its number
    # ("20 18年"); other numbers side by side (telephone numbers) stay apart.
    text = re.sub(rf"(?<=[{CJK}（])[ \t\n]+(?=\d)|(?<=\d)[ \t\n]+(?=[{CJK}）])", "", text)
    text = re.sub(rf"(?<=\d)[ \t\n]+(?=\d+[年月日号{_MEASURE_CHARS}])", "", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return text.strip()


def to_numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else NUMERALS[tens - 1]}十{NUMERALS[ones - 1] if ones else ''}"


def from_numeral(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        head, _sep, tail = s.partition("十")
        tens = NUMERALS.index(head) + 1 if head else 1
        return tens * 10 + (NUMERALS.index(tail) + 1 if tail else 0)
    return NUMERALS.index(s) + 1


def excerpt(text: str, pos: int, width: int = 24) -> str:
    return text[max(0, pos - 4) : pos + width].replace("\n", " ")


def _clean(s: str) -> str:
    return s.strip().strip("。；;，, \n").strip()


def _tidy(s: str) -> str:
    return re.sub(r"\s*\n\s*", "\n", s).strip()


def sentences_of(text: str) -> list[str]:
    """Split at 。；！？ and paragraph ends, keeping each sentence's own punctuation."""
    return [s.strip() for s in re.split(r"(?<=[。；;！？])|\n", text) if s and s.strip()]


class UnitNames:
    """Resolves province names written in full ("内蒙古自治区") or short ("内蒙古")."""

    SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "知识产权局")

    def __init__(self, units: list[tuple[str, str, str]]) -> None:
        # units: (code, full name, short name)
        self.codes = [code for code, _full, _short in units]
        self.aliases: dict[str, str] = {}
        for code, full, short in units:
            for alias in {full, short, *(short + s for s in self.SUFFIXES)}:
                self.aliases[alias] = code
        xpcc = [code for code, full, _s in units if "兵团" in full]
        if xpcc:
            self.aliases["兵团"] = xpcc[0]
        longest_first = sorted(self.aliases, key=len, reverse=True)
        self.anywhere = re.compile("|".join(map(re.escape, longest_first))) if units else None

    def resolve(self, name: str) -> str | None:
        name = name.strip().strip("。，；、 ")
        name = re.sub(r"(知识产权局|等)$", "", name)
        return self.aliases.get(name)

    def mentioned(self, sentence: str) -> list[str]:
        """Codes of the units a free sentence names."""
        if self.anywhere is None:
            return []
        return list(
            dict.fromkeys(self.aliases[m.group(0)] for m in self.anywhere.finditer(sentence))
        )


# --- the grammar ------------------------------------------------------------------
# One named pattern per kind of sentence. Patterns apply to mended text (no PDF splits).

SECTION_RE = re.compile(
    r"(?:^|\n|\s|。)([一二三四五六七八九十]+)、\s*(总体目标|工作重点|具体任务|有关要求)"
)
TASK_HEADING = re.compile(r"（([一二三四五六七八九十]+)）")
FIELD_RE = re.compile(r"(\d+)\s*[.．、]\s*(工作目标|工作内容|执行单位|工作支持)\s*[：:]")
ITEM_MARK = re.compile(r"（(\d+)）")

# 执行单位 clauses ----------------------------------------------------------------
#: 执行 / 承担 / 开展 / 实施 / 负责 / 负责实施 / 具体负责组织实施 (…相关工作)
_EXECUTE = (
    r"(?:(?:具体)?负责(?:组织)?(?:执行|承担|开展|实施)?|(?:组织)?(?:执行|承担|开展|实施))"
    r"(?:相关|相应)?(?:工作)?"
)
_ITEMS = r"内容\s*(?P<items>（\d+）(?:\s*(?:至|到|—|－|-|～|~|、|和|及)\s*（\d+）)*)"
_BASE = (
    r"(?:由\s*)?(?:承担\s*)?(?P<level>重点|基础)\s*类?\s*项目\s*的?\s*"
    r"(?:专利信息传播利用)?基地(?:省市|省份|省（区、市）|所在省（区、市）)?"
)
_ALL_UNITS = r"(?:各省（区、市）|各省、自治区、直辖市|各地方|全国各省（区、市）|全部省（区、市）)"
#: 内容（1）至（3）由承担基础项目的基地省市执行 — items done by the bases of one level.
BASE_TRACK = re.compile(rf"^{_ITEMS}\s*由\s*{_BASE}\s*{_EXECUTE}$")
#: 承担重点项目的基地执行内容（1）至（4） — the same, the other way round.
BASE_TRACK_INVERTED = re.compile(rf"^{_BASE}\s*{_EXECUTE}\s*{_ITEMS}$")
#: （1）综合能力培育工作：由江西、河南…执行 — a named track with its own units.
NAMED_TRACK = re.compile(
    rf"^（(?P<item>\d+)）\s*(?P<name>[^：:（）]+?)(?:工作)?\s*[：:]\s*由(?P<names>.+?){_EXECUTE}$"
)
#: 各省（区、市） — every unit.
ALL_UNITS = re.compile(rf"^{_ALL_UNITS}(?:知识产权局)?(?:均须|均应|都要)?(?:{_EXECUTE})?$")
#: 其他省（区、市）可根据实际情况开展相应工作 — the rest may take the task up.
VOLUNTARY_OTHERS = re.compile(
    r"^(?:其他|其余|其它)(?:省（区、市）|省份|地方|单位).*?(?:根据|结合|视|依据)?.*?(?:实际情况|自愿|可)"
)
#: 由湖南、山东、浙江和陕西执行 — named units.
NAMED_UNITS = re.compile(rf"^由(?P<names>.+?){_EXECUTE}$")
NAME_SEPARATORS = re.compile(r"[、，,和及与]")

# 工作支持 sentences ------------------------------------------------------------------
#: 设立企业专利信息利用能力建设试点项目……我局组织项目评审 — money for projects chosen by review.
PROJECT_FUNDING = re.compile(
    r"(?:设立|设置|安排)(?P<name>[^，。；]{2,40}?项目)[^。]*?(?:组织|开展)?(?:项目)?(?:评审|遴选)"
)
#: 我局提供资金支持 / 予以资金支持 / 给予经费资助 — money for the executing units.
UNIT_FUNDING = re.compile(r"(?:资金|经费)\s*(?:支持|资助|补助)|(?:予以|给予)(?:一定)?资助")
#: 我局提供业务指导 — guidance.
GUIDANCE = re.compile(r"(?:业务|工作|技术)\s*指导")

# Dates ------------------------------------------------------------------------------
#: 2018年6月20日前 / 12月31日前 / 6月底前 / 9月前 — a calendar date (the plan's year when
#: none); a month without a day ("6月底", "9月前", "9月份以前") is due at that month's end.
DATE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*"
    r"(?:(?P<day>\d{1,2})\s*[日号]|(?P<end>底)|份?(?=\s*(?:以|之)?前))"
)
#: 上半年 / 下半年 / 第三季度 / 三季度末 / 年中 (2021年上半年…) — due at that period's end.
PERIOD_END = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?"
    r"(?:(?P<half>上|下)半年|第?\s*(?P<quarter>[一二三四1-4])\s*季度|(?<![一全每今去明当])(?P<mid>年中)(?![期央国]))"
)
#: 年底 / 2018年年底 / 2018年底 — the end of the year.
YEAR_END = re.compile(r"(?:(?P<year>\d{4})\s*年\s*年?|年)\s*底")
#: What makes a deadline of one kind rather than a task's own report (checked in order).
DEADLINE_KINDS: tuple[tuple[str, re.Pattern, bool], ...] = (
    # (kind, words, only when due at the year end)
    ("registration", re.compile(r"负责人|联系人|进度安排|任务分解"), False),
    ("acceptance", re.compile(r"验收"), False),
    ("summary", re.compile(r"工作总结|年度总结|全年.{0,6}总结|总结.{0,30}计划"), True),
    ("outcomes", re.compile(r"阶段性成果|典型案例"), True),
)

# Counts ---------------------------------------------------------------------------
_MEASURE = r"(?:人次|期|个|家|名|项|场|次|篇|份|件|批|所|人)"
_COUNT = r"(?:\d+|[一二两三四五六七八九十])"
_AT_LEAST = r"(?:至少|不少于|不低于|最少)"
#: 每季度至少报送1次工作进展 / 每半年报送一次 — a target due again every period.
PERIODIC_TARGET = re.compile(
    rf"每\s*(?:个\s*)?(?P<period>季度|半年|月|年度?)\s*{_AT_LEAST}?\s*"
    rf"(?:(?P<verb>[^\d，。；、]{{0,12}}?)\s*(?P<count>{_COUNT})\s*(?P<unit>{_MEASURE}))?"
    rf"(?P<what>[^，。；]*)"
)
#: 举办至少2期专利信息利用培训班 — a yearly target.
YEARLY_TARGET = re.compile(
    rf"{_AT_LEAST}\s*(?P<verb>[^\d，。；、]{{0,6}}?)\s*(?P<count>{_COUNT})\s*(?P<unit>{_MEASURE})(?P<what>[^，。；、]*)"
)
#: 2期, 3家 — any count (one no pattern above explains is not understood).
COUNT = re.compile(rf"(?<![\d〔（])(?P<count>\d+)\s*(?P<unit>{_MEASURE})")
PERIOD_WORDS = {"季度": "quarter", "半年": "half", "月": "month", "年": "year", "年度": "year"}
CHINESE_COUNTS = {"两": 2, **{c: i for i, c in enumerate(NUMERALS, start=1)}}


def _count(s: str) -> int:
    return int(s) if s.isdigit() else CHINESE_COUNTS[s]


# --- the parser -----------------------------------------------------------------


def parse_notice(raw: str, units: list[tuple[str, str, str]]) -> ParsedPlan:
    """Understand a notice, or raise :class:`NoticeError` saying where it went wrong."""
    if not raw or not raw.strip():
        raise NoticeError(_("通知文本为空。"))
    names = UnitNames(units)
    flat = re.sub(r"\s+", " ", raw)  # header facts are read before words are joined
    text = mend(raw)
    warnings: list[str] = []

    title_m = re.search(r"(\d{4})\s*年度\s*([^\n。]*?工作计划)", text)
    if not title_m:
        raise NoticeError(_("找不到计划标题（“××××年度……工作计划”）。"), excerpt(text, 0, 40))
    year = int(title_m.group(1))
    title = f"{year}年度{title_m.group(2)}"

    doc_m = re.search(r"([\u4e00-\u9fff]+〔\s*\d{4}\s*〕\s*\d+\s*号)", flat)
    document_number = re.sub(r"\s+", "", doc_m.group(1)) if doc_m else ""
    if not doc_m:
        warnings.append(_("未找到文号。"))

    issuer = ""
    issuer_m = re.search(r"发文机构\s*[：:]\s*(\S+)", flat)
    sign_m = re.search(
        r"([\u4e00-\u9fff]*知识产权局[\u4e00-\u9fff]*)\s+(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日",
        flat,
    )
    if sign_m:
        issuer = sign_m.group(1)
    elif issuer_m:
        issuer = issuer_m.group(1)
    issue_date = None
    date_m = re.search(r"发布时间\s*[：:]\s*(\d{4})-(\d{1,2})-(\d{1,2})", flat)
    if sign_m:
        issue_date = date(int(sign_m.group(2)), int(sign_m.group(3)), int(sign_m.group(4)))
    elif date_m:
        issue_date = date(*(int(g) for g in date_m.groups()))
    contact_m = re.search(r"（\s*联系单位及电话\s*[：:](.*?)）", flat)
    contact_info = contact_m.group(1).strip() if contact_m else ""

    sections: dict[str, tuple[int, int]] = {}
    found = [(m.group(2), m.start(1), m.end()) for m in SECTION_RE.finditer(text)]
    for heading in ("总体目标", "工作重点", "具体任务", "有关要求"):
        if heading not in [f[0] for f in found]:
            raise NoticeError(
                _(
                    "找不到章节“%(heading)s”。正式通知应包含“一、总体目标”“二、工作重点”“三、具体任务”“四、有关要求”。"
                )
                % {"heading": heading},
                excerpt(text, 0, 40),
            )
    for i, (heading, _start, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(text)
        sections.setdefault(heading, (end, stop))

    def section(name: str) -> str:
        a, b = sections[name]
        return text[a:b].strip()

    reader = _Reader(year, names)
    tasks_text_start, tasks_text_end = sections["具体任务"]
    tasks = _parse_tasks(text, tasks_text_start, tasks_text_end, reader)
    requirements = section("有关要求")
    for sentence in sentences_of(requirements):
        reader.free(sentence, _("有关要求"))
    for heading in ("总体目标", "工作重点"):
        for sentence in sentences_of(section(heading)):
            reader.free(sentence, heading)
    if not any(d.kind == "registration" for d in reader.deadlines):
        warnings.append(_("“有关要求”中未找到任务分解报送的截止日期。"))

    return ParsedPlan(
        year=year,
        title=title,
        document_number=document_number,
        issuer=issuer,
        issue_date=issue_date,
        contact_info=contact_info,
        overall_goal=_tidy(section("总体目标")),
        priorities=_tidy(section("工作重点")),
        requirements=_tidy(requirements),
        tasks=tasks,
        deadlines=reader.deadlines,
        source_text=raw,
        warnings=warnings,
        sentences=reader.sentences,
    )


def _parse_tasks(text: str, start: int, end: int, reader: _Reader) -> list[ParsedTask]:
    # A task heading is a numeral in brackets followed by a title and "1.工作目标".
    task_heads = []
    for m in TASK_HEADING.finditer(text, start, end):
        following = text[m.end() : m.end() + 120]
        if FIELD_RE.search(following) and not re.match(r"\s*\d", following):
            task_heads.append(m)
    if not task_heads:
        raise NoticeError(
            _("“三、具体任务”中找不到任何任务（“（一）……1.工作目标：……”）。"),
            excerpt(text, start, 40),
        )
    for expected, m in enumerate(task_heads, start=1):
        got = from_numeral(m.group(1))
        if got != expected:
            prev = task_heads[expected - 2] if expected > 1 else None
            where = excerpt(text, prev.start(), 30) if prev else excerpt(text, m.start(), 30)
            raise NoticeError(
                _("任务编号不连续：应为“（%(expected)s）”，却读到“（%(got)s）”，缺少一个任务标题。")
                % {"expected": to_numeral(expected), "got": m.group(1)},
                where,
            )
    tasks = []
    for i, m in enumerate(task_heads):
        stop = task_heads[i + 1].start() if i + 1 < len(task_heads) else end
        tasks.append(_parse_task(text, m, stop, reader))
    return tasks


def _parse_task(text: str, head: re.Match, stop: int, reader: _Reader) -> ParsedTask:
    number = from_numeral(head.group(1))
    body = text[head.end() : stop]
    fields = list(FIELD_RE.finditer(body))
    title = body[: fields[0].start()].strip() if fields else ""
    parts: dict[str, str] = {}
    for j, f in enumerate(fields):
        f_end = fields[j + 1].start() if j + 1 < len(fields) else len(body)
        parts[f.group(2)] = body[f.end() : f_end].strip()
    where = excerpt(text, head.start(), 30)
    if not title:
        raise NoticeError(_("任务（%(n)s）没有标题。") % {"n": head.group(1)}, where)
    for required in ("工作内容", "执行单位"):
        if required not in parts:
            raise NoticeError(
                _("任务（%(n)s）缺少“%(field)s”。") % {"n": head.group(1), "field": required}, where
            )
    content = parts["工作内容"]
    task = ParsedTask(
        number=number,
        title=title,
        goal=_tidy(parts.get("工作目标", "")),
        content=_tidy(content),
        items=_split_items(content),
        executing_rule=_tidy(parts["执行单位"]),
        support=_tidy(parts.get("工作支持", "")),
    )
    reader.executing_units(task)
    for sentence in sentences_of(task.goal):
        reader.task_sentence(task, sentence, _("工作目标"), None)
    for item_number, item_text in task.items:
        for sentence in sentences_of(item_text):
            reader.task_sentence(task, sentence, _("工作内容"), item_number)
    for sentence in sentences_of(task.support):
        reader.task_sentence(task, sentence, _("工作支持"), None, support=True)
        reader.support(task, sentence)
    return task


def _split_items(content: str) -> list[tuple[int, str]]:
    marks = []
    expected = 1
    for m in ITEM_MARK.finditer(content):
        if int(m.group(1)) == expected:
            marks.append(m)
            expected += 1
    if not marks:
        return [(1, _tidy(content))]
    items = []
    for k, m in enumerate(marks):
        stop = marks[k + 1].start() if k + 1 < len(marks) else len(content)
        items.append((k + 1, _tidy(content[m.end() : stop])))
    return items


def _period_end(m: re.Match, year: int) -> date:
    """The last day of the period a PERIOD_END match names."""
    if m.group("half"):
        month = 6 if m.group("half") == "上" else 12
    elif m.group("quarter"):
        q = m.group("quarter")
        month = 3 * (int(q) if q.isdigit() else CHINESE_COUNTS[q])
    else:  # 年中
        month = 6
    return date(year, month, calendar.monthrange(year, month)[1])


def _metric(what: str, unit: str) -> str:
    if "培训" in what and unit in ("期", "场", "次"):
        return "classes_held"
    if unit in ("人次", "名"):
        return "trainees"
    if "企业" in what or unit == "家":
        return "enterprises_served"
    if "案例" in what:
        return "cases"
    return "other"


def _item_numbers(spec: str) -> list[int]:
    """ "（1）至（3）" → [1, 2, 3]; "（1）、（3）" → [1, 3]."""
    numbers = [int(n) for n in re.findall(r"\d+", spec)]
    joins = re.findall(r"）\s*(\S)\s*（", spec)
    out: list[int] = [numbers[0]]
    for join, n in zip(joins, numbers[1:], strict=False):
        if join in "至到—－-～~":
            out.extend(range(out[-1] + 1, n + 1))
        else:
            out.append(n)
    return sorted(set(out))


class _Reader:
    """Reads sentences against the grammar; collects deadlines and the sentence ledger."""

    def __init__(self, year: int, names: UnitNames) -> None:
        self.year = year
        self.names = names
        self.deadlines: list[ParsedDeadline] = []
        self.sentences: list[Sentence] = []

    # 执行单位 -------------------------------------------------------------------

    def executing_units(self, task: ParsedTask) -> None:
        place = _("任务（%(task)s）执行单位") % {"task": task.numeral}
        for clause in (_clean(c) for c in re.split(r"[。；;，,]", task.executing_rule)):
            if not clause:
                continue
            record = Sentence(text=clause, place=place, task_number=task.number)
            self.sentences.append(record)
            record.became.extend(self._clause(task, clause, record))
        for track in task.tracks:
            task.mandatory.extend(c for c in track.provinces if c not in task.mandatory)

    def _clause(self, task: ParsedTask, clause: str, record: Sentence) -> list[str]:
        if m := BASE_TRACK.match(clause) or BASE_TRACK_INVERTED.match(clause):
            task.bases_only = True
            name = f"{m.group('level')}项目"
            numbers = _item_numbers(m.group("items"))
            task.tracks.append(
                ParsedTrack(
                    code="key" if m.group("level") == "重点" else "basic",
                    name=name,
                    item_numbers=numbers,
                    base_level="key" if m.group("level") == "重点" else "basic",
                )
            )
            return [
                _("任务承担：承担%(track)s的基地，工作内容%(items)s")
                % {"track": name, "items": "、".join(f"（{n}）" for n in numbers)}
            ]
        if m := NAMED_TRACK.match(clause):
            name = m.group("name").strip()
            codes = self._names(task, m.group("names"), clause)
            item = int(m.group("item"))
            task.tracks.append(
                ParsedTrack(
                    code=KNOWN_TRACK_CODES.get(name, f"track-{len(task.tracks) + 1}"),
                    name=name,
                    item_numbers=[item] if item <= len(task.items) else [],
                    provinces=codes,
                )
            )
            return [_("任务承担：%(track)s，%(n)d 个单位") % {"track": name, "n": len(codes)}]
        if ALL_UNITS.match(clause):
            task.all_units = True
            return [_("任务承担：全部执行单位")]
        if VOLUNTARY_OTHERS.match(clause):
            task.voluntary_others = True
            return [_("任务承担：其他单位可自愿开展")]
        if m := NAMED_UNITS.match(clause):
            if "基地" in m.group("names"):
                record.unclear = _("提到基地，但未读出承担的是重点项目还是基础项目")
                return []
            codes = self._names(task, m.group("names"), clause)
            task.mandatory.extend(c for c in codes if c not in task.mandatory)
            return [_("任务承担：%(n)d 个指定单位") % {"n": len(codes)}]
        record.unclear = _("执行单位的这一句不符合已知的写法")
        return []

    def _names(self, task: ParsedTask, raw: str, clause: str) -> list[str]:
        """The codes of the units a clause names. A name the importer does not know refuses
        the notice, quoting the clause and naming the task (the documented behaviour the
        import and preview tests hold: nothing is saved, no preview is shown)."""
        codes = []
        for piece in NAME_SEPARATORS.split(raw):
            piece = piece.strip()
            if not piece:
                continue
            code = self.names.resolve(piece)
            if code is None:
                raise NoticeError(
                    _("任务（%(task)s）的执行单位中有无法识别的单位名称“%(name)s”。")
                    % {"task": task.numeral, "name": piece},
                    clause,
                )
            if code not in codes:
                codes.append(code)
        return codes

    # 工作支持 -----------------------------------------------------------------------

    def support(self, task: ParsedTask, sentence: str) -> None:
        """What HQ gives the task: funding (to the units or through reviewed projects) and
        guidance. A sentence that gives either is kept in the ledger with what it became."""
        became = []
        if m := PROJECT_FUNDING.search(sentence):
            task.funded = True
            task.funding_mode = "projects"
            became.append(
                _("工作支持：资金支持，设立“%(name)s”，经申报评审确定项目承担单位")
                % {"name": m.group("name")}
            )
        elif UNIT_FUNDING.search(sentence):
            task.funded = True
            task.funding_mode = task.funding_mode or "units"
            became.append(_("工作支持：资金支持，直接支持执行单位"))
        if GUIDANCE.search(sentence):
            task.guided = True
            became.append(_("工作支持：业务指导"))
        if not became:
            return
        place = _("任务（%(task)s）工作支持") % {"task": task.numeral}
        record = next((s for s in self.sentences if s.text == sentence and s.place == place), None)
        if record is None:
            record = Sentence(text=sentence, place=place, task_number=task.number)
            self.sentences.append(record)
        record.became.extend(became)

    # Dates and counts -------------------------------------------------------------

    def task_sentence(
        self,
        task: ParsedTask,
        sentence: str,
        field_name: str,
        item_number: int | None,
        support: bool = False,
    ) -> None:
        place = _("任务（%(task)s）%(field)s") % {"task": task.numeral, "field": field_name}
        if item_number is not None and len(task.items) > 1:
            place += f"（{item_number}）"
        record = Sentence(
            text=sentence, place=place, task_number=task.number, item_number=item_number
        )
        dated = self._dates(record, task.number)
        counted = self._counts(record, task, support)
        named = self.names.mentioned(sentence)
        if named and not record.unclear:
            record.unclear = _("句中提到了执行单位，但不在“执行单位”中")
        if dated or counted or named:
            self.sentences.append(record)

    def free(self, sentence: str, place: str) -> None:
        """A sentence outside the tasks: dates make plan-wide deadlines; counts are unclear."""
        record = Sentence(text=sentence, place=place)
        dated = self._dates(record, None)
        counts = list(COUNT.finditer(sentence))
        named = self.names.mentioned(sentence)
        if (counts or named) and not record.unclear:
            record.unclear = _("任务以外的数量或单位名称：请指定它属于哪项任务")
        if dated or counts or named:
            self.sentences.append(record)

    def _dates(self, record: Sentence, task_number: int | None) -> bool:
        sentence = record.text
        found: list[tuple[int, int, date | None]] = []
        for m in DATE.finditer(sentence):
            year = int(m.group("year")) if m.group("year") else self.year
            month = int(m.group("month"))
            if m.group("day"):
                day = int(m.group("day"))
            else:  # 6月底 / 9月前: the month's last day
                day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            try:
                found.append((m.start(), m.end(), date(year, month, day)))
            except ValueError:
                found.append((m.start(), m.end(), None))
        for m in PERIOD_END.finditer(sentence):
            if any(a <= m.start() < b for a, b, _d in found):
                continue
            year = int(m.group("year")) if m.group("year") else self.year
            found.append((m.start(), m.end(), _period_end(m, year)))
        for m in YEAR_END.finditer(sentence):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _d in found):
                continue
            year = int(m.group("year")) if m.group("year") else self.year
            found.append((m.start(), m.end(), date(year, 12, 31)))
        if not found:
            return False
        found.sort()
        for k, (a, _b, due) in enumerate(found):
            # The words that go with this date: from the clause holding it to the next date's.
            begin = max(sentence.rfind(p, 0, a) for p in "，,；") + 1
            end = found[k + 1][0] if k + 1 < len(found) else len(sentence)
            comma = max(sentence.rfind(p, a, end) for p in "，,；")
            if k + 1 < len(found) and comma > a:
                end = comma
            words = sentence[begin:end] if len(found) > 1 else sentence
            if due is None:
                record.unclear = _("日期不存在")
                continue
            if not self.year <= due.year <= self.year + 1:
                record.unclear = _("日期不在本计划年度内")
                continue
            record.became.append(self._deadline(due, words, task_number))
        return True

    def _deadline(self, due: date, words: str, task_number: int | None) -> str:
        kind = "other"
        for name, pattern, year_end_only in DEADLINE_KINDS:
            if pattern.search(words) and (not year_end_only or (due.month, due.day) == (12, 31)):
                kind = name
                break
        description = {
            "registration": _(
                "报送任务分解：处级具体负责人、工作联系人、工作内容、进度安排和预期成果"
            ),
            "acceptance": _("年底项目验收"),
            "summary": _("报送年度工作总结及下一年度工作思路、要点和计划"),
            "outcomes": _("年底形成阶段性成果及典型案例"),
        }.get(kind) or _clean(words)[:300]
        if kind in ("registration", "acceptance"):
            task_number = None  # plan-wide, whichever task's words mention it
        duplicate = any(
            d.kind == kind
            and d.task_number == task_number
            and (kind != "other" or (d.due_date, d.description) == (due, description))
            for d in self.deadlines
        )
        if not duplicate:
            self.deadlines.append(
                ParsedDeadline(
                    kind=kind,
                    due_date=due,
                    description=description,
                    task_number=task_number,
                    sentence=_clean(words)[:500],
                )
            )
        return _("时间节点：%(date)s %(what)s") % {
            "date": due.isoformat(),
            "what": description,
        }

    def _counts(self, record: Sentence, task: ParsedTask, support: bool) -> bool:
        sentence = record.text
        explained: list[tuple[int, int]] = []
        for pattern, fixed in ((PERIODIC_TARGET, None), (YEARLY_TARGET, "year")):
            for m in pattern.finditer(sentence):
                if any(a <= m.start() < b for a, b in explained):
                    continue
                period = fixed or PERIOD_WORDS[m.group("period")]
                if period == "year" and not m.group("count"):
                    continue  # "每年" with nothing counted is not a target
                explained.append(m.span())
                if support:
                    record.became.append(_("工作支持：我局的安排，不作为执行单位的量化指标"))
                    continue
                count = _count(m.group("count")) if m.group("count") else 1
                unit = m.group("unit") or "次"
                target = ParsedTarget(
                    item_number=record.item_number,
                    description=_clean(m.group(0))[:300],
                    metric=_metric(m.group(0), unit),
                    minimum=count,
                    unit=unit,
                    period=period,
                )
                task.targets.append(target)
                record.became.append(_target_words(target))
        counted = bool(explained)
        for m in COUNT.finditer(sentence):
            if any(a <= m.start() < b for a, b in explained):
                continue
            counted = True
            if support:
                record.became.append(_("工作支持：我局的安排，不作为执行单位的量化指标"))
            else:
                record.unclear = _(
                    "句中的数量“%(count)s”不是已知的指标写法（“至少……”“每季度……”）"
                ) % {"count": m.group(0)}
        return counted


KNOWN_TRACK_CODES = {
    "重点项目": "key",
    "基础项目": "basic",
    "综合能力培育": "comprehensive",
    "特色能力培育": "distinctive",
}


def _target_words(target: ParsedTarget) -> str:
    period = {
        "year": _("每年"),
        "half": _("每半年"),
        "quarter": _("每季度"),
        "month": _("每月"),
    }[target.period]
    return _("量化指标：%(period)s不少于 %(n)d %(unit)s（%(what)s）") % {
        "period": period,
        "n": target.minimum,
        "unit": target.unit,
        "what": target.description,
    }


# --- hand mappings ---------------------------------------------------------------


def apply_mappings(parsed: ParsedPlan, mappings: list[HandMapping]) -> None:
    """Add what the administrator read in sentences the grammar did not understand.

    A mapping whose sentence is no longer among the unclear ones (the notice changed) is
    left out; one that names a task or item the notice does not have is refused.
    """
    open_sentences = {s.text: s for s in parsed.unclear}
    for mapping in mappings:
        sentence = open_sentences.get(mapping.sentence)
        if sentence is None:
            continue
        task = parsed.task(mapping.task_number)
        if mapping.as_ != HandMapping.NONE and task is None:
            raise NoticeError(
                _("手工指定引用了不存在的任务（%(task)s）。") % {"task": mapping.task_number},
                mapping.sentence,
            )
        if mapping.as_ == HandMapping.DEADLINE:
            deadline = ParsedDeadline(
                kind="other",
                due_date=mapping.due_date,
                description=_clean(mapping.sentence)[:300],
                task_number=task.number,
                sentence=mapping.sentence[:500],
            )
            parsed.deadlines.append(deadline)
            sentence.mapped = _("手工指定为任务（%(task)s）的时间节点：%(date)s") % {
                "task": task.numeral,
                "date": deadline.due_date.isoformat(),
            }
        elif mapping.as_ == HandMapping.TARGET:
            if mapping.item_number and mapping.item_number not in dict(task.items):
                raise NoticeError(
                    _("任务（%(task)s）没有工作内容（%(item)s）。")
                    % {"task": task.numeral, "item": mapping.item_number},
                    mapping.sentence,
                )
            target = ParsedTarget(
                item_number=mapping.item_number,
                description=_clean(mapping.sentence)[:300],
                metric=_metric(mapping.sentence, mapping.unit),
                minimum=mapping.minimum or 1,
                unit=mapping.unit or "次",
                period=mapping.period,
            )
            task.targets.append(target)
            sentence.mapped = _("手工指定为任务（%(task)s）的%(target)s") % {
                "task": task.numeral,
                "target": _target_words(target),
            }
        elif mapping.as_ == HandMapping.UNITS:
            task.mandatory.extend(c for c in mapping.provinces if c not in task.mandatory)
            sentence.mapped = _("手工指定为任务（%(task)s）的执行单位：%(n)d 个单位") % {
                "task": task.numeral,
                "n": len(mapping.provinces),
            }
        else:
            sentence.mapped = _("已阅，无需生成内容")
        parsed.hand_mappings.append(mapping)
