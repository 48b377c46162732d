"""The annual digest 《全国专利信息传播利用YYYY》 as a PDF in Chinese, made with WeasyPrint.

``build_digest(plan, progress)`` is the one function behind the Celery task, the page
and ``manage.py build_digest``. It refuses loudly when no CJK font is installed: without
one WeasyPrint silently draws every Chinese character as an empty box.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import digest as funding_digest
from planning.models import Plan
from projects import digest as projects_digest
from provinces.ledger import TRAINING_FIGURES, training_figures
from provinces.models import (
    Assignment,
    Case,
    Contact,
    LedgerEntry,
    LedgerSummary,
    NetworkEntity,
    Province,
    Region,
    TrainingClass,
)
from workflow import sheets
from workflow.charts import BODY_FONT, bar_chart, fit_label  # noqa: F401 - fit_label re-exported

from .models import AnnualSummary

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
    figures = ("classes_held", "trainees", "enterprises_served")
    by_assignment = {  # the kept per-assignment summaries, not every entry
        row["assignment_id"]: row
        for row in LedgerSummary.objects.filter(assignment__task__plan=plan, entries__gt=0).values(
            "assignment_id", "enterprises_served", n=F("entries")
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
            bucket["enterprises_served"] += row["enterprises_served"] or 0
    # classes and trainees: the units' training classes, not the ledger's typed numbers
    for (_plan, task_id, province_id), row in training_figures(
        TrainingClass.objects.filter(plan=plan)
    ).items():
        for bucket in (per_province[province_id], per_task[task_id]):
            for f in TRAINING_FIGURES:
                bucket[f] += row[f]
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
    for entry in recent_ledger_entries(plan):
        recent[entry.assignment.province_id].append(entry)
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
    network = network_chapter(plan, provinces)
    return {
        "plan": plan,
        "network": network,
        "chart_network": bar_chart(
            [
                (str(label), n)
                for (_k, label), n in zip(network["kinds"], network["totals"], strict=True)
            ],
            _("个"),
        ),
        "chart_training": bar_chart(
            sorted(
                ((r["province"].short_name, r["classes"]) for r in network["rows"] if r["classes"]),
                key=lambda r: -r[1],
            ),
            _("期"),
        ),
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


RECENT_PER_UNIT = 8


def recent_ledger_entries(plan: Plan) -> list[LedgerEntry]:
    """Each unit's newest ledger entries of the plan (``RECENT_PER_UNIT``), by unit and then
    newest first: the ids ranked in the database over three narrow columns, then only those
    rows read whole."""
    newest = (
        LedgerEntry.objects.filter(assignment__task__plan=plan)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("assignment__province_id"),
                order_by=[F("date").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=RECENT_PER_UNIT)
        .values_list("pk", flat=True)
    )
    return list(
        LedgerEntry.objects.filter(pk__in=list(newest))
        .select_related("assignment__task")
        .order_by("assignment__province_id", "-date", "-pk")
    )


def network_chapter(plan: Plan, provinces: list[Province]) -> dict:
    """The service network and training classes of the year: entities per unit and kind,
    classes and attendees per unit, and HQ's own classes (three queries)."""
    kinds = NetworkEntity.Kind.choices
    entities: dict[int, dict[str, int]] = defaultdict(dict)
    for province_id, kind, n in (
        NetworkEntity.objects.filter(plan=plan)
        .values_list("province_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        entities[province_id][kind] = n
    classes = defaultdict(lambda: {"classes": 0, "attendees": 0})
    for province_id, n, attendees in (
        TrainingClass.objects.filter(plan=plan)
        .values_list("province_id")
        .annotate(n=Count("pk"), attendees=Sum("attendee_count"))
        .values_list("province_id", "n", "attendees")
        .order_by()
    ):
        classes[province_id] = {"classes": n, "attendees": attendees or 0}
    rows = []
    for p in provinces:
        counts = [entities[p.pk].get(k, 0) for k, _label in kinds]
        if any(counts) or classes[p.pk]["classes"]:
            rows.append({"province": p, "counts": counts, "total": sum(counts), **classes[p.pk]})
    totals = [sum(entities[p.pk].get(k, 0) for p in provinces) for k, _label in kinds]
    hq_classes = list(
        TrainingClass.objects.filter(plan=plan, province__isnull=True)
        .select_related("task")
        .order_by("start_date", "pk")
    )
    return {
        "kinds": kinds,
        "rows": rows,
        "totals": totals,
        "entities": sum(totals),
        "classes": sum(c["classes"] for c in classes.values()),
        "attendees": sum(c["attendees"] for c in classes.values()),
        "unit_classes": sum(c["classes"] for pid, c in classes.items() if pid is not None),
        "hq_classes": hq_classes,
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
    network = data["network"]
    by_kind = sheets.Sheet(
        _("服务网络"),
        [
            _("执行单位"),
            *[label for _k, label in network["kinds"]],
            _("合计"),
            _("培训班（期）"),
            _("参训人数"),
        ],
    )
    for row in network["rows"]:
        by_kind.append(
            [
                row["province"].short_name,
                *row["counts"],
                row["total"],
                row["classes"],
                row["attendees"],
            ]
        )
    hq = sheets.Sheet(
        _("专利文献部培训班"),
        [_("培训班名称"), _("任务"), _("开始日期"), _("结束日期"), _("地点"), _("参训人数")],
    )
    for c in network["hq_classes"]:
        hq.append([c.title, c.task.number, c.start_date, c.end_date, c.place, c.attendee_count])
    return [by_task, summaries, cases, contacts, projects, by_kind, hq]
