"""Allocated, paid and spent side by side as an inline SVG (no JavaScript; WeasyPrint draws it
too), like the digest's charts: each label is escaped, a long one cut with an ellipsis."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONT = "Noto Sans CJK SC"
COLOURS = ("#1f4e79", "#2e7d32", "#b3261e")  # allocated, paid, spent


def _cut(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def money_chart(rows, width: int = 620) -> str:
    """One group of three bars (allocated, paid, spent) per row of :class:`MoneyRow`."""
    rows = [r for r in rows if r.allocated or r.paid or r.spent]
    if not rows:
        return ""
    top = max(max(r.allocated, r.paid, r.spent) for r in rows) or Decimal(1)
    bar_h, gap, label_w = 7, 8, 150
    group_h = 3 * bar_h + gap
    legend_h = 20
    height = legend_h + len(rows) * group_h + gap
    names = (_("下达"), _("拨付"), _("使用"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" font-family="{FONT}" xml:lang="zh-Hans" '
        f'role="img" aria-label="{escape(_("经费下达、拨付和使用"))}">'
    ]
    for i, (name, colour) in enumerate(zip(names, COLOURS, strict=True)):
        x = label_w + i * 80
        parts.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="13" font-size="10">{escape(name)}</text>'
        )
    span = width - label_w - 80
    for i, r in enumerate(rows):
        y = legend_h + i * group_h
        parts.append(
            f"<g><title>{escape(r.label)}</title>"
            f'<text x="{label_w - 6}" y="{y + 2 * bar_h}" text-anchor="end" font-size="10">'
            f"{escape(_cut(r.label))}</text>"
        )
        for j, (value, colour) in enumerate(
            zip((r.allocated, r.paid, r.spent), COLOURS, strict=True)
        ):
            w = int(span * value / top)
            yy = y + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{max(w, 1)}" height="{bar_h - 1}" fill="{colour}"/>'
                f'<text x="{label_w + w + 4}" y="{yy + bar_h - 1}" font-size="8">{value}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
