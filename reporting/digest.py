"""The annual digest 《全国专利信息传播利用YYYY》 as a PDF in Chinese, made with WeasyPrint.

``build_digest(plan, progress)`` is the one function behind the Celery task, the page
and ``manage.py build_digest``. It refuses loudly when no CJK font is installed: without
one WeasyPrint silently draws every Chinese character as an empty box.
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from funding import digest as funding_digest
from planning.models import Plan
from projects import digest as projects_digest
from provinces.models import Assignment, Case, Contact, LedgerEntry, Province, Region
from workflow import sheets

from .models import AnnualSummary

BODY_FONT = "Noto Sans CJK SC"
HEADING_FONT = "Noto Serif CJK SC"


class MissingCJKFont(RuntimeError):
    """No Chinese font: the PDF would be full of empty boxes, so we refuse to make it."""


def cjk_fonts() -> set[str]:
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except FileNotFoundError:
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def require_fonts(wanted: tuple[str, ...] | None = None) -> None:
    wanted = wanted or tuple(getattr(settings, "DIGEST_FONTS", (BODY_FONT, HEADING_FONT)))
    available = cjk_fonts()
    missing = [f for f in wanted if f not in available]
    if missing:
        raise MissingCJKFont(
            _(
                "缺少中文字体 %(fonts)s，无法生成年度汇编（否则中文会显示为空白方框）。请安装 Debian 软件包 fonts-noto-cjk。"
            )
            % {"fonts": "、".join(missing)}
        )


def fit_label(text: str, width: float, font_size: float = 10) -> str:
    """``text`` cut to ``width`` (in the chart's units) with an ellipsis, never mid-glyph.

    A CJK or full-width character is one em wide, anything else about half of one.
    """

    def em(ch: str) -> float:
        return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55

    if sum(em(ch) for ch in text) * font_size <= width:
        return text
    room = width / font_size - 1.0  # keep one em for the ellipsis
    out = ""
    for ch in text:
        if sum(em(c) for c in out + ch) > room:
            break
        out += ch
    return out.rstrip() + "…"


def bar_chart(
    rows: list[tuple[str, int]],
    unit: str,
    width: int = 620,
    *,
    title: str = "",
    desc: str = "",
    ident: str = "",
) -> str:
    """A horizontal SVG bar chart (no JavaScript, renders in WeasyPrint).

    Labels too long for their column end in an ellipsis (the full label is the bar's title);
    the text names the simplified-Chinese font, or fontconfig may pick a Japanese face.
    With ``title`` (and ``desc``), the chart is an image named by its own <title> and
    <desc> for screen readers; ``ident`` makes their ids unique on the page. Values may be
    Decimals (money in 万元).
    """
    if not rows:
        return ""
    top = max(v for _, v in rows) or 1
    bar_h, gap, label_w = 16, 6, 150
    height = len(rows) * (bar_h + gap) + gap
    named = ""
    if title:
        ident = ident or "chart"
        labelled = f"{ident}-title {ident}-desc" if desc else f"{ident}-title"
        named = f' role="img" aria-labelledby="{escape(labelled)}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" font-family="{BODY_FONT}" '
        f'xml:lang="zh-Hans"{named}>'
    ]
    if title:
        parts.append(f'<title id="{escape(ident)}-title">{escape(title)}</title>')
        if desc:
            parts.append(f'<desc id="{escape(ident)}-desc">{escape(desc)}</desc>')
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = int((width - label_w - 70) * value / top)
        shown = fit_label(label, label_w - 10)
        parts.append(
            f"<g><title>{escape(label)}</title>"
            f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end" font-size="10">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#b3261e"/>'
            f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}" font-size="10">{value}{escape(unit)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


@dataclass
class DigestData:
    context: dict


def collect(plan: Plan) -> dict:
    """Everything the digest shows, in a fixed number of queries."""
    provinces = list(Province.objects.all())
    tasks = list(plan.tasks.prefetch_related("items", "targets").order_by("number"))
    assignments = list(
        Assignment.objects.filter(task__plan=plan).select_related(
            "province", "task", "track", "registration"
        )
    )
    ledger = LedgerEntry.objects.filter(assignment__task__plan=plan)
    figures = ("classes_held", "trainees", "enterprises_served")
    by_assignment = {
        row["assignment_id"]: row
        for row in ledger.values("assignment_id").annotate(
            n=Count("pk"), **{f: Sum(f) for f in figures}
        )
    }
    per_province: dict[int, dict] = defaultdict(lambda: {"n": 0, **{f: 0 for f in figures}})
    per_task: dict[int, dict] = defaultdict(lambda: {"n": 0, **{f: 0 for f in figures}})
    for a in assignments:
        row = by_assignment.get(a.pk)
        if not row:
            continue
        for bucket in (per_province[a.province_id], per_task[a.task_id]):
            bucket["n"] += row["n"]
            for f in figures:
                bucket[f] += row[f] or 0
    per_region: dict[str, int] = defaultdict(int)
    for p in provinces:
        per_region[p.get_region_display()] += per_province[p.pk]["trainees"]
    summaries = {
        s.province_id: s
        for s in AnnualSummary.objects.filter(plan=plan, state=AnnualSummary.State.CONFIRMED)
    }
    cases = list(
        Case.objects.filter(plan=plan, selected_for_digest=True, state=Case.State.CONFIRMED)
        .select_related("province")
        .order_by("province__sort_order", "pk")
    )
    contacts = list(
        Contact.objects.filter(registration__assignment__task__plan=plan)
        .select_related("registration__assignment__province", "registration__assignment__task")
        .order_by(
            "registration__assignment__province__sort_order",
            "registration__assignment__task__number",
            "role",
        )
    )
    recent = defaultdict(list)
    for entry in ledger.select_related("assignment__task").order_by(
        "assignment__province_id", "-date"
    )[:2000]:
        bucket = recent[entry.assignment.province_id]
        if len(bucket) < 8:
            bucket.append(entry)
    totals = {f: sum(v[f] for v in per_province.values()) for f in figures}
    totals["n"] = sum(v["n"] for v in per_province.values())
    by_task_units: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.taken_up:
            by_task_units[a.task_id].append(a)
    province_chapters = [
        {
            "province": p,
            "summary": summaries[p.pk],
            "figures": per_province[p.pk],
            "recent": recent.get(p.pk, []),
            "tasks": [a.task for a in assignments if a.province_id == p.pk and a.taken_up],
        }
        for p in provinces
        if p.pk in summaries
    ]
    return {
        "plan": plan,
        "tasks": [
            {
                "task": t,
                "units": sorted(by_task_units[t.pk], key=lambda a: a.province.sort_order),
                "figures": per_task[t.pk],
            }
            for t in tasks
        ],
        "province_chapters": province_chapters,
        "cases": cases,
        "contacts": contacts,
        "totals": totals,
        "summaries_confirmed": len(summaries),
        "units": len(provinces),
        "chart_tasks": bar_chart(
            [(f"（{t.numeral}）{t.title}", per_task[t.pk]["n"]) for t in tasks], _("条")
        ),
        "chart_provinces": bar_chart(
            sorted(
                ((p.short_name, per_province[p.pk]["trainees"]) for p in provinces),
                key=lambda r: -r[1],
            )[:32],
            _("人次"),
        ),
        "chart_regions": bar_chart(sorted(per_region.items(), key=lambda r: -r[1]), _("人次")),
        "projects": project_rows(plan),
        "funding": funding_digest.chapter(plan),
        "project_reports": projects_digest.report_rows(plan),
        "generated_at": timezone.localtime(),
        "body_font": BODY_FONT,
        "heading_font": HEADING_FONT,
        "regions": Region,
    }


def project_rows(plan: Plan) -> list:
    """Projects with budgets and acceptance results (the projects app's appendix rows)."""
    return projects_digest.rows(plan)


def render_html(plan: Plan) -> str:
    return render_to_string("reporting/digest.html", collect(plan))


def build_digest(
    plan: Plan, progress: Callable[[int, str], None] | None = None
) -> tuple[bytes, int]:
    """Return (PDF bytes, page count)."""
    from weasyprint import HTML

    report = progress or (lambda pct, step: None)
    report(5, _("检查中文字体"))
    require_fonts()
    report(15, _("汇总各省数据"))
    html = render_html(plan)
    report(40, _("排版"))
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    report(85, _("生成 PDF"))
    pdf = document.write_pdf()
    report(100, _("完成"))
    return pdf, len(document.pages)


def build_workbook(plan: Plan) -> list[sheets.Sheet]:
    """The digest's data as workbook sheets: tasks, provinces, summaries, contacts, projects."""
    data = collect(plan)
    by_task = sheets.Sheet(
        _("按任务"),
        [
            _("序号"),
            _("任务"),
            _("执行单位数"),
            _("台账条数"),
            _("培训班（期）"),
            _("培训人数（人次）"),
            _("服务企业（家）"),
        ],
    )
    for t in data["tasks"]:
        f = t["figures"]
        by_task.append(
            [
                t["task"].number,
                t["task"].title,
                len(t["units"]),
                f["n"],
                f["classes_held"],
                f["trainees"],
                f["enterprises_served"],
            ]
        )
    summaries = sheets.Sheet(
        _("年度工作总结"), [_("执行单位"), *[label for _name, label in AnnualSummary.SECTIONS]]
    )
    for chapter in data["province_chapters"]:
        summaries.append(
            [chapter["province"].name, *[text for _label, text in chapter["summary"].sections()]]
        )
    cases = sheets.Sheet(_("典型案例"), [_("执行单位"), _("标题"), _("摘要")])
    for case in data["cases"]:
        cases.append([case.province.name, case.title, case.summary])
    contacts = sheets.Sheet(
        _("通讯录"),
        [_("执行单位"), _("任务"), _("角色"), _("姓名"), _("职务"), _("电话"), _("邮箱")],
    )
    for c in data["contacts"]:
        contacts.append(
            [
                c.registration.assignment.province.short_name,
                c.registration.assignment.task.number,
                c.get_role_display(),
                c.name,
                c.title,
                c.phone,
                c.email,
            ]
        )
    projects = sheets.Sheet(
        _("项目"), [_("项目"), _("承担单位"), _("资助经费（万元）"), _("验收结果")]
    )
    for p in data["projects"]:
        projects.append([p["title"], p["unit"], p["budget"], p["result"]])
    return [by_task, summaries, cases, contacts, projects]
