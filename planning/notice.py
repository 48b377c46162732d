"""Read a year's work plan from the text of the official notice.

The notice follows a fixed official format (see ``planning/seed/2018-work-plan.txt``):
a header with title, 文号 and date; then the plan with sections 一、总体目标,
二、工作重点, 三、具体任务 (numbered tasks （一）（二）…, each with 1.工作目标
2.工作内容 3.执行单位 4.工作支持) and 四、有关要求. Text extracted from a PDF splits
words with stray spaces and line breaks; :func:`mend` joins them again.

:func:`parse_notice` understands the text without touching the database and
raises :class:`NoticeError` naming the place it could not understand;
:func:`planning.services.import_plan` saves what it understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

NUMERALS = "一二三四五六七八九十"
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Punctuation after which a line break is a real paragraph end, not a PDF split.
_JOINABLE = rf"[{CJK}，、（）《》“”〔〕]"


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


# --- text helpers -------------------------------------------------------------


def mend(text: str) -> str:
    """Join words split by PDF extraction ("深入开 展" → "深入开展"); keep paragraph ends."""
    text = text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(rf"(?<={_JOINABLE})[ \t\n]+(?={_JOINABLE})", "", text)
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
    return s.strip().strip("。；;，, \n").strip() + ("" if not s.strip() else "")


def _tidy(s: str) -> str:
    return re.sub(r"\s*\n\s*", "\n", s).strip()


# --- the parser -----------------------------------------------------------------


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

    def resolve(self, name: str) -> str | None:
        name = name.strip().strip("。，；、 ")
        name = re.sub(r"(知识产权局|等)$", "", name)
        return self.aliases.get(name)


SECTION_RE = re.compile(
    r"(?:^|\n|\s|。)([一二三四五六七八九十]+)、\s*(总体目标|工作重点|具体任务|有关要求)"
)
FIELD_RE = re.compile(r"(\d+)\s*[.．、]\s*(工作目标|工作内容|执行单位|工作支持)\s*[：:]")
KNOWN_TRACK_CODES = {
    "重点项目": "key",
    "基础项目": "basic",
    "综合能力培育": "comprehensive",
    "特色能力培育": "distinctive",
}
TARGET_RE = re.compile(r"(?:至少|不少于)\s*(\d+)\s*(期|个|家|人次|名|项|场|次)([^，。；、]*)")


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

    body_start = 0
    sections: dict[str, tuple[int, int]] = {}
    found = [(m.group(2), m.start(1), m.end()) for m in SECTION_RE.finditer(text, body_start)]
    for heading in ("总体目标", "工作重点", "具体任务", "有关要求"):
        if heading not in [f[0] for f in found]:
            raise NoticeError(
                _(
                    "找不到章节“%(heading)s”。正式通知应包含“一、总体目标”“二、工作重点”“三、具体任务”“四、有关要求”。"
                )
                % {"heading": heading},
                excerpt(text, body_start, 40),
            )
    for i, (heading, _start, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(text)
        sections.setdefault(heading, (end, stop))

    def section(name: str) -> str:
        a, b = sections[name]
        return text[a:b].strip()

    tasks_text_start, tasks_text_end = sections["具体任务"]
    tasks = _parse_tasks(text, tasks_text_start, tasks_text_end, names, warnings)
    requirements = section("有关要求")
    deadlines = _parse_deadlines(year, tasks, requirements)
    if not any(d.kind == "registration" for d in deadlines):
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
        deadlines=deadlines,
        source_text=raw,
        warnings=warnings,
    )


def _parse_tasks(
    text: str, start: int, end: int, names: UnitNames, warnings: list[str]
) -> list[ParsedTask]:
    heading_re = re.compile(r"（([一二三四五六七八九十]+)）")
    headings = [m for m in heading_re.finditer(text, start, end)]
    # A task heading is a numeral in brackets followed by a title and "1.工作目标".
    task_heads = []
    for m in headings:
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
        tasks.append(_parse_task(text, m, stop, names, warnings))
    return tasks


def _parse_task(
    text: str, head: re.Match, stop: int, names: UnitNames, warnings: list[str]
) -> ParsedTask:
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
    items = _split_items(content)
    task = ParsedTask(
        number=number,
        title=title,
        goal=_tidy(parts.get("工作目标", "")),
        content=_tidy(content),
        items=items,
        executing_rule=_tidy(parts["执行单位"]),
        support=_tidy(parts.get("工作支持", "")),
    )
    _parse_executing_units(task, names, where)
    for item_number, item_text in items:
        for t in TARGET_RE.finditer(item_text):
            task.targets.append(_target(item_number, t))
    return task


def _split_items(content: str) -> list[tuple[int, str]]:
    marks = []
    expected = 1
    for m in re.finditer(r"（(\d+)）", content):
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


def _target(item_number: int, m: re.Match) -> ParsedTarget:
    qty, unit, what = int(m.group(1)), m.group(2), m.group(3)
    metric = "other"
    if "培训" in what and unit in ("期", "场", "次"):
        metric = "classes_held"
    elif unit in ("人次", "名"):
        metric = "trainees"
    elif "企业" in what or unit == "家":
        metric = "enterprises_served"
    elif "案例" in what:
        metric = "cases"
    return ParsedTarget(
        item_number=item_number,
        description=m.group(0).strip(),
        metric=metric,
        minimum=qty,
        unit=unit,
    )


def _names_list(raw: str, names: UnitNames, task_label: str, where: str) -> list[str]:
    codes = []
    for piece in re.split(r"[、，,和及与]", raw):
        piece = piece.strip()
        if not piece:
            continue
        code = names.resolve(piece)
        if code is None:
            raise NoticeError(
                _("任务（%(task)s）的执行单位中有无法识别的单位名称“%(name)s”。")
                % {"task": task_label, "name": piece},
                where,
            )
        if code not in codes:
            codes.append(code)
    return codes


def _parse_executing_units(task: ParsedTask, names: UnitNames, where: str) -> None:
    rule = task.executing_rule
    label = task.numeral
    base_tracks = list(
        re.finditer(
            r"内容\s*（(\d+)）\s*至\s*（(\d+)）\s*由承担(重点|基础)项目的基地省市执行", rule
        )
    )
    if base_tracks:
        task.bases_only = True
        for m in base_tracks:
            first, last, level = int(m.group(1)), int(m.group(2)), m.group(3)
            name = f"{level}项目"
            task.tracks.append(
                ParsedTrack(
                    code=KNOWN_TRACK_CODES[name],
                    name=name,
                    item_numbers=list(range(first, last + 1)),
                    base_level="key" if level == "重点" else "basic",
                )
            )
        return
    named_tracks = list(
        re.finditer(r"（(\d+)）\s*([^：:（）]+?)(?:工作)?\s*[：:]\s*由(.+?)执行", rule)
    )
    if named_tracks:
        for k, m in enumerate(named_tracks, start=1):
            name = m.group(2).strip()
            task.tracks.append(
                ParsedTrack(
                    code=KNOWN_TRACK_CODES.get(name, f"track-{k}"),
                    name=name,
                    item_numbers=[int(m.group(1))] if int(m.group(1)) <= len(task.items) else [],
                    provinces=_names_list(m.group(3), names, label, where),
                )
            )
        for track in task.tracks:
            task.mandatory.extend(c for c in track.provinces if c not in task.mandatory)
        return
    if re.match(r"^各省\s*（\s*区\s*、\s*市\s*）", rule) or rule.startswith("各地方知识产权局"):
        task.all_units = True
        return
    named = re.search(r"由(.+?)执行", rule)
    if not named:
        raise NoticeError(
            _("任务（%(task)s）的执行单位无法理解：应为“各省（区、市）”或“由……执行”。")
            % {"task": label},
            where,
        )
    task.mandatory = _names_list(named.group(1), names, label, where)
    if re.search(r"其他省\s*（\s*区\s*、\s*市\s*）.*?(根据实际情况|自愿)", rule):
        task.voluntary_others = True


def _parse_deadlines(year: int, tasks: list[ParsedTask], requirements: str) -> list[ParsedDeadline]:
    deadlines: list[ParsedDeadline] = []
    year_end = date(year, 12, 31)
    for m in re.finditer(
        r"于\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*前[，,]?([^。]*)", requirements
    ):
        due = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        what = m.group(4)
        kind = "registration" if re.search(r"负责人|联系人|进度安排", what) else "other"
        description = (
            _("报送任务分解：处级具体负责人、工作联系人、工作内容、进度安排和预期成果")
            if kind == "registration"
            else _clean(what)[:300]
        )
        deadlines.append(ParsedDeadline(kind=kind, due_date=due, description=description))
    for task in tasks:
        full = " ".join([task.content, task.support, task.goal])
        if "年底形成阶段性成果" in full:
            deadlines.append(
                ParsedDeadline(
                    kind="outcomes",
                    due_date=year_end,
                    description=_("年底形成阶段性成果及典型案例"),
                    task_number=task.number,
                )
            )
        if re.search(r"年年?底完成.{0,40}工作总结", full):
            deadlines.append(
                ParsedDeadline(
                    kind="summary",
                    due_date=year_end,
                    description=_("报送年度工作总结及下一年度工作思路、要点和计划"),
                    task_number=task.number,
                )
            )
    if re.search(r"年底组织开展项目验收", requirements):
        deadlines.append(
            ParsedDeadline(kind="acceptance", due_date=year_end, description=_("年底项目验收"))
        )
    return deadlines
